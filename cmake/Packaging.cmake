# Packaging.cmake - man pages, shell completions and the packages CPack
# makes from this build (docs/PACKAGING.md). Included at the end of the top
# CMakeLists.txt, after every install() rule.
#
# Install components (every install() rule names one):
#   runtime  the shared library                    -> libsockstate0
#   dev      header, namelink, CMake package, .pc,
#            libsockstate(3)                       -> libsockstate-dev
#   cli      sockstate, sockstate(1), completions   -> sockstate
#   python   the Python package for Debian's python3 -> python3-sockstate
#
# Linux: `cpack -G DEB` makes the four Debian packages (configure with
#   -DCMAKE_INSTALL_PREFIX=/usr
#   -DSOCKSTATE_PYTHON_INSTALL_DIR=lib/python3/dist-packages,
#   as tests/packaging/build_packages.cmake and `make deb` do).
# Windows (the MinGW cross build): `cpack -G ZIP` makes one zip with
#   sockstate.exe, sockstate.dll, the import library, the header, the CMake
#   and pkg-config files, README.md and LICENSE.
#
# The version is project(VERSION) in the top CMakeLists.txt, nothing else;
# CHANGELOG.md must have a "## [VERSION] - YYYY-MM-DD" entry for it (its
# date is the man pages' date and the Debian changelog's).

# ---- the release this build is: CHANGELOG.md's entry for the version ----
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/CHANGELOG.md ${PROJECT_SOURCE_DIR}/LICENSE)
string(REPLACE "." "\\." _sockstate_version_re "${PROJECT_VERSION}")
file(STRINGS ${PROJECT_SOURCE_DIR}/CHANGELOG.md _sockstate_release_line
  REGEX "^## \\[${_sockstate_version_re}\\] - [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$")
if(NOT _sockstate_release_line)
  message(FATAL_ERROR "CHANGELOG.md has no \"## [${PROJECT_VERSION}] - YYYY-MM-DD\" "
          "entry: record the release of project(VERSION ${PROJECT_VERSION}) there")
endif()
string(REGEX REPLACE ".* - " "" SOCKSTATE_RELEASE_DATE "${_sockstate_release_line}")

# ---- man pages and completions (generated on the build machine) ----
if(NOT CMAKE_CROSSCOMPILING)
  add_subdirectory(docs/man)
  if(TARGET sockstate_cli)
    add_subdirectory(libsockstate/cli/completions)
  endif()
endif()

# Installed into a directory the dynamic linker searches anyway (/usr/lib/
# <multiarch> for the packages), the tool needs no RPATH; Debian forbids
# one there (lintian: custom-library-search-path).
if(TARGET sockstate_cli AND CMAKE_INSTALL_FULL_LIBDIR IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
  set_target_properties(sockstate_cli PROPERTIES INSTALL_RPATH "")
endif()

set(SOCKSTATE_PACKAGE_MAINTAINER "libsockstate developers <dev@libsockstate.invalid>"
  CACHE STRING "Maintainer field of the Debian packages")

# ---- the Debian layout: per-package copyright and changelogs ----
# On by default where the packages are meant for: Debian (or a derivative)
# with the /usr prefix.
if(EXISTS /etc/debian_version AND CMAKE_INSTALL_PREFIX STREQUAL "/usr"
   AND CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT CMAKE_CROSSCOMPILING)
  set(_sockstate_deb_default ON)
else()
  set(_sockstate_deb_default OFF)
endif()
option(SOCKSTATE_DEBIAN_LAYOUT
  "Install /usr/share/doc/<package>/{copyright,changelog.Debian.gz,changelog.gz} per Debian package"
  ${_sockstate_deb_default})

set(_sockstate_deb_packages runtime libsockstate0 dev libsockstate-dev)
if(TARGET sockstate_cli)
  list(APPEND _sockstate_deb_packages cli sockstate)
endif()
if(TARGET sockstate_python)
  list(APPEND _sockstate_deb_packages python python3-sockstate)
endif()

if(SOCKSTATE_DEBIAN_LAYOUT)
  if(TARGET sockstate_python AND NOT SOCKSTATE_PYTHON_INSTALL_DIR MATCHES "^lib/python3/dist-packages/?$")
    message(WARNING "python3-sockstate: SOCKSTATE_PYTHON_INSTALL_DIR is "
      "${SOCKSTATE_PYTHON_INSTALL_DIR}, which Debian's python3 does not read; "
      "configure with -DSOCKSTATE_PYTHON_INSTALL_DIR=lib/python3/dist-packages "
      "(make deb does)")
  endif()
  set(_deb_doc ${PROJECT_BINARY_DIR}/debian-doc)
  file(MAKE_DIRECTORY ${_deb_doc})

  # copyright in the machine-readable format (DEP-5), the MIT text from
  # LICENSE itself.
  file(READ ${PROJECT_SOURCE_DIR}/LICENSE _license)
  string(REGEX MATCH "Copyright \\(c\\) [^\n]*" _copyright_line "${_license}")
  string(REGEX REPLACE "^Copyright \\(c\\) " "" _copyright_holder "${_copyright_line}")
  string(REGEX REPLACE "^.*(Permission is hereby granted)" "\\1" _mit_text "${_license}")
  string(STRIP "${_mit_text}" _mit_text)
  string(REGEX REPLACE "\n\n" "\n.\n" _mit_text "${_mit_text}")
  string(REGEX REPLACE "\n" "\n " _mit_text "${_mit_text}")
  file(WRITE ${_deb_doc}/copyright.tmp
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: libsockstate
Upstream-Contact: ${SOCKSTATE_PACKAGE_MAINTAINER}

Files: *
Copyright: ${_copyright_holder}
License: Expat

License: Expat
 ${_mit_text}
")
  configure_file(${_deb_doc}/copyright.tmp ${_deb_doc}/copyright COPYONLY)

  # changelog.Debian: one entry per release, pointing at the upstream
  # changelog installed beside it. Dated from CHANGELOG.md (reproducible).
  execute_process(COMMAND date -u -R -d "${SOCKSTATE_RELEASE_DATE} 00:00:00 UTC"
    OUTPUT_VARIABLE _rfc2822 OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _date_failed)
  if(_date_failed)
    message(FATAL_ERROR "Packaging: cannot format the date ${SOCKSTATE_RELEASE_DATE}")
  endif()
  file(WRITE ${_deb_doc}/changelog.Debian.tmp
"libsockstate (${PROJECT_VERSION}-1) unstable; urgency=medium

  * Release ${PROJECT_VERSION}: see changelog.gz beside this file.

 -- ${SOCKSTATE_PACKAGE_MAINTAINER}  ${_rfc2822}
")
  configure_file(${_deb_doc}/changelog.Debian.tmp ${_deb_doc}/changelog.Debian COPYONLY)
  configure_file(${PROJECT_SOURCE_DIR}/CHANGELOG.md ${_deb_doc}/changelog COPYONLY)

  find_program(SOCKSTATE_GZIP gzip REQUIRED)
  add_custom_command(
    OUTPUT ${_deb_doc}/changelog.Debian.gz ${_deb_doc}/changelog.gz
    COMMAND ${SOCKSTATE_GZIP} -9nkf ${_deb_doc}/changelog.Debian ${_deb_doc}/changelog
    DEPENDS ${_deb_doc}/changelog.Debian ${_deb_doc}/changelog
    COMMENT "debian: gzip the changelogs"
    VERBATIM)
  add_custom_target(sockstate_debian_doc ALL
    DEPENDS ${_deb_doc}/changelog.Debian.gz ${_deb_doc}/changelog.gz)

  list(LENGTH _sockstate_deb_packages _n)
  math(EXPR _last "${_n} - 1")
  foreach(_i RANGE 0 ${_last} 2)
    math(EXPR _j "${_i} + 1")
    list(GET _sockstate_deb_packages ${_i} _component)
    list(GET _sockstate_deb_packages ${_j} _package)
    install(FILES ${_deb_doc}/copyright ${_deb_doc}/changelog.Debian.gz
      ${_deb_doc}/changelog.gz
      DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${_package} COMPONENT ${_component})
  endforeach()
endif()

if(CMAKE_SYSTEM_NAME STREQUAL "Windows")
  # The zip's top level: what to read first, and the license.
  install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
    DESTINATION . COMPONENT runtime)
endif()

# ---- CPack ----
set(CPACK_PACKAGE_NAME libsockstate)
set(CPACK_PACKAGE_VENDOR "The libsockstate developers")
set(CPACK_PACKAGE_CONTACT "${SOCKSTATE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  # CPack's own default: any other summary CPackDeb would put above each
  # package's description (CPACK_DEBIAN_<COMPONENT>_DESCRIPTION).
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
else()
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
endif()
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR "")

if(CMAKE_SYSTEM_NAME STREQUAL "Windows")
  set(CPACK_GENERATOR ZIP)
  set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)
  set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
  set(CPACK_PACKAGE_FILE_NAME "sockstate-${PROJECT_VERSION}-win64")
  set(CPACK_COMPONENTS_ALL runtime dev cli)
elseif(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(CPACK_GENERATOR DEB)
  # Debian packages carry /usr paths; a build for another prefix packs
  # with that prefix (and says so).
  set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
  if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "Packaging: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; "
      "Debian packages want /usr (make deb configures its own build)")
  endif()
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SOCKSTATE_PACKAGE_MAINTAINER}")
  set(CPACK_DEBIAN_PACKAGE_SOURCE libsockstate)
  set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  # Depends from the ELF files themselves (dpkg-shlibdeps): libc6 and
  # libmnl0; not libbpf1, since the BPF owner map is a light skeleton
  # that needs only the bpf() system call. The CLI's libsockstate.so.0 is
  # found in this build tree and declared below with its exact version.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR})
  set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

  set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libsockstate0)
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
  # The shlibs file (what packages linking libsockstate.so.0 depend on)
  # and the ldconfig trigger. CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS has no
  # per-package form and would also look at the Python extension.
  set(_deb_control ${PROJECT_BINARY_DIR}/debian-control/runtime)
  file(MAKE_DIRECTORY ${_deb_control})
  file(WRITE ${_deb_control}/shlibs
    "libsockstate ${PROJECT_VERSION_MAJOR} libsockstate0 (>= ${PROJECT_VERSION})\n")
  file(WRITE ${_deb_control}/triggers "activate-noawait ldconfig\n")
  # CPack 3.25 also writes postinst/postrm calling ldconfig, which the
  # trigger makes redundant (lintian: maintscript-calls-ldconfig, listed in
  # docs/PACKAGING.md); empty scripts instead would only trade it for
  # maintainer-script-empty.
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
    ${_deb_control}/shlibs ${_deb_control}/triggers)
  set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
"TCP sockets with normalized states, owners and counts (library)
libsockstate lists the TCP sockets of a machine with their state in one
vocabulary on every OS (RFC 9293 names such as ESTABLISHED) beside the
OS's own spelling, their endpoints and the processes that own them.
On Linux it asks the kernel through NETLINK_SOCK_DIAG (with the filters
compiled into the request), falls back to /proc/net/tcp, and maps owners
with a BPF iterator or one pass over /proc.
.
This package contains the shared library.")

  set(CPACK_DEBIAN_DEV_PACKAGE_NAME libsockstate-dev)
  set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
  set(CPACK_DEBIAN_DEV_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "pkgconf | pkg-config, cmake")
  set(CPACK_DEBIAN_DEV_DESCRIPTION
"TCP sockets with normalized states, owners and counts (development files)
libsockstate lists the TCP sockets of a machine with their state in one
vocabulary on every OS, the OS's own spelling beside it, their endpoints
and owners.
.
This package contains the header, the pkg-config file, the CMake package
(find_package(sockstate)) and the libsockstate(3) manual page.")

  set(CPACK_DEBIAN_CLI_PACKAGE_NAME sockstate)
  set(CPACK_DEBIAN_CLI_PACKAGE_SECTION net)
  set(CPACK_DEBIAN_CLI_DESCRIPTION
"list TCP sockets with their state in one vocabulary on every OS
sockstate lists the TCP sockets of this machine like ss -tan does, with
the normalized state (LISTEN, ESTABLISHED, TIME_WAIT...) beside the OS's
own spelling; counts them per state or per port, process or peer; writes
tables, the sockstate/1 JSON document, CSV or Prometheus metrics
atomically; waits until a port listens or drains; and explains each state
in English or Spanish.
.
Includes the sockstate(1) manual page and bash and zsh completions.")

  set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-sockstate)
  set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
  if(TARGET sockstate_python)
    # The extension is built for this python3 (its ABI tag is in the file
    # name), with the library compiled in: no libsockstate0 needed.
    math(EXPR _py_next "${Python3_VERSION_MINOR} + 1")
    set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS
      "python3 (>= ${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}~), python3 (<< ${Python3_VERSION_MAJOR}.${_py_next})")
  endif()
  set(CPACK_DEBIAN_PYTHON_DESCRIPTION
"TCP sockets with normalized states, owners and counts (Python 3)
The sockstate package for Python 3 (import sockstate): connections,
per-state counts and sockstate/1 snapshots with the states in one
vocabulary on every OS, and python3 -m sockstate with the same
subcommands as the sockstate tool. The C library is compiled into the
extension.")

  include(CPackComponent)
  cpack_add_component(runtime DISPLAY_NAME "libsockstate0")
  cpack_add_component(dev DISPLAY_NAME "libsockstate-dev" DEPENDS runtime)
  cpack_add_component(cli DISPLAY_NAME "sockstate" DEPENDS runtime)
  cpack_add_component(python DISPLAY_NAME "python3-sockstate")
  set(CPACK_COMPONENTS_ALL runtime dev)
  if(TARGET sockstate_cli)
    list(APPEND CPACK_COMPONENTS_ALL cli)
  endif()
  if(TARGET sockstate_python)
    list(APPEND CPACK_COMPONENTS_ALL python)
  endif()
else()
  set(CPACK_GENERATOR TGZ)
endif()

include(CPack)
