#pragma once
// Access to the private PostgreSQL cluster of the test run (tests/scripts/pg_cluster.sh,
// started by the CTest fixture "pg_cluster"). Every test that needs a database asks for a
// fresh one, cloned from the template "bw_template" (PostGIS already installed), so tests are
// independent and may run in parallel.
//
// Where the server is: $BORDERWATCH_TEST_PG ("PG:host=... user=... dbname=..." of a server
// with a template bw_template or PostGIS available) if set, else the state file the fixture
// wrote (compile definition BORDERWATCH_TEST_PG_STATE). The tests skip with a warning only
// when the fixture recorded that PostgreSQL is not installed ("unavailable=" in the state
// file); without a server otherwise they fail.

#include "store/detail/pg_connection.hpp"

#include <borderwatch/core/escape.hpp>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "../support/skip.hpp"
#include <unistd.h>

namespace bw_test {

/// Where the test server is, or why there is none.
struct PgServer {
    std::optional<std::string> spec; ///< "PG:..." of the cluster's default database
    std::string unavailable;         ///< set when the fixture found no PostgreSQL to run
};

inline PgServer pg_server() {
    PgServer out;
    if (const char *env = std::getenv("BORDERWATCH_TEST_PG"); env != nullptr && *env != '\0') {
        out.spec = std::string(env);
        return out;
    }
#ifdef BORDERWATCH_TEST_PG_STATE
    std::ifstream in(BORDERWATCH_TEST_PG_STATE);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("conninfo=", 0) == 0) {
            out.spec = line.substr(9);
        } else if (line.rfind("unavailable=", 0) == 0) {
            out.unavailable = line.substr(12);
        }
    }
#endif
    return out;
}

/// "PG:..." of the test cluster's default database, or nullopt when no server is available.
inline std::optional<std::string> pg_server_spec() {
    return pg_server().spec;
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

/// A login role that must authenticate with @p password (scram-sha-256: the fixture's
/// pg_hba.conf asks members of bw_password_auth for a password, everyone else is trusted).
/// Superuser, so it may create schemas and tables in any test database. Returns its name.
inline std::string password_role(const std::string &server_spec, const std::string &hint,
                                 const std::string &password) {
    static std::atomic<int> counter{0};
    const std::string name =
        "bw_pw_" + hint + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    borderwatch::detail::PgConnection admin(borderwatch::detail::parse_pg_spec(server_spec));
    admin.exec("CREATE ROLE " + admin.quote_identifier(name) +
               " LOGIN SUPERUSER IN ROLE bw_password_auth PASSWORD " +
               borderwatch::sql_literal(password));
    return name;
}

/// The value of @p key in the (libpq-parsed) spec, "" if absent.
inline std::string spec_value(const std::string &spec, const std::string &key) {
    std::string out;
    for (const auto &[k, v] : borderwatch::detail::parse_pg_spec(spec).params) {
        if (k == key) {
            out = v;
        }
    }
    return out;
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
inline std::string percent_encode(const std::string &text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

} // namespace bw_test

/// Define `server` as the spec of the test cluster's default database. Skips the test case
/// (with a message) only when the fixture found no PostgreSQL installed; a server that
/// should be there but is not (fixture failed or not run) FAILS the test.
#define BW_REQUIRE_PG_SERVER(server)                                                               \
    const auto server##_found = bw_test::pg_server();                                              \
    if (!server##_found.spec && !server##_found.unavailable.empty()) {                             \
        BW_SKIP("postgresql", server##_found.unavailable);                                         \
    }                                                                                              \
    if (!server##_found.spec) {                                                                    \
        FAIL("no PostgreSQL test server: run through ctest (fixture pg_cluster_start, "            \
             "tests/scripts/pg_cluster.sh) or set BORDERWATCH_TEST_PG");                           \
    }                                                                                              \
    const std::string server = *server##_found.spec
