// The store contract, run against both backends through the IncidentStore interface:
// the embedded GeoPackage store and the PostGIS store (on the private test cluster).
// A backend-specific difference in behaviour is a bug in that backend.
#include <catch2/catch.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/store/store.hpp>

#include "pg_test_support.hpp"
#include "store_test_data.hpp"

#include "../support/skip.hpp"
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <thread>

using namespace borderwatch;
using bw_test::query_all;
using bw_test::same_content;

namespace {

/// One store under test: its spec and whatever keeps it alive (temporary file).
struct StoreUnderTest {
    std::string backend;
    std::string spec;
    std::unique_ptr<bw_test::TempPath> file;

    [[nodiscard]] std::unique_ptr<IncidentStore> open() const { return open_store(spec); }
};

/// A new, empty, initialised store of @p backend; nullopt when its server is unavailable.
std::optional<StoreUnderTest> make_store(const std::string &backend, const std::string &hint) {
    StoreUnderTest s;
    s.backend = backend;
    if (backend == "gpkg") {
        s.file = std::make_unique<bw_test::TempPath>(".gpkg");
        s.spec = s.file->string();
    } else {
        const auto server = bw_test::pg_server_spec();
        if (!server) {
            return std::nullopt;
        }
        s.spec = bw_test::fresh_database(*server, hint);
    }
    StoreOpenOptions init;
    init.init = true;
    (void)open_store(s.spec, init);
    return s;
}

#define BW_STORE_UNDER_TEST(var, hint)                                                             \
    const std::string backend_name = GENERATE(as<std::string>{}, "gpkg", "postgis");               \
    INFO("backend: " << backend_name);                                                             \
    auto var##_opt = make_store(backend_name, hint);                                               \
    if (!var##_opt) {                                                                              \
        BW_SKIP("postgresql", backend_name << ": no PostgreSQL test server");                      \
    }                                                                                              \
    const StoreUnderTest &var = *var##_opt

Incident full_incident() {
    Incident x;
    x.id = "ACLED-TJK1234";
    x.event_date = "2025-11-26";
    x.event_date_end = "2025-11-27";
    x.date_precision = DatePrecision::range;
    x.event_type = "Explosions/Remote violence";
    x.sub_event_type = "Drone strike";
    x.actor1 = "Unidentified armed group (Afghanistan)";
    x.actor2 = "Civilians (China)";
    x.target = "Chinese workers";
    x.fatalities_best = 3;
    x.fatalities_low = 2;
    x.fatalities_high = 5;
    x.location_text = "Шамсиддин Шохин, \"camp\"\tof\nShohin\\Khatlon, it's \\N here";
    x.country_text = "Tajikistan";
    x.admin1_text = "Khatlon";
    x.admin2_text = "Shamsiddin Shohin";
    x.lon = 70.123456789012345;
    x.lat = 37.1 + 1e-15;
    x.geo_precision = 2;
    x.source_name = "Asia-Plus; RFE/RL";
    x.source_url = "https://example.org/a?b=c&d='e'";
    x.notes = "multi\r\nline; 100% sure; {braces} [brackets] ;";
    x.place_id = "geonames:1221559";
    x.place_name = "Shamsiddin Shohin";
    x.place_matched = "Shamsiddin Shokhin";
    x.place_score = 0.1 + 0.2;
    x.place_lon = 70.123456789012345;
    x.place_lat = 37.1 + 1e-15;
    x.coord_origin = CoordinateOrigin::given;
    x.precision = 2;
    x.side = "TJK";
    x.border_distance_m = 1234.5678901234567;
    x.chainage_km = 456.789;
    x.nearest_lon = 70.2;
    x.nearest_lat = 37.05;
    x.admin1 = "Khatlon";
    x.admin2 = "Shamsiddin Shohin";
    x.band = "1-5";
    x.flags = "location_ambiguous|location_mismatch_25km";
    return x;
}

} // namespace

TEST_CASE("store contract: every field round-trips exactly", "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "roundtrip");
    auto store = sut.open();
    const Incident full = full_incident();
    Incident sparse;
    sparse.id = "sparse";
    sparse.event_date = "2024-01-01";
    const auto r = store->upsert({full, sparse});
    CHECK(r.inserted == 2);
    CHECK(r.updated == 0);
    CHECK(r.unchanged == 0);
    REQUIRE(store->count() == 2);
    const auto back = query_all(*sut.open());
    REQUIRE(back.size() == 2);
    CHECK(back[0].id == "ACLED-TJK1234");
    CHECK(same_content(back[0], full));
    CHECK(back[0].location_text == full.location_text);
    CHECK(back[0].place_score == full.place_score);
    CHECK(back[1].id == "sparse");
    CHECK(same_content(back[1], sparse));
    CHECK_FALSE(back[1].fatalities_best.has_value());
    CHECK_FALSE(back[1].place_lon.has_value());
    for (const auto &x : back) {
        REQUIRE(x.updated_at.size() == 24); // YYYY-MM-DDTHH:MM:SS.000Z
        CHECK(x.updated_at[10] == 'T');
        CHECK(x.updated_at.back() == 'Z');
    }
}

TEST_CASE("store contract: idempotent upsert, update in place, state", "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "upsert");
    auto store = sut.open();
    const auto empty_state = store->state();
    auto rows = bw_test::sample_incidents(300);

    auto r = store->upsert(rows);
    CHECK(r.inserted == 300);
    const auto s1 = store->state();
    CHECK(s1 != empty_state);
    const auto first = query_all(*store);
    REQUIRE(first.size() == 300);

    // Same rows again: nothing changes, not even the state or updated_at.
    r = store->upsert(rows);
    CHECK(r.inserted == 0);
    CHECK(r.updated == 0);
    CHECK(r.unchanged == 300);
    CHECK(store->state() == s1);
    CHECK(sut.open()->state() == s1); // stable across store objects / processes

    // updated_at has second resolution: make sure a change lands in a later second.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    rows[10].fatalities_best = 99;
    rows[20].notes = "corrected";
    r = store->upsert(rows);
    CHECK(r.inserted == 0);
    CHECK(r.updated == 2);
    CHECK(r.unchanged == 298);
    const auto s2 = store->state();
    CHECK(s2 != s1);
    CHECK(store->count() == 300);

    const auto second = query_all(*store);
    REQUIRE(second.size() == 300);
    std::size_t touched = 0;
    for (std::size_t i = 0; i < second.size(); ++i) {
        REQUIRE(second[i].id == first[i].id);
        if (second[i].id == rows[10].id || second[i].id == rows[20].id) {
            CHECK(second[i].updated_at > first[i].updated_at);
            ++touched;
        } else {
            CHECK(second[i].updated_at == first[i].updated_at);
        }
    }
    CHECK(touched == 2);

    // Later duplicates inside one batch win.
    Incident a = rows[0];
    Incident b = rows[0];
    a.notes = "first";
    b.notes = "second";
    r = store->upsert({a, b});
    CHECK(r.inserted == 0);
    CHECK(r.updated >= 1);
    QueryFilter by_id;
    by_id.ids = {rows[0].id};
    const auto got = query_all(*store, by_id);
    REQUIRE(got.size() == 1);
    CHECK(got[0].notes == "second");
}

TEST_CASE("store contract: delete", "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "delete");
    auto store = sut.open();
    const auto rows = bw_test::sample_incidents(50);
    store->upsert(rows);
    const auto s1 = store->state();
    CHECK(store->remove({"no-such-id"}) == 0);
    CHECK(store->state() == s1);
    CHECK(store->remove({rows[3].id, rows[4].id, "no-such-id"}) == 2);
    CHECK(store->count() == 48);
    CHECK(store->state() != s1);
    QueryFilter f;
    f.ids = {rows[3].id};
    CHECK(query_all(*store, f).empty());
}

TEST_CASE("store contract: transactions are all or nothing", "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "tx");
    auto store = sut.open();
    const auto rows = bw_test::sample_incidents(100);
    store->upsert(std::vector<Incident>(rows.begin(), rows.begin() + 10));
    const auto s1 = store->state();

    SECTION("an uncommitted writer leaves nothing behind") {
        {
            auto writer = store->writer();
            writer->upsert(std::vector<Incident>(rows.begin() + 10, rows.end()));
            writer->remove({rows[0].id});
        }
        CHECK(store->count() == 10);
        CHECK(store->state() == s1);
        CHECK(sut.open()->count() == 10);
    }
    SECTION("an exception between batches rolls the whole import back") {
        try {
            auto writer = store->writer();
            writer->upsert(std::vector<Incident>(rows.begin() + 10, rows.begin() + 50));
            writer->upsert(std::vector<Incident>(rows.begin() + 50, rows.end()));
            throw std::runtime_error("interrupted");
        } catch (const std::runtime_error &) {
        }
        CHECK(store->count() == 10);
        CHECK(store->state() == s1);
    }
    SECTION("a committed writer with several batches keeps them all") {
        auto writer = store->writer();
        const auto r1 = writer->upsert(std::vector<Incident>(rows.begin(), rows.begin() + 50));
        const auto r2 = writer->upsert(std::vector<Incident>(rows.begin() + 50, rows.end()));
        CHECK(r1.unchanged == 10);
        CHECK(r1.inserted + r2.inserted == 90);
        writer->commit();
        writer.reset();
        CHECK(store->count() == 100);
        CHECK(sut.open()->count() == 100);
    }
}

TEST_CASE("store contract: every filter returns exactly what matches() selects, by id",
          "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "filters");
    auto store = sut.open();
    const auto rows = bw_test::sample_incidents(800, 11);
    store->upsert(rows);
    std::vector<Incident> sorted = rows;
    std::sort(sorted.begin(), sorted.end(),
              [](const Incident &a, const Incident &b) { return a.id < b.id; });

    std::vector<std::pair<std::string, QueryFilter>> filters;
    filters.emplace_back("none", QueryFilter{});
    auto add = [&filters](const std::string &name, auto &&setup) {
        QueryFilter f;
        setup(f);
        filters.emplace_back(name, f);
    };
    add("within", [](QueryFilter &f) { f.within_km = 5; });
    add("beyond", [](QueryFilter &f) { f.beyond_km = 20; });
    add("within+beyond", [](QueryFilter &f) {
        f.within_km = 50;
        f.beyond_km = 10;
    });
    add("side lower case", [](QueryFilter &f) { f.side = "tjk"; });
    add("admin1", [](QueryFilter &f) { f.admin1 = {"khatlon", "BADAKHSHAN"}; });
    add("admin2", [](QueryFilter &f) { f.admin2 = {"Darvoz"}; });
    add("bbox", [](QueryFilter &f) { f.bbox = std::array<double, 4>{69.0, 37.0, 71.5, 38.0}; });
    add("near", [](QueryFilter &f) {
        f.near_lon = 69.5;
        f.near_lat = 37.5;
        f.near_km = 60;
    });
    add("near nothing", [](QueryFilter &f) {
        f.near_lon = 10;
        f.near_lat = 10;
        f.near_km = 1;
    });
    add("year", [](QueryFilter &f) {
        f.from_date = "2025";
        f.to_date = "2025";
    });
    add("month", [](QueryFilter &f) {
        f.from_date = "2024-02";
        f.to_date = "2024-02";
    });
    add("from", [](QueryFilter &f) { f.from_date = "2025-06-15"; });
    add("to", [](QueryFilter &f) { f.to_date = "2024-03-31"; });
    add("type", [](QueryFilter &f) { f.event_types = {"battles"}; });
    add("sub type", [](QueryFilter &f) { f.event_types = {"Drone strike", "riots"}; });
    add("fatalities", [](QueryFilter &f) { f.min_fatalities = 3; });
    add("precision", [](QueryFilter &f) { f.precision_max = 3; });
    add("ids", [&rows](QueryFilter &f) { f.ids = {rows[5].id, rows[7].id, "missing"}; });
    add("combined", [](QueryFilter &f) {
        f.within_km = 40;
        f.side = "AFG";
        f.from_date = "2024-06";
        f.event_types = {"Explosions/Remote violence"};
        f.precision_max = 5;
        f.bbox = std::array<double, 4>{67.0, 36.0, 75.0, 39.0};
    });

    for (const auto &[name, filter] : filters) {
        INFO("filter: " << name);
        std::vector<std::string> expected;
        for (const auto &x : sorted) {
            if (matches(filter, x)) {
                expected.push_back(x.id);
            }
        }
        std::vector<std::string> got;
        store->query(filter, [&got](const Incident &x) { got.push_back(x.id); });
        CHECK(got == expected);
    }
}

TEST_CASE("store contract: ids are ordered byte-wise", "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "order");
    auto store = sut.open();
    std::vector<Incident> rows;
    for (const char *id :
         {"b", "B", "a", "_x", "Z9", "\xC3\xA9t\xC3\xA9", "a-1", "a1", "10", "9"}) {
        Incident x;
        x.id = id;
        rows.push_back(x);
    }
    store->upsert(rows);
    std::vector<std::string> expected;
    for (const auto &x : rows) {
        expected.push_back(x.id);
    }
    std::sort(expected.begin(), expected.end());
    std::vector<std::string> got;
    for (const auto &x : query_all(*store)) {
        got.push_back(x.id);
    }
    CHECK(got == expected);
}

TEST_CASE("store contract: hostile text is data, never SQL", "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "inject");
    auto store = sut.open();
    Incident x;
    x.id = "x'); DROP TABLE incidents; --";
    x.event_date = "2025-12-24";
    x.location_text = "x'); DROP TABLE incidents; --";
    x.notes = "\"; DELETE FROM incidents; /* */ \\N \\. \\\\";
    x.admin1 = "Robert'); DROP TABLE students;--";
    Incident y;
    y.id = "plain";
    store->upsert({x, y});

    QueryFilter hostile;
    hostile.side = "'; DROP TABLE incidents; --";
    CHECK(query_all(*store, hostile).empty());
    hostile = {};
    hostile.admin1 = {"Robert'); DROP TABLE students;--"};
    hostile.event_types = {"' OR '1'='1"};
    CHECK(query_all(*store, hostile).empty());
    hostile.event_types.clear();
    const auto got = query_all(*store, hostile);
    REQUIRE(got.size() == 1);
    CHECK(got[0].id == x.id);

    CHECK(store->remove({"' OR 1=1 --"}) == 0);
    REQUIRE(store->count() == 2);
    const auto back = query_all(*sut.open());
    REQUIRE(back.size() == 2);
    CHECK(back[1].id == x.id);
    CHECK(back[1].location_text == x.location_text);
    CHECK(back[1].notes == x.notes);
    CHECK(same_content(back[1], x));
}

TEST_CASE("store contract: a throwing sink stops the query, the store stays usable",
          "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "sink");
    auto store = sut.open();
    store->upsert(bw_test::sample_incidents(20));
    int seen = 0;
    CHECK_THROWS_AS(store->query({},
                                 [&seen](const Incident &) {
                                     if (++seen == 3) {
                                         throw std::runtime_error("enough");
                                     }
                                 }),
                    std::runtime_error);
    CHECK(seen == 3);
    CHECK(store->count() == 20);
    CHECK(query_all(*store).size() == 20);
    store->upsert({full_incident()});
    CHECK(store->count() == 21);
}

TEST_CASE("store contract: describe and schema version", "[store_backends]") {
    BW_STORE_UNDER_TEST(sut, "describe");
    auto store = sut.open();
    CHECK(store->schema_version() == k_store_schema_version);
    CHECK_FALSE(store->describe().empty());
    CHECK(store->count() == 0);
}
