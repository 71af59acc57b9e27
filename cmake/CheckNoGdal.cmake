# Fails the build when the start-up program `borderwatch` needs libgdal (see
# src/cli/launcher_main.cpp): its quick start is the point of having it.
# Usage: cmake -DPROGRAM=path/to/borderwatch -P CheckNoGdal.cmake
find_program(READELF readelf)
if(NOT READELF)
    message(STATUS "readelf not found: not checking ${PROGRAM} for GDAL")
    return()
endif()
execute_process(COMMAND ${READELF} -d ${PROGRAM} OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf -d ${PROGRAM} failed")
endif()
if(dynamic MATCHES "NEEDED[^\n]*libgdal")
    message(FATAL_ERROR "${PROGRAM} links libgdal: a quick command reached GDAL code "
                        "(see src/cli/launcher_main.cpp)")
endif()
