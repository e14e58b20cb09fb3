# Cross-compile for 64-bit Windows with MinGW-w64 (Debian:
# gcc-mingw-w64-x86-64). Usage:
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#         -DSOCKSTATE_BUILD_TESTS=OFF
# gives sockstate.dll, libsockstate.dll.a and sockstate.exe (docs/WINDOWS.md).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(_sockstate_mingw x86_64-w64-mingw32)
# The win32 thread model first: the posix one makes every binary need
# libwinpthread-1.dll.
find_program(CMAKE_C_COMPILER NAMES ${_sockstate_mingw}-gcc-win32
             ${_sockstate_mingw}-gcc REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${_sockstate_mingw}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${_sockstate_mingw})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# GCC's runtime linked in: the DLL and the EXE need only system DLLs.
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc")

# Lets `ctest` in a cross build run Windows programs, where Wine is.
find_program(SOCKSTATE_WINE NAMES wine64 wine)
if(SOCKSTATE_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SOCKSTATE_WINE})
endif()
