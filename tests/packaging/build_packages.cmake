# build_packages.cmake - build the packages from a fresh, dedicated build
# tree: the one recipe `make deb`, `make zip` and the packaging tests use.
#
#   cmake -DKIND=deb -DSOURCE_DIR=<top> -DBINARY_DIR=<dir> [-DWERROR=ON]
#         [-DJOBS=2] -P tests/packaging/build_packages.cmake
#     Debian packages: /usr prefix, Debian's hardening flags
#     (dpkg-buildflags), the Python package where Debian's python3 reads it;
#     then cpack -G DEB. Result: <dir>/packages/*.deb.
#   cmake -DKIND=zip ... : the MinGW-w64 cross build (cmake/mingw-w64-
#     x86_64.cmake), then cpack -G ZIP. Result: <dir>/packages/*.zip.
#
# Tests and examples are off in these trees: they are packages, not test
# builds (the main build tests the same sources).

foreach(var KIND SOURCE_DIR BINARY_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "build_packages.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED WERROR)
  set(WERROR ON)
endif()
if(NOT DEFINED JOBS)
  cmake_host_system_information(RESULT JOBS QUERY NUMBER_OF_LOGICAL_CORES)
endif()

set(common_args -S ${SOURCE_DIR} -B ${BINARY_DIR}
  -DSOCKSTATE_WERROR=${WERROR} -DSOCKSTATE_BUILD_TESTS=OFF
  -DSOCKSTATE_BUILD_EXAMPLES=OFF)

if(KIND STREQUAL "deb")
  find_program(DPKG_BUILDFLAGS dpkg-buildflags REQUIRED)
  # Every hardening feature Debian has, bindnow included.
  set(ENV{DEB_BUILD_MAINT_OPTIONS} "hardening=+all")
  foreach(flag CFLAGS CPPFLAGS LDFLAGS)
    execute_process(COMMAND ${DPKG_BUILDFLAGS} --get ${flag}
      OUTPUT_VARIABLE ${flag} OUTPUT_STRIP_TRAILING_WHITESPACE
      COMMAND_ERROR_IS_FATAL ANY)
  endforeach()
  # Build type None: the flags are Debian's (-g -O2, fortify, stack
  # protector, relro); CPack strips the installed files.
  set(generator DEB)
  set(configure_args ${common_args}
    -DCMAKE_BUILD_TYPE=None
    -DCMAKE_INSTALL_PREFIX=/usr
    # Typed: an untyped relative PATH value would be made absolute.
    -DSOCKSTATE_PYTHON_INSTALL_DIR=lib/python3/dist-packages
    -DSOCKSTATE_DEBIAN_LAYOUT=ON
    "-DCMAKE_C_FLAGS=${CFLAGS} ${CPPFLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${LDFLAGS}"
    "-DCMAKE_SHARED_LINKER_FLAGS=${LDFLAGS}"
    "-DCMAKE_MODULE_LINKER_FLAGS=${LDFLAGS}")
elseif(KIND STREQUAL "zip")
  set(generator ZIP)
  set(configure_args ${common_args}
    -DCMAKE_TOOLCHAIN_FILE=${SOURCE_DIR}/cmake/mingw-w64-x86_64.cmake
    -DCMAKE_BUILD_TYPE=Release)
else()
  message(FATAL_ERROR "build_packages.cmake: KIND is deb or zip, not '${KIND}'")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} ${configure_args} COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} --parallel ${JOBS}
  COMMAND_ERROR_IS_FATAL ANY)

# No package of an earlier run may pass for one of this run.
file(GLOB stale ${BINARY_DIR}/packages/*.deb ${BINARY_DIR}/packages/*.zip)
if(stale)
  file(REMOVE ${stale})
endif()
get_filename_component(cmake_dir ${CMAKE_COMMAND} DIRECTORY)
find_program(CPACK_PROGRAM cpack HINTS ${cmake_dir} NO_DEFAULT_PATH)
find_program(CPACK_PROGRAM cpack REQUIRED)
execute_process(COMMAND ${CPACK_PROGRAM} -G ${generator}
  --config ${BINARY_DIR}/CPackConfig.cmake
  WORKING_DIRECTORY ${BINARY_DIR}
  COMMAND_ERROR_IS_FATAL ANY)

file(GLOB made ${BINARY_DIR}/packages/*.deb ${BINARY_DIR}/packages/*.zip)
if(NOT made)
  message(FATAL_ERROR "build_packages.cmake: cpack made no package in ${BINARY_DIR}/packages")
endif()
foreach(f IN LISTS made)
  message(STATUS "package: ${f}")
endforeach()
