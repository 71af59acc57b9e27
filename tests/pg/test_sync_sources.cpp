// Issue 14, "sources as analysts sync them", on both backends (GeoPackage and PostGIS):
//  - the store contract for the source columns: every one round-trips exactly, and the
//    revision rule (an older row never overwrites a newer one; unknown: the later wins);
//  - a week-by-week ACLED + UCDP sync through the real binary (new, revised, deleted and
//    re-delivered older rows) ends in exactly the expected store;
//  - every source column survives import -> store -> export (CSV) -> import.
#include <catch2/catch.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/store/store.hpp>

#include "cli/cli_helpers.hpp"
#include "pg_test_support.hpp"
#include "store_test_data.hpp"

#include "../support/skip.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace borderwatch;
using borderwatch::test::run_cli;
using borderwatch::test::TempDir;

namespace {

namespace fs = std::filesystem;

/// A new, empty, initialised store of @p backend (kept alive by @p keep for GeoPackage);
/// nullopt when PostgreSQL is not installed (then the test skips).
std::optional<std::string> new_store(const std::string &backend, const std::string &hint,
                                     std::unique_ptr<bw_test::TempPath> &keep) {
    std::string spec;
    if (backend == "gpkg") {
        keep = std::make_unique<bw_test::TempPath>(".gpkg");
        spec = keep->string();
    } else {
        const auto server = bw_test::pg_server();
        if (!server.spec) {
            return std::nullopt;
        }
        spec = bw_test::fresh_database(*server.spec, hint);
    }
    StoreOpenOptions init;
    init.init = true;
    (void)open_store(spec, init);
    return spec;
}

#define BW_SYNC_STORE(spec, keep, hint)                                                            \
    const std::string backend_name = GENERATE(as<std::string>{}, "gpkg", "postgis");               \
    INFO("backend: " << backend_name);                                                             \
    std::unique_ptr<bw_test::TempPath> keep;                                                       \
    const auto spec##_opt = new_store(backend_name, hint, keep);                                   \
    if (!spec##_opt) {                                                                             \
        const auto why = bw_test::pg_server().unavailable;                                         \
        if (why.empty()) {                                                                         \
            FAIL("no PostgreSQL test server: run through ctest (fixture pg_cluster_start)");       \
        }                                                                                          \
        BW_SKIP("postgresql", backend_name << ": " << why);                                        \
    }                                                                                              \
    const std::string &spec = *spec##_opt

/// An incident with every source column set to a value of its own.
Incident with_source_columns(const std::string &id) {
    Incident x;
    x.id = id;
    x.event_date = "2025-11-26";
    x.event_date_end = "2025-11-26";
    const auto &fields = incident_fields();
    const std::size_t flags = *incident_field_index("flags");
    for (std::size_t i = flags + 1; i < fields.size(); ++i) {
        const auto &f = fields[i]; // the fields after "flags": the source columns
        if (f.name == "updated_at") {
            continue;
        }
        if (is_text_type(f.type)) {
            set_field(x, i, FieldValue{std::string(f.name) + " \"ü\"\tvalue, " + id});
        } else {
            set_field(x, i, FieldValue{static_cast<std::int64_t>(1000000007LL * (i + 1))});
        }
    }
    return x;
}

/// query --format csv of @p spec: every row as column -> value, by id.
std::map<std::string, std::map<std::string, std::string>> query_csv(const std::string &spec) {
    const auto r = run_cli({"query", "--store", spec, "--format", "csv", "--csv-raw-formulas"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    std::istringstream in(r.stdout_text);
    CsvReader csv(in, "query");
    const auto header = csv.next();
    REQUIRE(header);
    std::map<std::string, std::map<std::string, std::string>> out;
    while (auto rec = csv.next()) {
        REQUIRE(rec->fields.size() == header->fields.size());
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < rec->fields.size(); ++i) {
            row[header->fields[i]] = rec->fields[i];
        }
        out[row["id"]] = row;
    }
    return out;
}

const char *const k_acled_header =
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp\n";

/// One ACLED row (current layout) at Panj.
std::string acled_row(const std::string &id, int fatalities, const std::string &notes,
                      const std::string &tags, long timestamp) {
    return id +
           ",2025-11-20,2025,1,Political violence,Battles,Armed clash,Military Forces of "
           "Tajikistan (1994-),Border Guards,State forces,Unidentified Armed Group "
           "(Afghanistan),,Rebel group,State forces-Rebel group,,762,Caucasus and Central Asia,"
           "Tajikistan,Khatlon,Panj,Panj jamoat,Panj,37.2363,69.0991,1,Asia-Plus,National,\"" +
           notes + "\"," + std::to_string(fatalities) + "," + tags + "," +
           std::to_string(timestamp) + "\n";
}

/// The first row of the bundled UCDP GED sample as id 900001 with @p best deaths.
std::string ucdp_file(int best) {
    std::ifstream in(std::string(BORDERWATCH_TEST_DATA) + "/incidents/ucdp_ged.csv");
    CsvReader csv(in, "ucdp_ged.csv");
    const auto header = csv.next();
    auto row = csv.next();
    REQUIRE(header);
    REQUIRE(row);
    for (std::size_t i = 0; i < header->fields.size(); ++i) {
        const auto &name = header->fields[i];
        if (name == "id") {
            row->fields[i] = "900001";
        } else if (name == "best" || name == "high" || name == "deaths_b") {
            row->fields[i] = std::to_string(best);
        } else if (name == "low") {
            row->fields[i] = "0";
        }
    }
    std::ostringstream out;
    write_csv_record(out, header->fields, ',', CsvFormulas::raw);
    write_csv_record(out, row->fields, ',', CsvFormulas::raw);
    return out.str();
}

void write_file(const fs::path &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

} // namespace

TEST_CASE("store contract: the source columns round-trip exactly", "[store_backends][sources]") {
    BW_SYNC_STORE(spec, keep, "srccols");
    auto store = open_store(spec);
    const Incident full = with_source_columns("SRC-1");
    Incident sparse;
    sparse.id = "SRC-2";
    sparse.event_date = "2024-01-01";
    const auto r = store->upsert({full, sparse});
    CHECK(r.inserted == 2);
    const auto back = bw_test::query_all(*open_store(spec));
    REQUIRE(back.size() == 2);
    const auto &fields = incident_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == "updated_at") {
            continue;
        }
        INFO(fields[i].name);
        CHECK(get_field(back[0], i) == get_field(full, i));
        CHECK(get_field(back[1], i) == get_field(sparse, i));
    }
}

TEST_CASE("store contract: an older revision never overwrites a newer one",
          "[store_backends][sources]") {
    BW_SYNC_STORE(spec, keep, "revisions");
    auto store = open_store(spec);
    Incident x;
    x.id = "REV-1";
    x.event_date = "2025-01-01";
    x.notes = "revision 20";
    x.source_revision = 20;
    Incident unknown = x;
    unknown.id = "REV-2";
    unknown.source_revision.reset();
    CHECK(store->upsert({x, unknown}).inserted == 2);

    Incident older = x;
    older.notes = "revision 10";
    older.source_revision = 10;
    Incident newer_unknown = unknown;
    newer_unknown.notes = "no revision, later";
    auto r = store->upsert({older, newer_unknown});
    CHECK(r.older == 1);
    CHECK(r.updated == 1);
    CHECK(r.inserted == 0);
    CHECK(r.unchanged == 0);

    Incident newer = x;
    newer.notes = "revision 30";
    newer.source_revision = 30;
    Incident known_now = newer_unknown;
    known_now.notes = "revision 5 over an unknown one";
    known_now.source_revision = 5;
    r = store->upsert({newer, known_now});
    CHECK(r.updated == 2);
    CHECK(r.older == 0);

    Incident stale = newer;
    stale.source_revision.reset(); // unknown: the later import wins
    stale.notes = "unknown over 30";
    r = store->upsert({stale});
    CHECK(r.updated == 1);

    const auto back = bw_test::query_all(*open_store(spec));
    REQUIRE(back.size() == 2);
    CHECK(back[0].notes == "unknown over 30");
    CHECK_FALSE(back[0].source_revision);
    CHECK(back[1].notes == "revision 5 over an unknown one");
    CHECK(back[1].source_revision == 5);
}

TEST_CASE("store contract: an id repeated in one batch folds by the revision rule",
          "[store_backends][sources]") {
    // Both backends keep the same row: a later duplicate wins unless it is older.
    BW_SYNC_STORE(spec, keep, "batchdup");
    auto store = open_store(spec);
    Incident newer;
    newer.id = "DUP-1";
    newer.event_date = "2025-01-01";
    newer.notes = "revision 20";
    newer.source_revision = 20;
    Incident older = newer;
    older.notes = "revision 10, later in the batch";
    older.source_revision = 10;
    Incident plain;
    plain.id = "DUP-2";
    plain.event_date = "2025-01-02";
    plain.notes = "first";
    Incident plain_later = plain;
    plain_later.notes = "second, no revision";
    // Every row is counted once, as if the rows came one by one: the same on both backends.
    auto r = store->upsert({newer, plain, older, plain_later});
    CHECK(r.inserted == 2);
    CHECK(r.older == 1);
    CHECK(r.updated == 1); // plain_later over plain
    CHECK(r.unchanged == 0);

    // Again, over the stored rows: the newer row is unchanged, its older twin still older.
    r = store->upsert({newer, older});
    CHECK(r.unchanged == 1);
    CHECK(r.older == 1);
    CHECK(r.updated == 0);

    // The stored row first (unchanged), then a change and its repetition (updated, unchanged).
    Incident changed = plain_later;
    changed.notes = "third";
    r = store->upsert({plain_later, changed, changed});
    CHECK(r.unchanged == 2);
    CHECK(r.updated == 1);
    CHECK(r.inserted == 0);
    CHECK(r.older == 0);
    r = store->upsert({plain_later, changed}); // back and forth: two updates
    CHECK(r.updated == 2);
    CHECK(r.unchanged == 0);

    const auto back = bw_test::query_all(*open_store(spec));
    REQUIRE(back.size() == 2);
    CHECK(back[0].notes == "revision 20");
    CHECK(back[0].source_revision == 20);
    CHECK(back[1].notes == "third");
}

TEST_CASE("store contract: a remembered source deletion keeps older versions out",
          "[store_backends][sources]") {
    BW_SYNC_STORE(spec, keep, "tombstones");
    auto store = open_store(spec);
    Incident x;
    x.id = "DEL-1";
    x.event_date = "2025-01-01";
    x.notes = "revision 100";
    x.source_revision = 100;
    Incident other = x;
    other.id = "DEL-2";
    CHECK(store->upsert({x, other}).inserted == 2);

    // The source deletes DEL-1 at 200, and DEL-9 (never stored) at 50 then 300: the larger kept.
    {
        auto w = store->writer();
        CHECK(w->remove({"DEL-1"}) == 1);
        w->remember_deletions({{"DEL-1", 200}, {"DEL-9", 50}, {"DEL-9", 300}, {"DEL-7", {}}});
        w->commit();
    }
    CHECK(store->remembered_deletions() == 2); // an id without revision is not remembered

    // The old file again, and a version of DEL-9 at the deletion's own revision: kept out.
    Incident nine = x;
    nine.id = "DEL-9";
    nine.source_revision = 300;
    auto r = store->upsert({x, other, nine});
    CHECK(r.deleted_earlier == 2);
    CHECK(r.unchanged == 1);
    CHECK(r.inserted == 0);

    // In one batch: the old version is kept out, the revision after the deletion is stored
    // and the deletion forgotten; then the old version is merely older.
    Incident revived = x;
    revived.notes = "revision 250, after the deletion";
    revived.source_revision = 250;
    r = store->upsert({x, revived, x});
    CHECK(r.deleted_earlier == 1);
    CHECK(r.inserted == 1);
    CHECK(r.older == 1);
    CHECK(store->remembered_deletions() == 1);

    // A row without revision is the later import: stored, the deletion forgotten.
    Incident manual = nine;
    manual.source_revision.reset();
    manual.notes = "entered by hand";
    r = store->upsert({manual});
    CHECK(r.inserted == 1);
    CHECK(store->remembered_deletions() == 0);

    const auto back = bw_test::query_all(*open_store(spec));
    REQUIRE(back.size() == 3);
    CHECK(back[0].notes == "revision 250, after the deletion");
    CHECK(back[1].id == "DEL-2");
    CHECK(back[2].notes == "entered by hand");
}

TEST_CASE("Week-by-week sync of ACLED and UCDP ends in exactly the expected store",
          "[store_backends][sources][cli]") {
    BW_SYNC_STORE(spec, keep, "sync");
    TempDir dir("bw-sync");
    const auto &d = dir.path();
    auto import = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "import");
        args.emplace_back("--store");
        args.push_back(spec);
        const auto r = run_cli(args);
        INFO(r.stdout_text << r.stderr_text);
        CHECK(r.exit_code == 0);
        CHECK(r.stderr_text.empty());
        return r.stdout_text;
    };

    // Week 1: three new ACLED events.
    write_file(d / "week1.csv", std::string(k_acled_header) +
                                    acled_row("SY1", 1, "first report", "", 1000) +
                                    acled_row("SY2", 0, "to be deleted", "", 1000) +
                                    acled_row("SY3", 0, "stays", "", 1000));
    auto out = import({(d / "week1.csv").string()});
    CHECK(out.find(": 3 inserted, 0 updated, 0 unchanged, 0 rejected") != std::string::npos);

    // Week 2: SY1 revised, SY4 new, SY2 deleted by ACLED's deletions export.
    write_file(d / "week2.csv", std::string(k_acled_header) +
                                    acled_row("SY1", 3, "revised: 3 killed", "revised", 2000) +
                                    acled_row("SY4", 0, "new in week 2", "", 2000));
    write_file(d / "deleted.csv", "event_id_cnty,deleted_timestamp\nSY2,1900\n");
    out = import({(d / "week2.csv").string(), "--deletions", (d / "deleted.csv").string()});
    CHECK(out.find(": 1 inserted, 1 updated, 0 unchanged, 0 rejected") != std::string::npos);
    CHECK(out.find("deleted 1 of 1 listed") != std::string::npos);
    CHECK(out.find("older rows ignored") == std::string::npos);

    // Week 3: an old download delivered again: week 1's SY1, SY2 (deleted since) and SY3, an
    // older SY4.
    write_file(d / "week3.csv", std::string(k_acled_header) +
                                    acled_row("SY1", 1, "first report", "", 1000) +
                                    acled_row("SY2", 0, "to be deleted", "", 1000) +
                                    acled_row("SY3", 0, "stays", "", 1000) +
                                    acled_row("SY4", 9, "an older version", "", 1500));
    out = import({(d / "week3.csv").string()});
    CHECK(out.find(": 0 inserted, 0 updated, 1 unchanged, 0 rejected") != std::string::npos);
    CHECK(out.find("2 older rows ignored") != std::string::npos);
    CHECK(out.find("1 rows ignored: events their source deleted") != std::string::npos);

    // UCDP: release 25.1 (from the file name), then 24.1 again (older: ignored), then a
    // candidate release given with --source-version (newer: wins).
    write_file(d / "GEDEvent_v25_1.csv", ucdp_file(2));
    out = import({(d / "GEDEvent_v25_1.csv").string()});
    CHECK(out.find(": 1 inserted") != std::string::npos);
    write_file(d / "ged241.csv", ucdp_file(7));
    out = import({(d / "ged241.csv").string()});
    CHECK(out.find("1 older rows ignored") != std::string::npos);
    write_file(d / "ucdp_candidate.csv", ucdp_file(4));
    out = import({(d / "ucdp_candidate.csv").string(), "--source-version", "25.2"});
    CHECK(out.find(": 0 inserted, 1 updated") != std::string::npos);

    const auto rows = query_csv(spec);
    std::vector<std::string> ids;
    for (const auto &[id, row] : rows) {
        ids.push_back(id);
    }
    CHECK(ids == std::vector<std::string>{"SY1", "SY3", "SY4", "UCDP-900001"});
    const auto &sy1 = rows.at("SY1");
    CHECK(sy1.at("fatalities_best") == "3");
    CHECK(sy1.at("notes") == "revised: 3 killed");
    CHECK(sy1.at("tags") == "revised");
    CHECK(sy1.at("timestamp") == "2000");
    CHECK(sy1.at("source_revision") == "2000");
    CHECK(sy1.at("source_dataset") == "acled");
    CHECK(sy1.at("inter1") == "State forces");
    CHECK(sy1.at("interaction") == "State forces-Rebel group");
    CHECK(sy1.at("admin3") == "Panj jamoat");
    CHECK(sy1.at("iso") == "762");
    CHECK(rows.at("SY3").at("timestamp") == "1000");
    CHECK(rows.at("SY4").at("notes") == "new in week 2");
    CHECK(rows.at("SY4").at("timestamp") == "2000");
    const auto &u = rows.at("UCDP-900001");
    CHECK(u.at("fatalities_best") == "4");
    CHECK(u.at("deaths_b") == "4");
    CHECK(u.at("source_version") == "25.2");
    CHECK(u.at("source_revision") == "25002000");
    CHECK(u.at("source_dataset") == "ucdp");
    CHECK(u.at("type_of_violence") == "1");
    CHECK(u.at("event_type") == "Battles");
    CHECK(u.at("where_description") == "Panj town, Khatlon");
    CHECK(u.at("source_headline") == "Border guards kill intruders");

    // Every column survives export (CSV) -> import into a fresh store.
    const auto exported = d / "export";
    auto r = run_cli({"export", "--store", spec, "--out", exported.string(), "--formats", "csv",
                      "--csv-raw-formulas"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    bw_test::TempPath again(".gpkg");
    r = run_cli({"import", (exported / "incidents.csv").string(), "--store", again.string()});
    INFO(r.stdout_text << r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto back = query_csv(again.string());
    REQUIRE(back.size() == rows.size());
    for (const auto &[id, row] : rows) {
        for (const auto &[column, value] : row) {
            if (column == "updated_at") {
                continue;
            }
            INFO(id << " column " << column);
            CHECK(back.at(id).at(column) == value);
        }
    }
}

TEST_CASE("PostGIS: a version-1 schema gains the source columns with store init, rows kept",
          "[store_postgis_server][sources]") {
    BW_REQUIRE_PG_SERVER(server);
    const auto spec = bw_test::fresh_database(server, "migrate2");
    StoreOpenOptions init;
    init.init = true;
    open_store(spec, init)->upsert(bw_test::sample_incidents(3));
    // Back to version 1: without the columns after "flags" (but updated_at).
    detail::PgConnection sql(detail::parse_pg_spec(spec));
    const auto &fields = incident_fields();
    std::string drop;
    for (std::size_t i = *incident_field_index("flags") + 1; i + 1 < fields.size(); ++i) {
        drop += std::string(drop.empty() ? "" : ", ") + "DROP COLUMN " +
                sql.quote_identifier(std::string(fields[i].name));
    }
    sql.exec("ALTER TABLE incidents " + drop);
    sql.exec("DROP TABLE borderwatch_deletions"); // version 3
    sql.exec("UPDATE borderwatch_meta SET value = '1' WHERE key = 'schema_version'");
    CHECK_THROWS(open_store(spec)); // other commands refuse: run store init

    auto store = open_store(spec, init);
    CHECK(store->schema_version() == k_store_schema_version);
    CHECK(store->count() == 3);
    const Incident full = with_source_columns("SRC-MIGRATED");
    CHECK(store->upsert({full}).inserted == 1);
    const auto back = bw_test::query_all(*open_store(spec));
    REQUIRE(back.size() == 4);
    const auto it = std::find_if(back.begin(), back.end(),
                                 [](const Incident &x) { return x.id == "SRC-MIGRATED"; });
    REQUIRE(it != back.end());
    CHECK(bw_test::same_content(*it, full));
    CHECK(sql.exec("SELECT col_description('incidents'::regclass, "
                   "(SELECT attnum FROM pg_attribute WHERE attrelid = 'incidents'::regclass "
                   "AND attname = 'deaths_civilians'))")
              .value(0, 0) == "UCDP deaths_civilians");
}
