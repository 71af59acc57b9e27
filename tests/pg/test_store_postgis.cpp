// PostGIS-specific store behaviour on the private test cluster: explicit, versioned schema
// management, what SQL users and QGIS see, schemas, concurrent writers, credentials.
#include <catch2/catch.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/store/store.hpp>

#include "pg_test_support.hpp"
#include "store_test_data.hpp"

#include <algorithm>
#include <set>
#include <thread>

using namespace borderwatch;
using borderwatch::detail::parse_pg_spec;
using borderwatch::detail::PgConnection;

namespace {

StoreOpenOptions init_options() {
    StoreOpenOptions o;
    o.init = true;
    return o;
}

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("PostGIS: schema is created only by init, versioned, newer versions refused",
          "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "init");

    // Opening an empty database does not create anything, it says how to.
    try {
        (void)open_store(spec);
        FAIL("open_store should refuse a database without the schema");
    } catch (const IoError &e) {
        CHECK(contains(e.what(), "borderwatch store init"));
    }
    PgConnection sql(parse_pg_spec(spec));
    CHECK(sql.exec("SELECT to_regclass('incidents') IS NULL").value(0, 0) == "t");

    auto store = open_store(spec, init_options());
    CHECK(store->schema_version() == k_store_schema_version);
    store->upsert(bw_test::sample_incidents(5));

    // init again: idempotent, data kept.
    CHECK(open_store(spec, init_options())->count() == 5);
    CHECK(sql.exec("SELECT value FROM borderwatch_meta WHERE key = 'schema_version'").value(0, 0) ==
          std::to_string(k_store_schema_version));
    CHECK(contains(std::string(sql.exec("SELECT value FROM borderwatch_meta "
                                        "WHERE key = 'created_by'")
                                   .value(0, 0)),
                   "borderwatch"));

    // A database written by a newer borderwatch is refused, by open and by init alike,
    // and left exactly as it was.
    const auto newer = std::to_string(k_store_schema_version + 1);
    sql.exec("UPDATE borderwatch_meta SET value = $1 WHERE key = 'schema_version'", {newer});
    CHECK_THROWS_AS(open_store(spec), DataError);
    try {
        (void)open_store(spec, init_options());
        FAIL("init should refuse a newer schema");
    } catch (const DataError &e) {
        CHECK(contains(e.what(), "newer"));
    }
    CHECK(sql.exec("SELECT value FROM borderwatch_meta WHERE key = 'schema_version'").value(0, 0) ==
          newer);
    CHECK(sql.exec("SELECT count(*) FROM incidents").value(0, 0) == "5");
}

TEST_CASE("PostGIS: SQL users and QGIS see geometry and derived fields", "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "sqlview");
    auto store = open_store(spec, init_options());
    Incident x;
    x.id = "q1";
    x.event_date = "2025-11-30";
    x.place_lon = 70.5;
    x.place_lat = 38.25;
    x.side = "TJK";
    x.border_distance_m = 812.5;
    x.chainage_km = 600.25;
    x.admin2 = "Darvoz";
    x.band = "0-1";
    Incident unplaced;
    unplaced.id = "q2";
    store->upsert({x, unplaced});

    PgConnection sql(parse_pg_spec(spec));
    const auto r = sql.exec("SELECT ST_AsText(geom), ST_SRID(geom), side, border_distance_m, "
                            "admin2, band, event_date, updated_at IS NOT NULL, content_hash "
                            "FROM incidents WHERE id = 'q1'");
    REQUIRE(r.rows() == 1);
    CHECK(r.value(0, 0) == "POINT(70.5 38.25)");
    CHECK(r.value(0, 1) == "4326");
    CHECK(r.value(0, 2) == "TJK");
    CHECK(r.value(0, 3) == "812.5");
    CHECK(r.value(0, 4) == "Darvoz");
    CHECK(r.value(0, 5) == "0-1");
    CHECK(r.value(0, 6) == "2025-11-30");
    CHECK(r.value(0, 7) == "t");
    CHECK(r.value(0, 8) == content_hash(x));
    CHECK(sql.exec("SELECT geom IS NULL FROM incidents WHERE id = 'q2'").value(0, 0) == "t");

    // What QGIS reads to list the layer, and the spatial index it uses.
    const auto gc = sql.exec("SELECT type, srid, coord_dimension FROM geometry_columns "
                             "WHERE f_table_name = 'incidents' AND f_geometry_column = 'geom'");
    REQUIRE(gc.rows() == 1);
    CHECK(gc.value(0, 0) == "POINT");
    CHECK(gc.value(0, 1) == "4326");
    CHECK(gc.value(0, 2) == "2");
    CHECK(contains(std::string(sql.exec("SELECT indexdef FROM pg_indexes WHERE tablename = "
                                        "'incidents' AND indexdef LIKE '%gist%'")
                                   .value(0, 0)),
                   "(geom)"));
    CHECK(sql.exec("SELECT col_description('incidents'::regclass, "
                   "(SELECT attnum FROM pg_attribute WHERE attrelid = 'incidents'::regclass "
                   "AND attname = 'border_distance_m'))")
              .value(0, 0) == "geodesic distance to the border, metres");
}

TEST_CASE("PostGIS: edits by other programs change the state token", "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "external");
    auto store = open_store(spec, init_options());
    store->upsert(bw_test::sample_incidents(10));
    const auto s1 = store->state();
    PgConnection sql(parse_pg_spec(spec));
    sql.exec("UPDATE incidents SET notes = 'edited in QGIS' WHERE id = (SELECT min(id) FROM "
             "incidents)");
    const auto s2 = store->state();
    CHECK(s2 != s1);
    sql.exec("DELETE FROM incidents WHERE id = (SELECT min(id) FROM incidents)");
    CHECK(store->state() != s2);
    CHECK(store->count() == 9);
}

TEST_CASE("PostGIS: active_schema keeps stores apart in one database", "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto base = bw_test::fresh_database(server, "schemas");
    const auto team_a = base + " active_schema='Team \"A\"; x'";
    const auto team_b = base + " active_schema=team_b";
    auto a = open_store(team_a, init_options());
    auto b = open_store(team_b, init_options());
    a->upsert(bw_test::sample_incidents(7));
    b->upsert(bw_test::sample_incidents(3));
    CHECK(open_store(team_a)->count() == 7);
    CHECK(open_store(team_b)->count() == 3);
    PgConnection sql(parse_pg_spec(base));
    CHECK(sql.exec("SELECT count(*) FROM \"Team \"\"A\"\"; x\".incidents").value(0, 0) == "7");
    // No table in public: the default store of this database is still uninitialised.
    CHECK_THROWS_AS(open_store(base), IoError);
}

TEST_CASE("PostGIS: concurrent writers never lose or duplicate a row", "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "concurrent");
    (void)open_store(spec, init_options());
    const auto rows = bw_test::sample_incidents(3000, 3);
    // Writer A: rows 0..1999 in ascending batches; writer B: rows 1000..2999 in descending
    // batches with different content for the overlap, so without serialisation the two
    // transactions would lock overlapping ids in opposite orders.
    std::vector<Incident> b_rows(rows.begin() + 1000, rows.end());
    for (auto &x : b_rows) {
        x.notes = "from B";
    }
    std::exception_ptr errors[2];
    UpsertResult results[2];
    auto run = [&spec](std::vector<Incident> mine, bool reverse, std::exception_ptr &error,
                       UpsertResult &result) {
        try {
            auto store = open_store(spec);
            auto writer = store->writer();
            const std::size_t batch = 250;
            std::vector<std::vector<Incident>> batches;
            for (std::size_t i = 0; i < mine.size(); i += batch) {
                batches.emplace_back(
                    mine.begin() + static_cast<std::ptrdiff_t>(i),
                    mine.begin() + static_cast<std::ptrdiff_t>(std::min(mine.size(), i + batch)));
            }
            if (reverse) {
                std::reverse(batches.begin(), batches.end());
            }
            for (const auto &b : batches) {
                result += writer->upsert(b);
            }
            writer->commit();
        } catch (...) {
            error = std::current_exception();
        }
    };
    std::thread ta(run, std::vector<Incident>(rows.begin(), rows.begin() + 2000), false,
                   std::ref(errors[0]), std::ref(results[0]));
    std::thread tb(run, b_rows, true, std::ref(errors[1]), std::ref(results[1]));
    ta.join();
    tb.join();
    for (const auto &e : errors) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception &ex) {
                FAIL("writer failed: " << ex.what());
            }
        }
    }
    auto store = open_store(spec);
    CHECK(store->count() == 3000);
    // Every row once; the overlap holds whichever writer committed last, entirely.
    std::set<std::string> ids;
    std::size_t from_b = 0;
    for (const auto &x : bw_test::query_all(*store)) {
        CHECK(ids.insert(x.id).second);
        from_b += x.notes == "from B" ? 1 : 0;
    }
    CHECK(ids.size() == 3000);
    CHECK((from_b == 2000 || from_b == 1000));
    CHECK(results[0].inserted + results[1].inserted == 3000);
    PgConnection sql(parse_pg_spec(spec));
    CHECK(sql.exec("SELECT count(DISTINCT id) = count(*) FROM incidents").value(0, 0) == "t");
}

TEST_CASE("PostGIS: a password-authenticated role connects in every form, never shown",
          "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto base = bw_test::fresh_database(server, "secret");
    // Blanks, quotes, a backslash and URI delimiters: every form must carry it intact.
    const std::string secret = "Zq9Kx se'cr\\et@:/?&=%#";
    const auto role = bw_test::password_role(server, "lib", secret);
    const auto host = bw_test::spec_value(server, "host");
    const auto port = bw_test::spec_value(server, "port");
    const auto dbname = bw_test::spec_value(base, "dbname");
    const std::string quoted = "'Zq9Kx se\\'cr\\\\et@:/?&=%#'";
    const std::string keywords =
        "PG:host=" + host + " port=" + port + " dbname=" + dbname + " user=" + role;
    const std::string uri_tail =
        "/" + dbname + "?host=" + bw_test::percent_encode(host) + "&port=" + port;
    const std::vector<std::string> forms = {
        keywords + " password=" + quoted,
        keywords + " password = " + quoted,
        "PG:postgresql://" + role + ":" + bw_test::percent_encode(secret) + "@" + uri_tail,
        "postgresql://" + role + ":" + bw_test::percent_encode(secret) + "@" + uri_tail,
        "postgres://" + role + "@" + uri_tail + "&password=" + bw_test::percent_encode(secret),
    };
    (void)open_store(forms.front(), init_options());
    for (const auto &spec : forms) {
        INFO(bw_test::percent_encode(spec));
        auto store = open_store(spec);
        store->upsert(bw_test::sample_incidents(3));
        CHECK(store->count() == 3);
        CHECK(contains(store->describe(), "password=***"));
        CHECK_FALSE(contains(store->describe(), "Zq9Kx"));
    }
    // The password really is checked: a wrong one fails, and is not echoed either.
    try {
        (void)open_store(keywords + " password=Wrong-Pass-77");
        FAIL("a wrong password must not connect");
    } catch (const Error &e) {
        CHECK(contains(e.what(), "password authentication failed"));
        CHECK_FALSE(contains(e.what(), "Wrong-Pass-77"));
    }
    try {
        (void)open_store(keywords + " password=" + quoted + " dbname=does_not_exist");
        FAIL("open_store should fail for a missing database");
    } catch (const Error &e) {
        CHECK_FALSE(contains(e.what(), "Zq9Kx"));
        CHECK(contains(e.what(), "does_not_exist"));
    }
}

TEST_CASE("PostGIS: two teams and a public store in one database stay apart",
          "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto base = bw_test::fresh_database(server, "teams");
    // The public store exists first: a team's init must not find and reuse its tables.
    auto pub = open_store(base, init_options());
    pub->upsert(bw_test::sample_incidents(5, 1));
    auto a = open_store(base + " active_schema=teama", init_options());
    auto b = open_store(base + " active_schema=teamb", init_options());
    auto rows_a = bw_test::sample_incidents(7, 2);
    for (auto &x : rows_a) {
        x.notes = "team A";
    }
    auto rows_b = bw_test::sample_incidents(3, 3);
    for (auto &x : rows_b) {
        x.notes = "team B";
    }
    a->upsert(rows_a);
    b->upsert(rows_b);

    CHECK(open_store(base + " active_schema=teama")->count() == 7);
    CHECK(open_store(base + " active_schema=teamb")->count() == 3);
    CHECK(open_store(base)->count() == 5);
    PgConnection sql(parse_pg_spec(base));
    CHECK(sql.exec("SELECT count(*) FROM teama.incidents").value(0, 0) == "7");
    CHECK(sql.exec("SELECT count(*) FROM teamb.incidents").value(0, 0) == "3");
    CHECK(sql.exec("SELECT count(*) FROM public.incidents").value(0, 0) == "5");
    CHECK(sql.exec("SELECT count(*) FROM public.incidents WHERE notes LIKE 'team%'").value(0, 0) ==
          "0");
    for (const auto &x : bw_test::query_all(*a)) {
        CHECK(x.notes == "team A");
    }
    for (const auto &x : bw_test::query_all(*b)) {
        CHECK(x.notes == "team B");
    }
    CHECK(contains(a->describe(), "active_schema=teama"));
    CHECK(contains(b->describe(), "active_schema=teamb"));
    CHECK(contains(pub->describe(), "active_schema=public")); // the schema actually used

    // Delete in one team touches nothing else.
    CHECK(a->remove({rows_a.front().id, rows_b.front().id}) == 1);
    CHECK(a->count() == 6);
    CHECK(b->count() == 3);
    CHECK(pub->count() == 5);

    // An edit by another program (default search_path) bumps only its own store's state.
    const auto sa = a->state();
    const auto sb = b->state();
    const auto sp = pub->state();
    sql.exec("UPDATE teamb.incidents SET notes = 'edited in QGIS' WHERE id = " +
             sql_literal(rows_b.back().id));
    CHECK(b->state() != sb);
    CHECK(a->state() == sa);
    CHECK(pub->state() == sp);

    // A schema without a store is refused (and named), never redirected to public.
    try {
        (void)open_store(base + " active_schema=teamc");
        FAIL("teamc has no store");
    } catch (const IoError &e) {
        CHECK(contains(e.what(), "teamc"));
        CHECK(contains(e.what(), "store init"));
    }
    CHECK(sql.exec("SELECT to_regnamespace('teamc') IS NULL").value(0, 0) == "t");
}

TEST_CASE("PostGIS: store init repairs the search_path-dependent trigger of older stores",
          "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto base = bw_test::fresh_database(server, "repair");
    auto pub = open_store(base, init_options());
    auto team = open_store(base + " active_schema=teamb", init_options());
    PgConnection sql(parse_pg_spec(base));
    // What migration 1 created before issue 12.
    sql.exec("CREATE OR REPLACE FUNCTION teamb.borderwatch_note_external_change() RETURNS "
             "trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE borderwatch_meta SET value = "
             "(value::bigint + 1)::text WHERE key = 'change_counter'; RETURN NULL; END $$");
    const auto sp = pub->state();
    sql.exec("INSERT INTO teamb.incidents (id, updated_at, content_hash) "
             "VALUES ('x1', now(), 'h')");
    CHECK(pub->state() != sp); // the old bug: public's counter bumped by a teamb edit
    (void)open_store(base + " active_schema=teamb", init_options());
    const auto sp2 = pub->state();
    const auto st = team->state();
    sql.exec("DELETE FROM teamb.incidents WHERE id = 'x1'");
    CHECK(pub->state() == sp2);
    CHECK(team->state() != st);
}

TEST_CASE("PostGIS: rows the server refuses are left out, the rest is stored",
          "[store_postgis_server]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "refused");
    auto store = open_store(spec, init_options());
    PgConnection sql(parse_pg_spec(spec));
    // A rule an administrator added: the server, not borderwatch, refuses such rows.
    sql.exec("ALTER TABLE incidents ADD CONSTRAINT fatalities_plausible "
             "CHECK (fatalities_best IS NULL OR fatalities_best < 500)");
    auto rows = bw_test::sample_incidents(40, 5);
    for (auto &x : rows) {
        x.fatalities_best = 1;
    }
    rows[7].notes = "bad \xff byte";    // invalid UTF-8: refused by COPY (22021)
    rows[13].event_date = "0000-01-01"; // no year zero in PostgreSQL (22008)
    rows[29].fatalities_best = 900;     // the CHECK constraint, at the merge (23514)

    SECTION("upsert with a refused list: only the bad rows are left out") {
        std::vector<RefusedRow> refused;
        UpsertResult result;
        {
            auto writer = store->writer();
            result = writer->upsert(rows, {}, refused);
            writer->commit();
        }
        REQUIRE(refused.size() == 3);
        CHECK(refused[0].index == 7);
        CHECK(refused[1].index == 13);
        CHECK(refused[2].index == 29);
        for (const auto &r : refused) {
            CHECK(contains(r.message, "refused by the PostGIS server"));
        }
        CHECK(contains(refused[0].message, "UTF8"));
        CHECK(contains(refused[1].message, "out of range"));
        CHECK(contains(refused[2].message, "fatalities_plausible"));
        CHECK(result.inserted == 37);
        CHECK(store->count() == 37);
        CHECK(sql.exec("SELECT count(*) FROM incidents WHERE id IN (" + sql_literal(rows[7].id) +
                       ", " + sql_literal(rows[13].id) + ", " + sql_literal(rows[29].id) + ")")
                  .value(0, 0) == "0");
        // Upserting the same rows again: nothing inserted, all good rows unchanged.
        refused.clear();
        UpsertResult second;
        {
            auto again = store->writer();
            second = again->upsert(rows, {}, refused);
            again->commit();
        }
        CHECK(refused.size() == 3);
        CHECK(second.inserted == 0);
        CHECK(second.unchanged == 37);
    }
    SECTION("plain upsert stays all or nothing") {
        CHECK_THROWS_AS(store->upsert(rows), DataError);
        CHECK(store->count() == 0);
    }
}
