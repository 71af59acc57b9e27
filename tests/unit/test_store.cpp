// GeoPackage store: create, idempotent upsert, update in place, delete, rollback, queries.
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/store/store.hpp>

#include <catch2/catch.hpp>

#include "test_helpers.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

fs::path temp_store(const std::string &tag) {
    return test::unique_temp_dir("bw-store-" + tag) / "store.gpkg";
}

Incident make(const std::string &id, double lon, double lat, double dist_m,
              const std::string &side = "TJK") {
    Incident x;
    x.id = id;
    x.event_date = "2025-11-26";
    x.event_date_end = "2025-11-26";
    x.event_type = "Explosions/Remote violence";
    x.sub_event_type = "Drone strike";
    x.fatalities_best = 3;
    x.location_text = "Shamsiddin Shohin district";
    x.place_lon = lon;
    x.place_lat = lat;
    x.coord_origin = CoordinateOrigin::given;
    x.precision = 1;
    x.side = side;
    x.border_distance_m = dist_m;
    x.chainage_km = 700.0;
    x.admin1 = "Khatlon Region";
    x.admin2 = "Shamsiddin Shohin District";
    x.band = "1-5";
    return x;
}

// @p n incidents "<prefix>0", "<prefix>1", ... at random points of the border region.
std::vector<Incident> random_batch(const std::string &prefix, int n, std::mt19937 &rng) {
    std::uniform_real_distribution<double> lon(67.5, 75.0);
    std::uniform_real_distribution<double> lat(36.5, 39.0);
    std::vector<Incident> b;
    for (int i = 0; i < n; ++i) {
        const double x = lon(rng);
        b.push_back(make(prefix + std::to_string(i), x, lat(rng), 1000));
    }
    return b;
}

std::vector<Incident> all(const IncidentStore &s, const QueryFilter &f = {}) {
    std::vector<Incident> out;
    s.query(f, [&](const Incident &x) { out.push_back(x); });
    return out;
}

} // namespace

TEST_CASE("GeoPackage store: idempotent upsert, update in place, delete", "[store]") {
    const auto path = temp_store("basic");
    auto store = open_store(path.string());
    REQUIRE(store->count() == 0);
    REQUIRE(store->schema_version() == k_store_schema_version);
    const auto state0 = store->state();

    std::vector<Incident> batch = {make("b", 70.1, 37.5, 1500), make("a", 69.9, 37.4, 300)};
    auto r = store->upsert(batch);
    CHECK(r.inserted == 2);
    CHECK(r.updated == 0);
    CHECK(store->count() == 2);
    const auto state1 = store->state();
    CHECK(state1 != state0);

    auto rows = all(*store);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].id == "a"); // ordered by id
    CHECK(rows[0].place_lon == Approx(69.9));
    CHECK(rows[0].fatalities_best == 3);
    CHECK(rows[0].coord_origin == CoordinateOrigin::given);
    CHECK_FALSE(rows[0].updated_at.empty());
    CHECK(content_hash(rows[0]) == content_hash(batch[1]));

    // Same content again: nothing changes, not even the state token.
    r = store->upsert(batch);
    CHECK(r.unchanged == 2);
    CHECK(r.inserted + r.updated == 0);
    CHECK(store->state() == state1);

    // Changed content: update in place.
    batch[0].fatalities_best = 7;
    r = store->upsert(batch);
    CHECK(r.updated == 1);
    CHECK(r.unchanged == 1);
    CHECK(store->count() == 2);
    CHECK(store->state() != state1);
    QueryFilter by_id;
    by_id.ids = {"b"};
    rows = all(*store, by_id);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].fatalities_best == 7);

    // Delete.
    CHECK(store->remove({"a", "zzz"}) == 1);
    CHECK(store->count() == 1);

    // Reopen: data persisted; a missing store is refused when creation is not allowed.
    store.reset();
    store = open_store(path.string(), StoreOpenOptions{false, false});
    CHECK(store->count() == 1);
    CHECK_THROWS_AS(
        open_store((path.parent_path() / "missing.gpkg").string(), StoreOpenOptions{false, false}),
        IoError);
    fs::remove_all(path.parent_path());
}

TEST_CASE("GeoPackage store: id lists select exactly, also from inside another query's sink",
          "[store]") {
    const auto path = temp_store("ids");
    auto store = open_store(path.string());
    store->upsert(
        {make("a", 70.1, 37.5, 1500), make("b", 69.9, 37.4, 300), make("c", 70.0, 37.45, 800)});
    QueryFilter outer;
    outer.ids = {"c", "a", "not-there", "a"};
    std::vector<std::string> seen;
    std::vector<std::string> inner_seen;
    store->query(outer, [&](const Incident &x) {
        seen.push_back(x.id);
        QueryFilter inner;
        inner.ids = {"b", x.id};
        store->query(inner, [&](const Incident &y) { inner_seen.push_back(y.id); });
    });
    CHECK(seen == std::vector<std::string>{"a", "c"});
    CHECK(inner_seen == std::vector<std::string>{"a", "b", "b", "c"});
}

TEST_CASE("GeoPackage store: an uncommitted or failing write leaves the store unchanged",
          "[store]") {
    const auto path = temp_store("rollback");
    auto store = open_store(path.string());
    store->upsert({make("a", 70, 37.5, 100)});
    const auto state = store->state();
    {
        auto w = store->writer();
        w->upsert({make("b", 70, 37.6, 200), make("c", 70, 37.7, 300)});
        Incident bad = make("", 70, 37.8, 400); // empty id: the batch fails
        REQUIRE_THROWS(w->upsert({make("d", 70, 37.9, 500), bad}));
        // no commit: destructor rolls back
    }
    CHECK(store->count() == 1);
    CHECK(store->state() == state);
    // The store is writable afterwards and its R-tree triggers are intact.
    store->upsert({make("e", 71, 38, 5)});
    CHECK(store->count() == 2);
    QueryFilter box;
    box.bbox = std::array<double, 4>{70.5, 37.5, 71.5, 38.5};
    CHECK(all(*store, box).size() == 1);
    fs::remove_all(path.parent_path());
}

TEST_CASE("Query filters", "[store]") {
    const auto path = temp_store("filters");
    auto store = open_store(path.string());
    std::vector<Incident> batch;
    auto a = make("a", 69.0, 37.2, 500, "TJK");
    auto b = make("b", 69.5, 37.0, 12000, "AFG");
    b.admin1 = "Kunduz";
    b.admin2 = "Imam Sahib";
    b.event_date = b.event_date_end = "2025-12-24";
    b.event_type = "Battles";
    b.sub_event_type = "Armed clash";
    b.fatalities_best = 0;
    b.precision = 3;
    auto c = make("c", 71.5, 38.4, 60000, "TJK");
    c.admin2 = "Darvoz District";
    c.admin1 = "Gorno-Badakhshan Autonomous Region";
    c.event_date = "2025-11-30";
    c.event_date_end = "2025-12-02";
    c.fatalities_best.reset();
    c.precision = 4;
    store->upsert({a, b, c});

    auto ids = [&](const QueryFilter &f) {
        std::string out;
        for (const auto &x : all(*store, f)) {
            out += x.id;
        }
        return out;
    };
    QueryFilter f;
    CHECK(ids(f) == "abc");
    f = {};
    f.within_km = 10;
    CHECK(ids(f) == "a");
    f = {};
    f.beyond_km = 10;
    CHECK(ids(f) == "bc");
    f = {};
    f.side = "afg";
    CHECK(ids(f) == "b");
    f = {};
    f.admin1 = {"khatlon region"};
    CHECK(ids(f) == "a");
    f = {};
    f.admin2 = {"Darvoz District", "Imam Sahib"};
    CHECK(ids(f) == "bc");
    f = {};
    f.bbox = std::array<double, 4>{68.9, 37.1, 69.1, 37.3};
    CHECK(ids(f) == "a");
    f = {};
    f.near_lon = 69.0;
    f.near_lat = 37.0;
    f.near_km = 50; // a: 22 km, b: 44 km, c: far
    CHECK(ids(f) == "ab");
    f.near_km = 30;
    CHECK(ids(f) == "a");
    f = {};
    f.from_date = "2025-12-01"; // c's range 30 Nov - 2 Dec overlaps
    CHECK(ids(f) == "bc");
    f.to_date = "2025-12-23";
    CHECK(ids(f) == "c");
    f = {};
    f.to_date = "2025-11";
    CHECK(ids(f) == "ac");
    f = {};
    f.event_types = {"battles"};
    CHECK(ids(f) == "b");
    f.event_types = {"Drone strike"}; // sub-event type matches too
    CHECK(ids(f) == "ac");
    f = {};
    f.min_fatalities = 1;
    CHECK(ids(f) == "a");
    f = {};
    f.precision_max = 3;
    CHECK(ids(f) == "ab");
    f = {};
    f.side = "TJK";
    f.precision_max = 3;
    CHECK(ids(f) == "a");
    fs::remove_all(path.parent_path());
}

TEST_CASE("Store helpers: specs, masking, hashing", "[store]") {
    CHECK(is_postgis_spec("PG:dbname=x"));
    CHECK(is_postgis_spec("postgresql://u@h/db"));
    CHECK_FALSE(is_postgis_spec("x.gpkg"));
    // Shown as libpq parses the spec (tests/unit/test_store_postgis.cpp has every form).
    CHECK(mask_store_spec("PG:dbname=x password=secret host=h") ==
          "PG:dbname=x host=h password=***");
    CHECK(mask_store_spec("postgresql://user:secret@host/db") ==
          "PG:dbname=db host=host user=user password=***");
    CHECK(mask_store_spec("postgresql://host/db?password=abc&sslmode=require") ==
          "PG:dbname=db host=host password=*** sslmode=require");
    // A parameter libpq does not know: it would not connect, and nothing of it is shown.
    CHECK(mask_store_spec("postgresql://host/db?password=abc&x=1") ==
          "PG:(spec not shown: it does not parse)");
    Incident x = make("a", 70, 37, 1);
    const auto h = content_hash(x);
    CHECK(h == "fe67080a6bb21eba"); // stored in every store: must never change
    x.updated_at = "2030-01-01T00:00:00Z";
    CHECK(content_hash(x) == h);
    x.notes = "changed";
    CHECK(content_hash(x) != h);
    Incident y = make("a", 70, 37, 1);
    y.fatalities_low = 0;
    CHECK(content_hash(y) != h);
    CHECK_THROWS_AS(open_store("PG:dbname=none"), Error);
}

TEST_CASE("Incident field schema round-trips through get_field/set_field", "[incidents]") {
    Incident x = make("z", 70.25, 37.5, 1234.5);
    x.date_precision = DatePrecision::month;
    x.flags = "location_mismatch_25km";
    Incident y;
    for (std::size_t i = 0; i < incident_fields().size(); ++i) {
        set_field(y, i, get_field(x, i));
    }
    CHECK(content_hash(x) == content_hash(y));
    CHECK(incident_fields().front().name == "id");
    CHECK(incident_fields().back().name == "updated_at");
    CHECK(incident_field_index("border_distance_m").has_value());
    std::string flags;
    add_flag(flags, "b");
    add_flag(flags, "a");
    add_flag(flags, "b");
    CHECK(flags == "a|b");
    CHECK(has_flag(flags, "b"));
    CHECK_FALSE(has_flag(flags, "c"));
}

#include <gdal.h>
#include <ogr_api.h>

TEST_CASE("GeoPackage store is readable by GDAL (as QGIS reads it)", "[store]") {
    const auto path = temp_store("gdal");
    {
        auto store = open_store(path.string());
        store->upsert({make("a", 69.5, 37.2, 500), make("b", 71.0, 38.0, 9000)});
        Incident unplaced;
        unplaced.id = "c";
        store->upsert({unplaced});
        store->remove({"b"});
    }
    GDALAllRegister();
    const char *drivers[] = {"GPKG", nullptr};
    GDALDatasetH ds =
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr);
    REQUIRE(ds != nullptr);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "incidents");
    REQUIRE(layer != nullptr);
    CHECK(OGR_L_GetFeatureCount(layer, TRUE) == 2);
    CHECK(OGR_L_GetFeatureCount(layer, FALSE) == 2);
    OGREnvelope env;
    REQUIRE(OGR_L_GetExtent(layer, &env, FALSE) == OGRERR_NONE);
    CHECK(env.MinX == Approx(69.5));
    CHECK(env.MaxY == Approx(37.2));
    OGR_L_SetSpatialFilterRect(layer, 69.4, 37.1, 69.6, 37.3); // uses the R-tree
    OGRFeatureH f = OGR_L_GetNextFeature(layer);
    REQUIRE(f != nullptr);
    CHECK(std::string(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "id"))) == "a");
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    REQUIRE(g != nullptr);
    CHECK(OGR_G_GetX(g, 0) == 69.5);
    CHECK(OGR_G_GetY(g, 0) == 37.2);
    OGR_F_Destroy(f);
    CHECK(OGR_L_GetNextFeature(layer) == nullptr);
    GDALClose(ds);
    fs::remove_all(path.parent_path());
}

#include <sqlite3.h>

namespace {

// Run @p sql on the store file (read-only) and hand its first row to @p read.
template <typename F> void first_row(const fs::path &path, const char *sql, F &&read) {
    sqlite3 *db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    read(st);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

// The integer result of one SQL query on the store file.
std::int64_t scalar(const fs::path &path, const char *sql) {
    std::int64_t v = 0;
    first_row(path, sql, [&](sqlite3_stmt *st) { v = sqlite3_column_int64(st, 0); });
    return v;
}

// rtreecheck() result and entry count of a store's R-tree; checks that every entry boxes
// its own row's point (so the bulk load gave each entry the right fid).
std::pair<std::string, int> rtree_status(const fs::path &path) {
    std::pair<std::string, int> out;
    first_row(path,
              "SELECT rtreecheck('rtree_incidents_geom'), (SELECT count(*) FROM "
              "rtree_incidents_geom), (SELECT count(*) FROM rtree_incidents_geom r JOIN "
              "incidents i ON i.fid = r.id WHERE r.minx <= i.place_lon AND r.maxx >= "
              "i.place_lon AND r.miny <= i.place_lat AND r.maxy >= i.place_lat)",
              [&](sqlite3_stmt *st) {
                  out = {reinterpret_cast<const char *>(sqlite3_column_text(st, 0)),
                         sqlite3_column_int(st, 1)};
                  CHECK(sqlite3_column_int(st, 2) == out.second);
              });
    return out;
}

} // namespace

TEST_CASE("GeoPackage store: bulk-packed R-tree is valid and answers like a scan", "[store]") {
    const auto path = temp_store("rtree");
    auto store = open_store(path.string());
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> lon(67.5, 75.0);
    std::uniform_real_distribution<double> lat(36.5, 39.0);
    store->upsert(random_batch("r", 12000, rng)); // >= 10,000 new rows: packed in bulk
    store->upsert(random_batch("s", 300, rng));   // small: incremental entries
    std::vector<std::string> gone;
    for (int i = 0; i < 500; ++i) {
        gone.push_back("r" + std::to_string(i * 7));
    }
    CHECK(store->remove(gone) == 500);
    store.reset();

    CHECK(rtree_status(path) == std::pair<std::string, int>{"ok", 12000 + 300 - 500});

    // Spatial filters through GDAL (R-tree) agree with the store's own bbox filter (scan).
    store = open_store(path.string());
    GDALAllRegister();
    GDALDatasetH ds =
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    REQUIRE(ds != nullptr);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "incidents");
    for (int k = 0; k < 5; ++k) {
        const double w = lon(rng);
        const double s = lat(rng);
        QueryFilter f;
        f.bbox = std::array<double, 4>{w, s, w + 1.0, s + 0.5};
        const auto expected = all(*store, f).size();
        OGR_L_SetSpatialFilterRect(layer, w, s, w + 1.0, s + 0.5);
        CHECK(static_cast<std::size_t>(OGR_L_GetFeatureCount(layer, TRUE)) == expected);
    }
    GDALClose(ds);
    store.reset();
    fs::remove_all(path.parent_path());
}

#include "core/spool_sort.hpp"

TEST_CASE("SpoolSorter: sorted runs on disk merge into one order", "[store]") {
    struct Less {
        bool operator()(std::uint64_t a, std::uint64_t b) const noexcept { return a < b; }
    };
    for (const std::size_t n : {0UL, 5UL, 1024UL, 5000UL, 20000UL}) {
        borderwatch::detail::SpoolSorter<std::uint64_t, Less> sorter(1024); // many runs
        std::mt19937_64 rng(n);
        std::vector<std::uint64_t> expected;
        for (std::size_t i = 0; i < n; ++i) {
            const auto v = rng() % 1000;
            expected.push_back(v);
            sorter.add(v);
        }
        CHECK(sorter.size() == n);
        std::sort(expected.begin(), expected.end());
        std::vector<std::uint64_t> got;
        sorter.merge([&](std::uint64_t v) { got.push_back(v); });
        CHECK(got == expected);
        CHECK(sorter.size() == 0);
    }
}

TEST_CASE("GeoPackage store: bulk R-tree after appends, updates and deletes in one session",
          "[store]") {
    const auto path = temp_store("rtree2");
    auto store = open_store(path.string());
    std::mt19937 rng(11);
    auto batch_of = [&](const std::string &prefix, int n) { return random_batch(prefix, n, rng); };
    store->upsert(batch_of("a", 11000)); // bulk into an empty store
    CHECK(rtree_status(path) == std::pair<std::string, int>{"ok", 11000});

    SECTION("bulk append to a non-empty store keeps the old entries") {
        store->upsert(batch_of("b", 12000));
        CHECK(rtree_status(path) == std::pair<std::string, int>{"ok", 23000});
    }
    SECTION("a row inserted and moved in the same session") {
        auto w = store->writer();
        auto b = batch_of("c", 12000);
        w->upsert(b);
        b.resize(10);
        for (auto &x : b) {
            x.place_lon = *x.place_lon + 0.5;
        }
        w->upsert(b); // updates rows of this session: the table is scanned at commit
        w->commit();
        CHECK(rtree_status(path) == std::pair<std::string, int>{"ok", 23000});
    }
    SECTION("rows inserted and deleted in the same session") {
        auto w = store->writer();
        w->upsert(batch_of("d", 12000));
        CHECK(w->remove({"d1", "d2", "a3"}) == 3);
        w->commit();
        CHECK(rtree_status(path) == std::pair<std::string, int>{"ok", 22997});
    }
    store.reset();
    fs::remove_all(path.parent_path());
}

namespace {

// (id, content hash) of every row, in id order.
std::vector<std::pair<std::string, std::string>> contents(const IncidentStore &s) {
    std::vector<std::pair<std::string, std::string>> out;
    s.query({}, [&](const Incident &x) { out.emplace_back(x.id, content_hash(x)); });
    return out;
}

} // namespace

TEST_CASE("GeoPackage store: multi-row inserts behave exactly like row-by-row upserts", "[store]") {
    // Batches of new rows are written many rows per INSERT; rows whose id exists (in the
    // store or earlier in the same statement) fall back to the lookup path. The outcome must
    // be the one of upserting the rows one at a time.
    std::vector<Incident> first;
    for (int i = 0; i < 50; ++i) {
        first.push_back(make("k" + std::to_string(i), 68 + i * 0.1, 37.2, 100.0 * i));
    }
    std::vector<Incident> second;
    for (int i = 0; i < 60; ++i) {
        second.push_back(make("n" + std::to_string(i), 70 + i * 0.05, 37.9, 10.0 * i));
        if (i == 4) {
            second.push_back(first[5]); // known, changed: updated
            second.back().fatalities_best = 9;
        }
        if (i == 8) {
            second.push_back(first[6]); // known, same: unchanged
        }
        if (i == 12) {
            second.push_back(make("n3", 71, 38, 5)); // repeats a row of this batch: updated
        }
    }
    REQUIRE(second.size() == 63);

    const auto bulk_path = temp_store("multirow");
    const auto single_path = temp_store("singlerow");
    auto bulk = open_store(bulk_path.string());
    auto single = open_store(single_path.string());
    UpsertResult bulk_result;
    UpsertResult single_result;
    for (const auto *batch : {&first, &second}) {
        bulk_result = bulk->upsert(*batch);
        single_result = UpsertResult{};
        auto w = single->writer();
        for (const auto &x : *batch) {
            single_result += w->upsert({x});
        }
        w->commit();
    }
    CHECK(bulk_result.inserted == 60);
    CHECK(bulk_result.updated == 2);
    CHECK(bulk_result.unchanged == 1);
    CHECK(single_result.inserted == bulk_result.inserted);
    CHECK(single_result.updated == bulk_result.updated);
    CHECK(single_result.unchanged == bulk_result.unchanged);
    CHECK(contents(*bulk) == contents(*single));
    QueryFilter n3;
    n3.ids = {"n3"};
    const auto rows = all(*bulk, n3);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].place_lon == Approx(71));
    CHECK(rtree_status(bulk_path) == std::pair<std::string, int>{"ok", 110});

    // AUTOINCREMENT semantics: the fid of a deleted last row is never given out again,
    // neither by a multi-row INSERT nor by a single one.
    const auto top = scalar(bulk_path, "SELECT max(fid) FROM incidents");
    std::string last_id;
    first_row(bulk_path, "SELECT id FROM incidents ORDER BY fid DESC LIMIT 1",
              [&](sqlite3_stmt *st) {
                  last_id = reinterpret_cast<const char *>(sqlite3_column_text(st, 0));
              });
    CHECK(bulk->remove({last_id}) == 1);
    std::vector<Incident> third;
    for (int i = 0; i < 33; ++i) {
        third.push_back(make("m" + std::to_string(i), 72, 37 + i * 0.01, 1));
    }
    CHECK(bulk->upsert(third).inserted == 33);
    CHECK(bulk->count() == 110 - 1 + 33);
    CHECK(scalar(bulk_path, "SELECT max(fid) FROM incidents") == top + 33);
    CHECK(rtree_status(bulk_path) == std::pair<std::string, int>{"ok", 142});
    bulk.reset();
    single.reset();
    fs::remove_all(bulk_path.parent_path());
    fs::remove_all(single_path.parent_path());
}

TEST_CASE("reset_incident gives a default Incident", "[incidents]") {
    Incident x = make("full", 70.25, 37.5, 1234.5);
    // Every field non-NULL (text fields as their own name).
    for (std::size_t i = 0; i < incident_fields().size(); ++i) {
        const auto &f = incident_fields()[i];
        if (f.name == "date_precision") {
            set_field(x, i, FieldValue{std::string("month")});
        } else if (f.name == "coord_origin") {
            set_field(x, i, FieldValue{std::string("gazetteer")});
        } else if (is_text_type(f.type)) {
            set_field(x, i, FieldValue{std::string(f.name) + " with a long value beyond SSO"});
        } else {
            set_field(x, i, FieldValue{std::int64_t{2}});
        }
    }
    const Incident fresh;
    for (std::size_t i = 0; i < incident_fields().size(); ++i) {
        REQUIRE(field_text(get_field(x, i)) != field_text(get_field(fresh, i)));
    }
    reset_incident(x);
    for (std::size_t i = 0; i < incident_fields().size(); ++i) {
        INFO(incident_fields()[i].name);
        CHECK(field_text(get_field(x, i)) == field_text(get_field(fresh, i)));
        CHECK(get_field(x, i).index() == get_field(fresh, i).index());
    }
    CHECK(content_hash(x) == content_hash(fresh));
}

TEST_CASE("GeoPackage store: bulk imports give every R-tree entry its row's fid", "[store]") {
    // Multi-row INSERTs let SQLite assign the fids; the R-tree entries collected for the bulk
    // load must carry exactly those, also after conflicts inside a statement and after the
    // last row was deleted (AUTOINCREMENT then continues above it).
    const auto path = temp_store("fids");
    auto store = open_store(path.string());
    std::mt19937 rng(5);
    const auto batch = random_batch("p", 12000, rng);
    CHECK(store->upsert(batch).inserted == 12000);
    CHECK(rtree_status(path) == std::pair<std::string, int>{"ok", 12000});
    CHECK(store->remove({"p11999"}) == 1);

    std::vector<Incident> second;
    for (auto &x : random_batch("q", 13000, rng)) {
        second.push_back(std::move(x));
        const auto i = second.size();
        if (i % 1000 == 17 && i < 12000) { // a known id inside a chunk: moved, so updated
            second.push_back(batch[i]);
            second.back().place_lon = *second.back().place_lon + 0.25;
        }
    }
    const auto r = store->upsert(second);
    CHECK(r.inserted == 13000);
    CHECK(r.updated == 12);
    CHECK(rtree_status(path) == std::pair<std::string, int>{"ok", 24999});
    // The deleted last fid (12000) is not given out again; rows skipped by a statement may
    // leave gaps (as with SQLite's own AUTOINCREMENT), never reuse.
    CHECK(scalar(path, "SELECT min(fid) FROM incidents WHERE id LIKE 'q%'") == 12001);
    CHECK(scalar(path, "SELECT count(DISTINCT fid) FROM incidents") == 24999);
    store.reset();
    fs::remove_all(path.parent_path());
}

TEST_CASE("Store text that is not valid UTF-8/XML leaves query() valid, counted once",
          "[store][issue12]") {
    // Another tool (QGIS, SQL) may write anything into a text column; the store hands out
    // only valid text (sanitize_text) and counts what it replaced.
    const auto path = temp_store("badtext");
    auto store = open_store(path.string());
    auto a = make("BW-1", 69.1, 37.2, 1000);
    a.notes = std::string("A\xFF"
                          "B",
                          3);
    a.actor1 = std::string("x\0y", 3);
    auto b = make("BW-2", 69.2, 37.3, 2000);
    b.target = "ok\x01";
    auto c = make("BW-3", 69.3, 37.4, 3000); // clean
    store->upsert({a, b, c});

    const auto rows = all(*store);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].notes == "A\xEF\xBF\xBD"
                           "B");
    CHECK(rows[0].actor1 == "xy");
    CHECK(rows[1].target == "ok");
    CHECK(rows[2].notes == c.notes);
    for (const auto &x : rows) {
        for (std::size_t i = 0; i < incident_fields().size(); ++i) {
            const auto v = get_field(x, i);
            if (const auto *t = std::get_if<std::string>(&v)) {
                CHECK_FALSE(find_text_issue(*t));
            }
        }
    }
    const auto &repairs = store->text_repairs();
    CHECK(repairs.count == 3);
    REQUIRE(repairs.first.size() == 3);
    CHECK(repairs.first[0].id == "BW-1");
    CHECK(repairs.first[1].id == "BW-1");
    CHECK(repairs.first[2].id == "BW-2");
    CHECK(repairs.first[2].field == "target");
    CHECK(repairs.warning().rfind("3 text values in the store were not valid UTF-8/XML text and "
                                  "were replaced (first: id BW-1 field '",
                                  0) == 0);

    // Raw access (delete feeds ids back to the store) sees the stored bytes, and counts nothing.
    std::vector<Incident> raw;
    store->query(
        {}, [&](const Incident &x) { raw.push_back(x); }, StoredText::raw);
    REQUIRE(raw.size() == 3);
    CHECK(raw[0].notes == a.notes);
    CHECK(store->text_repairs().count == 3);

    // A bad id is replaced too (the warning names the repaired id).
    auto d = make(std::string("BW-\xC3", 4), 69.4, 37.5, 4000);
    store->upsert({d});
    auto fresh = open_store(path.string());
    QueryFilter only_d;
    only_d.ids = {d.id};
    const auto got = all(*fresh, only_d);
    REQUIRE(got.size() == 1);
    CHECK(got[0].id == "BW-\xEF\xBF\xBD");
    CHECK(fresh->text_repairs().count == 1);
    CHECK(fresh->text_repairs().warning() ==
          "1 text value in the store was not valid UTF-8/XML text and was replaced (first: id "
          "BW-\xEF\xBF\xBD field 'id')");
    fs::remove_all(path.parent_path());
}

TEST_CASE("A directory or a missing parent as the store is a plain IoError", "[store][issue12]") {
    const auto dir = test::unique_temp_dir("bw-store-dir");
    CHECK_THROWS_AS(open_store(dir.string()), IoError);
    try {
        (void)open_store((dir / "missing" / "x.gpkg").string());
        FAIL("no error");
    } catch (const IoError &e) {
        CHECK(std::string(e.what()).find("does not exist") != std::string::npos);
    }
    fs::remove_all(dir);
}
