// PostGIS store pieces that need no server: spec parsing, password masking, COPY escaping.
// The tests against a real PostgreSQL cluster live in tests/pg/.
#include <catch2/catch.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/store/store.hpp>

#include "store/detail/pg_connection.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

using namespace borderwatch;
using borderwatch::detail::parse_pg_spec;

namespace {

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

// The value libpq's parser gave @p key ("" if none; nullopt when absent).
std::optional<std::string> param(const borderwatch::detail::PgSpec &s, const std::string &key) {
    std::optional<std::string> out;
    for (const auto &[k, v] : s.params) {
        if (k == key) {
            out = v;
        }
    }
    return out;
}

} // namespace

TEST_CASE("PostGIS spec: GDAL keyword/value syntax", "[store_postgis]") {
    SECTION("plain keywords go to libpq, GDAL's schema keywords are taken out") {
        const auto s = parse_pg_spec(
            "PG:dbname=incidents host=db.example user=analyst active_schema=bw tables=x");
        REQUIRE(s.params.size() == 3);
        CHECK(param(s, "dbname") == "incidents");
        CHECK(param(s, "host") == "db.example");
        CHECK(param(s, "user") == "analyst");
        CHECK(s.schema == "bw");
        CHECK(s.secrets.empty());
        CHECK(s.description ==
              "PostGIS dbname=incidents host=db.example user=analyst active_schema=bw");
    }
    SECTION("schemas= picks the first schema") {
        CHECK(parse_pg_spec("PG:dbname=x schemas=one,two").schema == "one");
        CHECK(parse_pg_spec("PG:dbname=x active_schema=a schemas=b").schema == "a");
        CHECK(parse_pg_spec("PG:dbname=x active_schema='Team A'").description ==
              "PostGIS dbname=x active_schema='Team A'");
    }
    SECTION("quoted values, escapes and blanks around '='") {
        const auto s = parse_pg_spec(R"(pg: dbname = 'my db'  password='it\'s s3cret' )");
        REQUIRE(s.params.size() == 2);
        CHECK(param(s, "dbname") == "my db");
        CHECK(param(s, "password") == "it's s3cret");
        CHECK(s.secrets == std::vector<std::string>{"it's s3cret"});
        CHECK(s.description == "PostGIS dbname='my db' password=***");
    }
    SECTION("later keywords win, as in libpq") {
        const auto s = parse_pg_spec("PG:dbname=a dbname=b");
        CHECK(param(s, "dbname") == "b");
        CHECK(s.description == "PostGIS dbname=b");
    }
    SECTION("malformed specs are usage errors") {
        CHECK_THROWS_AS(parse_pg_spec("PG:dbname"), UsageError);
        CHECK_THROWS_AS(parse_pg_spec("PG:dbname='unterminated"), UsageError);
        CHECK_THROWS_AS(parse_pg_spec("PG:=x"), UsageError);
        CHECK_THROWS_AS(parse_pg_spec("not a spec"), UsageError);
        CHECK_THROWS_AS(parse_pg_spec("PG:dbname=x no_such_keyword=1"), UsageError);
        CHECK_THROWS_AS(parse_pg_spec("postgresql://h/db?no_such_keyword=1"), UsageError);
    }
}

TEST_CASE("PostGIS spec: postgresql:// URIs are parsed by libpq", "[store_postgis]") {
    const auto s = parse_pg_spec("postgresql://analyst:s%40cret-pw@db.example:5433/incidents");
    CHECK(param(s, "user") == "analyst");
    CHECK(param(s, "password") == "s@cret-pw");
    CHECK(param(s, "host") == "db.example");
    CHECK(param(s, "port") == "5433");
    CHECK(param(s, "dbname") == "incidents");
    CHECK(s.description ==
          "PostGIS dbname=incidents host=db.example port=5433 user=analyst password=***");
    CHECK(parse_pg_spec("postgresql:///incidents").secrets.empty());
    const auto prefixed = parse_pg_spec("PG:postgresql://u:pw-4567@h/db?sslmode=require");
    CHECK(param(prefixed, "password") == "pw-4567");
    CHECK(param(prefixed, "sslmode") == "require");
}

// Every libpq form of a password: libpq's own parser must read exactly the secret (so the
// spec connects with it), and nothing borderwatch prints may contain it in any spelling.
TEST_CASE("PostGIS spec: every libpq form of a password is masked", "[store_postgis]") {
    struct Case {
        std::string spec;
        std::string secret;                 // what libpq reads as the password
        std::vector<std::string> spellings; // how it is written in the spec
    };
    const std::vector<Case> cases = {
        {"PG:dbname=x password=Hunter-22 host=h", "Hunter-22", {"Hunter-22"}},
        {"PG:dbname=x password = Hunter-22 host=h", "Hunter-22", {"Hunter-22"}},
        {"PG:dbname=x password =Hunter-22", "Hunter-22", {"Hunter-22"}},
        {"PG:dbname=x\tpassword=\tHunter-22\n", "Hunter-22", {"Hunter-22"}},
        {R"(PG:password='se cr\'et' dbname=x)", "se cr'et", {"se cr", "cr\\'et", "cr'et"}},
        {R"(PG:password='back\\slash' dbname=x)", "back\\slash", {"back\\", "slash"}},
        {R"(PG:password=un\ quoted dbname=x)", "un quoted", {"un\\ quoted", "quoted"}},
        {"PG:password='' dbname=x", "", {}},
        {"PG:dbname=x password=First-111 password=Second-222",
         "Second-222",
         {"First-111", "Second-222"}},
        {"pg:dbname=x password=Hunter-22", "Hunter-22", {"Hunter-22"}},
        {"postgresql://u:Hunter-22@h:5432/db", "Hunter-22", {"Hunter-22"}},
        {"postgres://u:Hunter-22@h/db", "Hunter-22", {"Hunter-22"}},
        {"postgresql://u:s%40cr%20et%27x@h/db", "s@cr et'x", {"s%40cr%20et%27x", "s@cr", "et'x"}},
        {"postgresql://h/db?user=u&password=Hunter-22&sslmode=require", "Hunter-22", {"Hunter-22"}},
        {"postgresql://h/db?password=Hunter%2022", "Hunter 22", {"Hunter%2022", "Hunter 22"}},
        {"postgresql://u:Query-1@h/db?password=Query-2", "Query-2", {"Query-1", "Query-2"}},
        {"PG:postgresql://u:Hunter-22@h/db", "Hunter-22", {"Hunter-22"}},
        {"PG: postgres://u:Hunter-22@h/db", "Hunter-22", {"Hunter-22"}},
    };
    for (const auto &c : cases) {
        INFO(c.spec);
        const auto s = parse_pg_spec(c.spec);
        CHECK(param(s, "password") == c.secret);
        CHECK(contains(s.description, "password=***"));
        const auto masked = mask_store_spec(c.spec);
        CHECK(contains(masked, "password=***"));
        CHECK(masked.rfind("PG:", 0) == 0);
        for (const auto &spelling : c.spellings) {
            INFO(spelling);
            CHECK_FALSE(contains(s.description, spelling));
            CHECK_FALSE(contains(masked, spelling));
        }
        if (!c.secret.empty()) {
            CHECK(std::find(s.secrets.begin(), s.secrets.end(), c.secret) != s.secrets.end());
        }
    }
    SECTION("sslpassword is a secret too (libpq's '*' options)") {
        const auto s = parse_pg_spec("PG:dbname=x sslpassword=Key-Pass-9");
        CHECK(s.description == "PostGIS dbname=x sslpassword=***");
        CHECK(s.secrets == std::vector<std::string>{"Key-Pass-9"});
    }
    SECTION("specs libpq refuses are usage errors that never echo the secret") {
        for (const std::string spec : {
                 "PG:dbname=x PASSWORD=Hunter-22",   // keywords are lower case
                 "PG:dbname=x Password = Hunter-22", // mixed case, blanks
                 "postgresql://u:Hun%zzter-22@h/db", // bad percent-encoding
                 "postgresql://h/db?password=Hunter-22=x",
                 "PG:dbname='host=h password=Hunter-22'", // a connection string as dbname
                 "PG:dbname=postgresql://u:Hunter-22@h/db",
             }) {
            INFO(spec);
            try {
                (void)parse_pg_spec(spec);
                FAIL("parse_pg_spec should refuse it");
            } catch (const UsageError &e) {
                CHECK_FALSE(contains(e.what(), "Hunter"));
                CHECK_FALSE(contains(e.what(), "ter-22"));
            }
            CHECK(mask_store_spec(spec) == "PG:(spec not shown: it does not parse)");
        }
    }
    SECTION("no password in the spec: nothing from the environment or a service file") {
        // PQconninfoParse applies no defaults: PGPASSWORD and service files stay unread.
        const auto s = parse_pg_spec("PG:service=team dbname=x");
        CHECK(s.description == "PostGIS dbname=x service=team");
        CHECK(s.secrets.empty());
    }
}

TEST_CASE("store specs: PostGIS detection and password masking", "[store_postgis]") {
    CHECK(is_postgis_spec("PG:dbname=x"));
    CHECK(is_postgis_spec("pg:dbname=x"));
    CHECK(is_postgis_spec("postgresql://h/db"));
    CHECK(is_postgis_spec("postgres://h/db"));
    CHECK_FALSE(is_postgis_spec("incidents.gpkg"));
    CHECK_FALSE(is_postgis_spec("PG.gpkg"));

    CHECK(mask_store_spec("PG:dbname=x password=hunter22 host=h") ==
          "PG:dbname=x host=h password=***");
    CHECK(mask_store_spec("postgresql://u:hunter22@h:5432/db") ==
          "PG:dbname=db host=h port=5432 user=u password=***");
    CHECK(mask_store_spec("postgresql://u@h/db") == "PG:dbname=db host=h user=u");
    CHECK(mask_store_spec("PG:dbname=x") == "PG:dbname=x");
    CHECK(mask_store_spec("incidents.gpkg") == "incidents.gpkg");
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
