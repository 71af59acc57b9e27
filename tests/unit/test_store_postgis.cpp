// PostGIS store pieces that need no server: spec parsing, password masking, COPY escaping.
// The tests against a real PostgreSQL cluster live in tests/pg/.
#include <catch2/catch.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/store/store.hpp>

#include "store/detail/pg_connection.hpp"

#include <string>

using namespace borderwatch;
using borderwatch::detail::parse_pg_spec;

namespace {

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("PostGIS spec: GDAL keyword/value syntax", "[store_postgis]") {
    SECTION("plain keywords go to libpq, GDAL's schema keywords are taken out") {
        const auto s = parse_pg_spec(
            "PG:dbname=incidents host=db.example user=analyst active_schema=bw tables=x");
        REQUIRE(s.params.size() == 3);
        CHECK(s.params[0] == std::pair<std::string, std::string>{"dbname", "incidents"});
        CHECK(s.params[1] == std::pair<std::string, std::string>{"host", "db.example"});
        CHECK(s.params[2] == std::pair<std::string, std::string>{"user", "analyst"});
        CHECK(s.schema == "bw");
        CHECK(s.password.empty());
        CHECK(s.description == "PostGIS dbname=incidents host=db.example user=analyst "
                               "active_schema=bw tables=x");
    }
    SECTION("schemas= picks the first schema") {
        CHECK(parse_pg_spec("PG:dbname=x schemas=one,two").schema == "one");
        CHECK(parse_pg_spec("PG:dbname=x active_schema=a schemas=b").schema == "a");
    }
    SECTION("quoted values, escapes and blanks around '='") {
        const auto s = parse_pg_spec(R"(pg: dbname = 'my db'  password='it\'s s3cret' )");
        REQUIRE(s.params.size() == 2);
        CHECK(s.params[0].second == "my db");
        CHECK(s.params[1].second == "it's s3cret");
        CHECK(s.password == "it's s3cret");
        CHECK_FALSE(contains(s.description, "s3cret"));
        CHECK(contains(s.description, "password=***"));
    }
    SECTION("malformed specs are usage errors") {
        CHECK_THROWS_AS(parse_pg_spec("PG:dbname"), UsageError);
        CHECK_THROWS_AS(parse_pg_spec("PG:dbname='unterminated"), UsageError);
        CHECK_THROWS_AS(parse_pg_spec("PG:=x"), UsageError);
        CHECK_THROWS_AS(parse_pg_spec("not a spec"), UsageError);
    }
}

TEST_CASE("PostGIS spec: postgresql:// URIs", "[store_postgis]") {
    const auto s = parse_pg_spec("postgresql://analyst:s%40cret-pw@db.example:5433/incidents");
    REQUIRE(s.params.size() == 1);
    CHECK(s.params[0].first == "dbname"); // libpq expands the URI itself
    CHECK(s.password == "s@cret-pw");
    CHECK_FALSE(contains(s.description, "s%40cret-pw"));
    CHECK(contains(s.description, "analyst:***@db.example"));

    const auto q =
        parse_pg_spec("postgres://db/incidents?user=a&password=qwerty123&sslmode=require");
    CHECK(q.password == "qwerty123");
    CHECK_FALSE(contains(q.description, "qwerty123"));
    CHECK(parse_pg_spec("postgresql:///incidents").password.empty());
    const auto prefixed = parse_pg_spec("PG:postgresql://u:pw-4567@h/db?sslmode=require");
    REQUIRE(prefixed.params.size() == 1);
    CHECK(prefixed.params[0].second == "postgresql://u:pw-4567@h/db?sslmode=require");
    CHECK(prefixed.password == "pw-4567");
}

TEST_CASE("store specs: PostGIS detection and password masking", "[store_postgis]") {
    CHECK(is_postgis_spec("PG:dbname=x"));
    CHECK(is_postgis_spec("pg:dbname=x"));
    CHECK(is_postgis_spec("postgresql://h/db"));
    CHECK(is_postgis_spec("postgres://h/db"));
    CHECK_FALSE(is_postgis_spec("incidents.gpkg"));
    CHECK_FALSE(is_postgis_spec("PG.gpkg"));

    CHECK(mask_store_spec("PG:dbname=x password=hunter22 host=h") ==
          "PG:dbname=x password=*** host=h");
    CHECK(mask_store_spec("PG:password='a b c' dbname=x") == "PG:password=*** dbname=x");
    CHECK(mask_store_spec("PG:dbname=x PASSWORD=Hunter22") == "PG:dbname=x PASSWORD=***");
    CHECK(mask_store_spec("postgresql://u:hunter22@h:5432/db") == "postgresql://u:***@h:5432/db");
    CHECK(mask_store_spec("postgresql://u:pw@h/db?password=x2&sslmode=require") ==
          "postgresql://u:***@h/db?password=***&sslmode=require");
    CHECK(mask_store_spec("postgresql://u@h/db") == "postgresql://u@h/db");
    CHECK(mask_store_spec("PG:dbname=x") == "PG:dbname=x");
}

TEST_CASE("connection failures never print the password", "[store_postgis]") {
    // A socket directory that does not exist: libpq fails at once, no server needed.
    for (const std::string spec :
         {"PG:host=/nonexistent/bw-socket-dir dbname=x user=u password=Topsecret-4711",
          "postgresql://u:Topsecret-4711@/x?host=/nonexistent/bw-socket-dir"}) {
        try {
            auto store = open_store(spec);
            FAIL("open_store should have thrown");
        } catch (const Error &e) {
            const std::string message = e.what();
            INFO(message);
            CHECK_FALSE(contains(message, "Topsecret-4711"));
            CHECK(contains(message, "PostGIS"));
            CHECK(contains(message, "cannot connect"));
        }
    }
}

TEST_CASE("scrub_password and COPY / array escaping", "[store_postgis]") {
    using borderwatch::detail::append_copy_escaped;
    using borderwatch::detail::pg_text_array;
    using borderwatch::detail::scrub_password;
    CHECK(scrub_password("auth failed for abcd1234 and abcd1234", "abcd1234") ==
          "auth failed for *** and ***");
    CHECK(scrub_password("a b c", "a") == "a b c"); // too short to scrub safely
    std::string out;
    append_copy_escaped(out, "a\tb\nc\\d\re'f\"");
    CHECK(out == "a\\tb\\nc\\\\d\\re'f\"");
    CHECK(pg_text_array({"a", "b\"c", "d\\e", ""}) == R"({"a","b\"c","d\\e",""})");
    CHECK(pg_text_array({}) == "{}");
}
