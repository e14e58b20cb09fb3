# Included by the top CMakeLists.txt: can the Python package be built here?
# Sets SOCKSTATE_PYTHON_DEFAULT (ON when SWIG 4 with Python support and the
# Python 3 development headers are found) for the SOCKSTATE_BUILD_PYTHON
# option, and SOCKSTATE_PYTHON_SUMMARY for the configure summary.

# Debian's /usr/bin/python3 has pytest, psutil and jsonschema; another
# python3 first on PATH may not. Prefer it unless told otherwise
# (-DPython3_EXECUTABLE=...), as the CLI's tests do.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3)
endif()
find_package(SWIG 4.0 QUIET COMPONENTS python)
find_package(Python3 QUIET COMPONENTS Interpreter Development.Module)
if(SWIG_FOUND AND Python3_Development.Module_FOUND)
  set(SOCKSTATE_PYTHON_DEFAULT ON)
  set(SOCKSTATE_PYTHON_SUMMARY
    "${Python3_EXECUTABLE} ${Python3_VERSION}, SWIG ${SWIG_VERSION}")
else()
  set(SOCKSTATE_PYTHON_DEFAULT OFF)
  set(SOCKSTATE_PYTHON_SUMMARY "SWIG or the Python 3 headers not found")
endif()
