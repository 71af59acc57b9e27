// How a test that cannot run says so. CTest marks a test Skipped when its output matches
// "SKIPPED(" (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt), and scripts/test fails the
// run when a component it requires was skipped (see scripts/test: BORDERWATCH_REQUIRE).
// Component names: postgresql, qgis, xmllint, ogrinfo, python-validators, geodata, non-root.
#pragma once

#include <catch2/catch.hpp>

/// Report the current test as skipped because `component` is missing, and leave it.
#define BW_SKIP(component, reason)                                                                 \
    do {                                                                                           \
        WARN("SKIPPED(" component "): " << reason);                                                \
        return;                                                                                    \
    } while (false)

/// Report a skipped part of a test that goes on.
#define BW_SKIP_PART(component, reason) WARN("SKIPPED(" component "): " << reason)
