#pragma once
// Access to the private PostgreSQL cluster of the test run (tests/scripts/pg_cluster.sh,
// started by the CTest fixture "pg_cluster"). Every test that needs a database asks for a
// fresh one, cloned from the template "bw_template" (PostGIS already installed), so tests are
// independent and may run in parallel.
//
// Where the server is: $BORDERWATCH_TEST_PG ("PG:host=... user=... dbname=..." of a server
// with a template bw_template or PostGIS available) if set, else the state file the fixture
// wrote (compile definition BORDERWATCH_TEST_PG_STATE). Without either the tests skip with a
// warning.

#include "store/detail/pg_connection.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include <unistd.h>

namespace bw_test {

/// "PG:..." of the test cluster's default database, or nullopt when no server is available.
inline std::optional<std::string> pg_server_spec() {
    if (const char *env = std::getenv("BORDERWATCH_TEST_PG"); env != nullptr && *env != '\0') {
        return std::string(env);
    }
#ifdef BORDERWATCH_TEST_PG_STATE
    std::ifstream in(BORDERWATCH_TEST_PG_STATE);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("conninfo=", 0) == 0) {
            return line.substr(9);
        }
    }
#endif
    return std::nullopt;
}

/// A new, empty database with PostGIS; returns its spec. Names are unique per process.
inline std::string fresh_database(const std::string &server_spec, const std::string &hint) {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count() % 1000000;
    const std::string name = "bw_" + hint + "_" + std::to_string(::getpid()) + "_" +
                             std::to_string(stamp) + "_" + std::to_string(counter++);
    borderwatch::detail::PgConnection admin(borderwatch::detail::parse_pg_spec(server_spec));
    const auto has_template =
        admin.exec("SELECT 1 FROM pg_database WHERE datname = 'bw_template'").rows() > 0;
    admin.exec("CREATE DATABASE " + admin.quote_identifier(name) +
               (has_template ? " TEMPLATE bw_template" : ""));
    const std::string spec = server_spec + " dbname=" + name; // later keywords win in libpq
    if (!has_template) {
        borderwatch::detail::PgConnection db(borderwatch::detail::parse_pg_spec(spec));
        db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
    }
    return spec;
}

} // namespace bw_test

/// Skip the current test case (with a message) when no PostgreSQL server is available;
/// otherwise define `server` as the spec of the cluster's default database.
#define BW_REQUIRE_PG_SERVER(server)                                                               \
    const auto server##_opt = bw_test::pg_server_spec();                                           \
    if (!server##_opt) {                                                                           \
        WARN("SKIPPED: no PostgreSQL test server (run through ctest, which starts one with "       \
             "tests/scripts/pg_cluster.sh, or set BORDERWATCH_TEST_PG)");                          \
        return;                                                                                    \
    }                                                                                              \
    const std::string server = *server##_opt
