# cmake -DSOURCE_DIR=... -DBINARY_DIR=... -DWERROR=ON|OFF -P cross_build.cmake
# Configure (once) and build the MinGW cross build with the Windows test
# program: what the ctest fixture windows.build runs.
foreach(var SOURCE_DIR BINARY_DIR WERROR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "cross_build.cmake: -D${var}=... is required")
  endif()
endforeach()
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR}
          -DCMAKE_TOOLCHAIN_FILE=${SOURCE_DIR}/cmake/mingw-w64-x86_64.cmake
          -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOCKSTATE_WERROR=${WERROR}
          -DSOCKSTATE_BUILD_TESTS=ON -DSOCKSTATE_BUILD_EXAMPLES=ON
  COMMAND_ERROR_IS_FATAL ANY)
execute_process(
  COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} --parallel 2
  COMMAND_ERROR_IS_FATAL ANY)
