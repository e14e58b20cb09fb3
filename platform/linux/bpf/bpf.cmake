# bpf.cmake - the BPF programs' build: find the tools, compile
# pidmap.bpf.c (the owner map) and trace.bpf.c (sockstate_trace's
# source), strip them, and generate their light skeletons at build time.
#
# Included by platform/linux/CMakeLists.txt. Defines the option
# SOCKSTATE_BPF (ON by default where clang, bpftool and libbpf's headers
# are found) and sets, in the including scope:
#   SOCKSTATE_BPF_SOURCES   the user-space sources: pidmap_bpf.c and
#                           trace_bpf_io.c when built, else the stubs that
#                           always say "unavailable"
#   SOCKSTATE_BPF_INCLUDES  where the generated *.lskel.h are
#   SOCKSTATE_BPF_SUMMARY   "bpf-iter" or "bpf-iter off (why)"
# Nothing is linked: a light skeleton needs only the bpf() system call.

set(_bpf_src ${CMAKE_CURRENT_LIST_DIR})
set(_bpf_out ${CMAKE_CURRENT_BINARY_DIR}/bpf)

find_program(SOCKSTATE_BPF_CLANG NAMES clang clang-19 clang-18 clang-17 clang-16
             clang-15 clang-14 DOC "clang that can target bpf")
find_program(SOCKSTATE_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin
             DOC "bpftool, for the skeleton")
find_path(SOCKSTATE_LIBBPF_INCLUDE_DIR bpf/skel_internal.h bpf/bpf_helpers.h
          DOC "libbpf's headers (libbpf-dev)")

set(_bpf_missing "")
if(NOT SOCKSTATE_BPF_CLANG)
  list(APPEND _bpf_missing clang)
endif()
if(NOT SOCKSTATE_BPFTOOL)
  list(APPEND _bpf_missing bpftool)
else()
  # `gen object` and light skeletons (-L) came with bpftool 5.15-5.18.
  execute_process(COMMAND ${SOCKSTATE_BPFTOOL} gen help
                  OUTPUT_VARIABLE _bpf_help ERROR_VARIABLE _bpf_help)
  if(NOT _bpf_help MATCHES "gen object" OR NOT _bpf_help MATCHES "use-loader")
    list(APPEND _bpf_missing "a bpftool with gen object and -L")
  endif()
endif()
if(NOT SOCKSTATE_LIBBPF_INCLUDE_DIR)
  list(APPEND _bpf_missing "libbpf headers")
endif()
if(_bpf_missing)
  set(_bpf_default OFF)
else()
  set(_bpf_default ON)
endif()
option(SOCKSTATE_BPF "Map sockets to processes with a BPF iterator (Linux)"
       ${_bpf_default})

if(SOCKSTATE_BPF AND _bpf_missing)
  string(JOIN ", " _bpf_list ${_bpf_missing})
  message(FATAL_ERROR "SOCKSTATE_BPF is ON but not found: ${_bpf_list} "
          "(Debian: apt-get install clang bpftool libbpf-dev)")
endif()

if(NOT SOCKSTATE_BPF)
  set(SOCKSTATE_BPF_SOURCES ${_bpf_src}/pidmap_bpf_off.c
      ${CMAKE_CURRENT_SOURCE_DIR}/trace_bpf_off.c)
  set(SOCKSTATE_BPF_INCLUDES "")
  if(_bpf_missing)
    string(JOIN ", " _bpf_list ${_bpf_missing})
    set(SOCKSTATE_BPF_SUMMARY "bpf-iter off (not found: ${_bpf_list})")
  else()
    set(SOCKSTATE_BPF_SUMMARY "bpf-iter off (SOCKSTATE_BPF=OFF)")
  endif()
  return()
endif()

# -g makes the BTF that CO-RE needs; `bpftool gen object` then links the
# object alone, which keeps the program, its BTF and the license and drops
# the DWARF (the "strip"): a few KiB. Then the light skeleton NAME.lskel.h.
function(sockstate_bpf_program name)
  add_custom_command(
    OUTPUT ${_bpf_out}/${name}.bpf.o
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_bpf_out}
    COMMAND ${SOCKSTATE_BPF_CLANG} -target bpf -O2 -g -Wall -Wextra -Werror
            -idirafter ${SOCKSTATE_LIBBPF_INCLUDE_DIR}
            -c ${_bpf_src}/${name}.bpf.c -o ${_bpf_out}/${name}.unstripped.o
    COMMAND ${SOCKSTATE_BPFTOOL} gen object ${_bpf_out}/${name}.bpf.o
            ${_bpf_out}/${name}.unstripped.o
    DEPENDS ${_bpf_src}/${name}.bpf.c ${_bpf_src}/kernel_types.h ${ARGN}
    COMMENT "BPF: compiling and stripping ${name}.bpf.c"
    VERBATIM)
  add_custom_command(
    OUTPUT ${_bpf_out}/${name}.lskel.h
    COMMAND ${SOCKSTATE_BPFTOOL} gen skeleton -L ${_bpf_out}/${name}.bpf.o
            name ${name}_bpf > ${_bpf_out}/${name}.lskel.h.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${_bpf_out}/${name}.lskel.h.tmp
            ${_bpf_out}/${name}.lskel.h
    DEPENDS ${_bpf_out}/${name}.bpf.o
    COMMENT "BPF: generating the light skeleton ${name}.lskel.h"
    VERBATIM)
endfunction()

sockstate_bpf_program(pidmap ${_bpf_src}/owner_record.h)
sockstate_bpf_program(trace ${_bpf_src}/transition_record.h)
add_custom_target(sockstate_bpf_skeleton
  DEPENDS ${_bpf_out}/pidmap.lskel.h ${_bpf_out}/trace.lskel.h)

# The library's objects are compiled in the top directory, which is still
# being read: make them wait for the skeleton once their target exists.
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR}
               CALL add_dependencies sockstate_objects sockstate_bpf_skeleton)

set(SOCKSTATE_BPF_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/pidmap_bpf.c
    ${CMAKE_CURRENT_SOURCE_DIR}/trace_bpf_io.c)
set(SOCKSTATE_BPF_INCLUDES ${_bpf_out})
if(NOT SOCKSTATE_LIBBPF_INCLUDE_DIR STREQUAL "/usr/include")
  list(APPEND SOCKSTATE_BPF_INCLUDES ${SOCKSTATE_LIBBPF_INCLUDE_DIR})
endif()
set(SOCKSTATE_BPF_SUMMARY "bpf-iter")
