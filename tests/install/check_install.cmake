# Install the library (component "dev": library, public headers, package config) into a
# temporary prefix, then configure, build and run tests/install/consumer against it with
# find_package(borderwatch).
# cmake -DBUILD_DIR=<build tree> -DCONSUMER=<consumer source> -DWORK=<scratch dir> -P this
foreach(var BUILD_DIR CONSUMER WORK)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "check_install.cmake: -D${var}=... is required")
    endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
set(prefix "${WORK}/prefix")

function(run what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
    endif()
    set(run_output "${out}" PARENT_SCOPE)
endfunction()

run("install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}" --component dev)
foreach(expected include/borderwatch/stats/bands.hpp include/borderwatch/core/error.hpp)
    if(NOT EXISTS "${prefix}/${expected}")
        message(FATAL_ERROR "not installed: ${expected}")
    endif()
endforeach()
file(GLOB_RECURSE private_headers "${prefix}/include/*/detail/*")
if(private_headers)
    message(FATAL_ERROR "private headers installed: ${private_headers}")
endif()
run("configure consumer" ${CMAKE_COMMAND} -S "${CONSUMER}" -B "${WORK}/build"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release)
run("build consumer" ${CMAKE_COMMAND} --build "${WORK}/build")
run("run consumer" "${WORK}/build/consumer")
set(expected "0-1\n1-5\n5-10\n>10\n")
if(NOT run_output STREQUAL expected)
    message(FATAL_ERROR "consumer printed:\n${run_output}\nexpected:\n${expected}")
endif()
message(STATUS "installed borderwatch::core works from ${prefix}")
