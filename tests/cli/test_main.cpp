// The Catch2 main of the CLI end-to-end test binary (tests/cli/test_*.cpp).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
