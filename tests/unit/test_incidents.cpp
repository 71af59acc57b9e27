// Incident readers (native CSV/GeoJSON, ACLED old/new, UCDP GED), dates, the precision rule
// for bands and sectors, the import driver (idempotency, update in place, rollback, bad rows)
// with a fake placer, and the real placer on the bundled sample.
#include <borderwatch/core/error.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/incidents/sources.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/lonlat_swap.hpp>
#include <borderwatch/store/store.hpp>

#include <catch2/catch.hpp>

#include "incidents/field_visit.hpp"
#include "test_helpers.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

const std::string k_data = std::string(BORDERWATCH_TEST_DATA) + "/incidents/";

std::vector<InputRecord> read_all(const std::string &name,
                                  IncidentFormat format = IncidentFormat::auto_detect,
                                  std::vector<std::string> *errors = nullptr) {
    auto reader = open_incident_reader(k_data + name, format);
    std::vector<InputRecord> out;
    while (true) {
        try {
            auto r = reader->next();
            if (!r) {
                break;
            }
            out.push_back(std::move(*r));
        } catch (const InputError &e) {
            if (errors == nullptr) {
                throw;
            }
            errors->push_back(e.what());
        }
    }
    return out;
}

fs::path temp_dir(const std::string &tag) {
    return test::unique_temp_dir("bw-incidents-" + tag);
}

/// Places every incident at its given coordinates (or 70,37.5) with a distance derived from
/// latitude; throws std::runtime_error for the id "FAIL" (a storage-level failure stand-in).
class FakePlacer final : public IncidentPlacer {
  public:
    void place(Incident &x) const override {
        if (x.id == "FAIL") {
            throw std::runtime_error("simulated failure");
        }
        if (x.location_text == "Nowhere" && !x.lon) {
            throw InputError(SourceLocation{{}, 0, 0, "location_text"}, "does not resolve");
        }
        x.place_lon = x.lon.value_or(70.0);
        x.place_lat = x.lat.value_or(37.5);
        x.coord_origin = x.lon ? CoordinateOrigin::given : CoordinateOrigin::gazetteer;
        x.precision = x.lon ? 1 : 3;
        x.side = *x.place_lat > 37.3 ? "TJK" : "AFG";
        x.border_distance_m = std::fabs(*x.place_lat - 37.3) * 111000.0;
        x.chainage_km = (*x.place_lon - 67.0) * 100.0;
        x.band = band_for(*x.border_distance_m / 1000.0, location_uncertainty_km(x.precision),
                          default_band_edges_km());
    }
};

std::map<std::string, Incident> stored(const IncidentStore &s) {
    std::map<std::string, Incident> out;
    s.query({}, [&](const Incident &x) { out[x.id] = x; });
    return out;
}

std::string write_file(const fs::path &path, const std::string &content) {
    std::ofstream(path) << content;
    return path.string();
}

} // namespace

TEST_CASE("Dates: ISO, DD Month YYYY, months, years, time parts", "[incidents]") {
    auto d = parse_incident_date("2025-11-26");
    REQUIRE(d);
    CHECK(d->start == "2025-11-26");
    CHECK(d->end == "2025-11-26");
    CHECK(d->precision == DatePrecision::day);
    CHECK(parse_incident_date("26 November 2025")->start == "2025-11-26");
    CHECK(parse_incident_date("03 Dec 2021")->start == "2021-12-03");
    CHECK(parse_incident_date("2025-11-02 00:00:00.000")->start == "2025-11-02");
    d = parse_incident_date("2024-02");
    REQUIRE(d);
    CHECK(d->end == "2024-02-29");
    CHECK(d->precision == DatePrecision::month);
    CHECK(parse_incident_date("2025")->end == "2025-12-31");
    CHECK_FALSE(parse_incident_date("2025-02-29"));
    CHECK_FALSE(parse_incident_date("31 Nov 2025"));
    CHECK_FALSE(parse_incident_date("yesterday"));
    // One year range (1900..2200) for every form: the year and month forms too.
    CHECK_FALSE(parse_incident_date("2201"));
    CHECK_FALSE(parse_incident_date("0000"));
    CHECK_FALSE(parse_incident_date("1899-12"));
    CHECK(parse_incident_date("2200")->end == "2200-12-31");
    CHECK_FALSE(parse_incident_date(""));
}

TEST_CASE("Format detection from the header", "[incidents]") {
    CHECK(read_all("acled_current.csv").size() == 4);
    auto reader = open_incident_reader(k_data + "acled_current.csv", IncidentFormat::auto_detect);
    CHECK(reader->format() == IncidentFormat::acled);
    CHECK(
        open_incident_reader(k_data + "acled_pre2023.csv", IncidentFormat::auto_detect)->format() ==
        IncidentFormat::acled);
    CHECK(open_incident_reader(k_data + "ucdp_ged.csv", IncidentFormat::auto_detect)->format() ==
          IncidentFormat::ucdp);
    CHECK(open_incident_reader(k_data + "native.csv", IncidentFormat::auto_detect)->format() ==
          IncidentFormat::native);
    CHECK(open_incident_reader(k_data + "native.geojson", IncidentFormat::auto_detect)->format() ==
          IncidentFormat::geojson);
    CHECK_THROWS_AS(open_incident_reader(k_data + "missing.csv", IncidentFormat::auto_detect),
                    IoError);
    const auto dir = temp_dir("detect");
    const auto odd = write_file(dir / "odd.csv", "a,b,c\n1,2,3\n");
    CHECK_THROWS_AS(open_incident_reader(odd, IncidentFormat::auto_detect), InputError);
    // --format overrides detection: an ACLED file read as native uses the aliases.
    const auto as_native = read_all("acled_current.csv", IncidentFormat::native);
    REQUIRE(as_native.size() == 4);
    CHECK(as_native[0].incident.id == "TJK1001");
    CHECK(as_native[0].incident.lat == 37.2363);
    fs::remove_all(dir);
}

TEST_CASE("ACLED current layout", "[incidents]") {
    const auto rows = read_all("acled_current.csv");
    REQUIRE(rows.size() == 4);
    const auto &a = rows[0].incident;
    CHECK(a.id == "TJK1001");
    CHECK(a.event_date == "2025-10-02");
    CHECK(a.date_precision == DatePrecision::day);
    CHECK(a.event_type == "Battles");
    CHECK(a.sub_event_type == "Armed clash");
    CHECK(a.actor1 == "Military Forces of Tajikistan (1994-)");
    CHECK(a.lon == 69.0991);
    CHECK(a.lat == 37.2363);
    CHECK(a.geo_precision == 1);
    CHECK(a.fatalities_best == 1);
    CHECK(a.country_text == "Tajikistan");
    CHECK(a.admin1_text == "Khatlon");
    CHECK(a.admin2_text == "Panj");
    CHECK(a.location_text == "Panj");
    CHECK(a.source_name == "Asia-Plus");
    CHECK(rows[0].line == 2);
    CHECK(rows[1].incident.date_precision == DatePrecision::week);
    CHECK(rows[1].incident.target == "Farmers (Tajikistan)");
    CHECK(rows[2].incident.date_precision == DatePrecision::month);
    CHECK(rows[2].incident.geo_precision == 4); // ACLED 3 (region) -> where_prec 4
}

TEST_CASE("ACLED pre-2023 layout with DD Month YYYY dates", "[incidents]") {
    const auto rows = read_all("acled_pre2023.csv");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].incident.id == "TJK501");
    CHECK(rows[0].incident.event_date == "2021-11-26");
    CHECK(rows[1].incident.event_date == "2021-12-03");
    // 15 December 2021 at week precision: the ISO week that contains it, Monday to Sunday.
    CHECK(rows[2].incident.event_date == "2021-12-13");
    CHECK(rows[2].incident.event_date_end == "2021-12-19");
    CHECK(rows[2].incident.date_precision == DatePrecision::week);
    CHECK(rows[2].incident.geo_precision == 2);
    CHECK(rows[1].incident.admin1_text == "Gorno-Badakhshan");
    CHECK(rows[0].incident.fatalities_best == 2);
}

TEST_CASE("UCDP GED layout", "[incidents]") {
    const auto rows = read_all("ucdp_ged.csv");
    REQUIRE(rows.size() == 3);
    const auto &a = rows[0].incident;
    CHECK(a.id == "UCDP-500101");
    // The ACLED taxonomy; UCDP's own type stays in type_of_violence (issue 14).
    CHECK(a.event_type == "Battles");
    CHECK(a.sub_event_type == "Armed clash");
    CHECK(a.type_of_violence == 1);
    CHECK(a.actor1 == "Government of Tajikistan");
    CHECK(a.actor2 == "Jamaat Ansarullah");
    CHECK(a.event_date == "2025-11-02");
    CHECK(a.fatalities_best == 2);
    CHECK(a.fatalities_low == 2);
    CHECK(a.fatalities_high == 3);
    CHECK(a.geo_precision == 1);
    CHECK(a.admin1_text == "Khatlon province");
    CHECK(a.admin2_text == "Panj district");
    CHECK(a.location_text == "Panj town");
    const auto &b = rows[1].incident; // coordinates only in geom_wkt; a 5-day range
    CHECK(b.lon == 70.0487);
    CHECK(b.lat == 37.8414);
    CHECK(b.event_date == "2025-11-08");
    CHECK(b.event_date_end == "2025-11-12");
    CHECK(b.date_precision == DatePrecision::week);
    CHECK(b.event_type == "Violence against civilians");
    CHECK(b.sub_event_type == "Attack");
    CHECK(b.type_of_violence == 3);
    const auto &c = rows[2].incident; // no coordinates at all; month precision
    CHECK_FALSE(c.lon);
    CHECK(c.geo_precision == 4);
    CHECK(c.date_precision == DatePrecision::month);
    CHECK(c.event_date_end == "2025-11-30");
}

TEST_CASE("Native CSV and GeoJSON", "[incidents]") {
    const auto rows = read_all("native.csv");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].incident.source_url == "https://example.org/n1");
    CHECK(rows[0].incident.fatalities_high == 1);
    CHECK(rows[1].incident.event_date_end == "2025-12-05");
    CHECK(rows[2].incident.date_precision == DatePrecision::month);
    const auto geo = read_all("native.geojson");
    REQUIRE(geo.size() == 3);
    CHECK(geo[0].incident.id == "G-1");
    CHECK(geo[0].incident.lon == 69.0991);
    CHECK_FALSE(geo[1].incident.lon);
    CHECK(geo[1].incident.date_precision == DatePrecision::range);
    CHECK_FALSE(geo[1].incident.fatalities_best);
    CHECK(geo[2].incident.event_date == "2025-12-03");
    CHECK(geo[2].incident.geo_precision == 2);
    CHECK(geo[2].line == 3);
}

TEST_CASE("Bad rows: FILE:LINE: field messages, the reader continues", "[incidents]") {
    std::vector<std::string> errors;
    const auto rows = read_all("bad_rows.csv", IncidentFormat::auto_detect, &errors);
    std::vector<std::string> ids;
    for (const auto &r : rows) {
        ids.push_back(r.incident.id);
    }
    CHECK(ids == std::vector<std::string>{"B-1", "B-6", "B-9"}); // B-6 fails only at placement
    REQUIRE(errors.size() == 6);
    const std::string file = k_data + "bad_rows.csv";
    CHECK(errors[0] == file + ":3: field 'lat': value '91.2' is outside [-90, 90]");
    CHECK(errors[1].rfind(file + ":4: field 'event_date':", 0) == 0);
    CHECK(errors[2] == file + ":5: field 'id': missing id");
    CHECK(errors[3] == file + ":6: field 'fatalities_best': 'many' is not an integer");
    CHECK(errors[4].rfind(file + ":8: field 'lat':", 0) == 0);
    CHECK(errors[5] == file + ":9: has 5 fields, the header has 9");
}

TEST_CASE("Precision rule for bands and sectors", "[incidents]") {
    const auto &edges = default_band_edges_km();
    CHECK(band_labels(edges) ==
          std::vector<std::string>{"0-1", "1-5", "5-10", "10-25", "25-50", ">50"});
    CHECK(band_for(0.2, 0, edges) == "0-1");
    CHECK(band_for(1.0, 0, edges) == "1-5");
    CHECK(band_for(7, 0, edges) == "5-10");
    CHECK(band_for(400, 0, edges) == ">50");
    // District level (25 km): only certain when the whole +-25 km interval fits one band.
    CHECK(location_uncertainty_km(3) == 25.0);
    CHECK(band_for(12, 25, edges) == "imprecise");
    CHECK(band_for(80, 25, edges) == ">50");
    CHECK(band_for(75, 25, edges) == ">50"); // [50, 100] touches the edge only
    // Province (100 km) and country (unbounded).
    CHECK(band_for(120, 100, edges) == "imprecise");
    CHECK(band_for(400, 100, edges) == ">50");
    CHECK(band_for(400, location_uncertainty_km(6), edges) == "imprecise");
    // Near a place (10 km) in wide custom bands.
    const auto wide = parse_band_edges("0,50,200");
    CHECK(band_for(20, 10, wide) == "0-50");
    CHECK(band_for(45, 10, wide) == "imprecise");
    CHECK_THROWS_AS(parse_band_edges("0,5,5"), UsageError);
    CHECK_THROWS_AS(parse_band_edges("0,x"), UsageError);
    CHECK(sector_for(120, 0, 50) == "100-150");
    CHECK(sector_for(125, 25, 50) == "100-150"); // [100, 150] fits exactly
    CHECK(sector_for(130, 25, 50) == "imprecise");
    CHECK(sector_for(0, 0, 50) == "0-50");
}

TEST_CASE("One band syntax: leading 0 optional, errors name the bad token", "[incidents]") {
    const std::vector<double> expected{0, 1, 5, 10, 25, 50};
    for (const char *text : {"0,1,5,10,25,50", "1,5,10,25,50", " 1 , 5,10 ,25,50 ",
                             "0,1,5,10,25,5e1", "1.0,5,10,25,50.0"}) {
        INFO(text);
        CHECK(parse_band_edges(text) == expected);
    }
    CHECK(parse_band_edges("0.5") == std::vector<double>{0, 0.5});
    CHECK(band_edges_from_km({1, 5, 10, 25, 50}) == expected);
    CHECK(band_edges_from_km({0, 1, 5, 10, 25, 50}) == expected);
    const auto rejects = [](const std::string &text, const std::string &message) {
        INFO(text);
        CHECK_THROWS_WITH(parse_band_edges(text), Catch::Contains(message));
        CHECK_THROWS_AS(parse_band_edges(text), UsageError);
    };
    rejects("", "--bands: '' is not a non-negative number of km");
    rejects("1,,5", "'' is not a non-negative number");
    rejects("1,5,x", "'x' is not a non-negative number");
    rejects("-1,5", "'-1' is not");
    rejects("1,nan", "'nan' is not");
    rejects("1,inf", "'inf' is not");
    rejects("1,5,", "'' is not");
    rejects("0", "need at least one edge above 0");
    rejects("5,1", "'1' does not increase (after 5)");
    rejects("0,5,5", "'5' does not increase (after 5)");
    rejects("0,0", "'0' does not increase");
    rejects("1;5", "'1;5' is not");
    CHECK_THROWS_WITH(parse_band_edges("1,x", "export.bands_km"),
                      Catch::StartsWith("export.bands_km: 'x'"));
    CHECK_THROWS_WITH(band_edges_from_km({5, 1}, {}), Catch::StartsWith("'1' does not increase"));
    CHECK_THROWS_AS(band_edges_from_km({}), UsageError);
    CHECK_THROWS_AS(band_edges_from_km({1, -2}), UsageError);
}

TEST_CASE("Import: repeated ids warn with both lines, flags are summarised", "[incidents][store]") {
    const auto dir = temp_dir("dups");
    const auto a = write_file(dir / "a.csv", "id,event_date,location_text,lon,lat\n"
                                             "A,2025-01-01,Panj,70,37.6\n"   // 2
                                             "B,2025-01-01,Panj,70,37.7\n"   // 3
                                             "A,2025-01-02,Panj,70,37.8\n"   // 4: repeats 2
                                             "C,bad date,Panj,70,37.8\n"     // 5: rejected
                                             "A,2025-01-03,Panj,70,37.9\n"); // 6: repeats 4
    const auto b = write_file(dir / "b.csv", "id,event_date,location_text,lon,lat\n"
                                             "B,2025-01-05,Panj,70,37.65\n"); // 2: repeats a:3
    FakePlacer placer;
    for (const unsigned threads : {1U, 3U}) {
        auto store = open_store((dir / ("s" + std::to_string(threads) + ".gpkg")).string());
        ImportOptions options;
        options.threads = threads;
        options.batch_size = 2;
        std::vector<std::string> warnings;
        options.on_warning = [&](const ImportWarning &w) { warnings.push_back(w.to_string()); };
        const auto report =
            import_incidents({a, b}, *store, placer, options, [](const RejectedRow &) {});
        CHECK(report.rejected == 1);
        CHECK(report.warnings == 3);
        REQUIRE(warnings.size() == 3);
        CHECK(warnings[0] == a + ":4: warning: id 'A' repeats " + a +
                                 ":2; the later row wins unless it is an older revision");
        CHECK(warnings[1] == a + ":6: warning: id 'A' repeats " + a +
                                 ":4; the later row wins unless it is an older revision");
        CHECK(warnings[2] == b + ":2: warning: id 'B' repeats " + a +
                                 ":3; the later row wins unless it is an older revision");
        // The rule stays: the later row wins.
        const auto rows = stored(*store);
        REQUIRE(rows.size() == 2);
        CHECK(rows.at("A").event_date == "2025-01-03");
        CHECK(rows.at("B").event_date == "2025-01-05");
        REQUIRE(report.flags.size() == 1);
        CHECK(report.flags[0].flag == "duplicate_id");
        CHECK(report.flags[0].count == 3);
        CHECK(report.flags[0].to_string() ==
              "duplicate_id: 3 rows (first: " + a + ":4, " + a + ":6, " + b + ":2)");
        CHECK(report.flags[0].to_string(2) ==
              "duplicate_id: 3 rows (first: " + a + ":4, " + a + ":6, ...)");
    }
    fs::remove_all(dir);
}

TEST_CASE("WarningLimiter: the first N of each kind, then counts", "[incidents]") {
    WarningLimiter limiter(2);
    int shown = 0;
    for (int i = 0; i < 5; ++i) {
        shown += limiter.admit({"a.csv", 1, "duplicate_id", "x"}) ? 1 : 0;
    }
    shown += limiter.admit({"a.csv", 1, "lonlat_look_swapped", "x"}) ? 1 : 0;
    CHECK(shown == 3);
    CHECK(limiter.hidden_lines() ==
          std::vector<std::string>{"and 3 more like this (duplicate_id)"});
    CHECK(FlagSummary{"f", 1, {{"a.csv", 4}}}.to_string() == "f: 1 row (first: a.csv:4)");
}

TEST_CASE("Import: idempotent, update in place, bad rows, rollback", "[incidents][store]") {
    const auto dir = temp_dir("import");
    auto store = open_store((dir / "s.gpkg").string());
    FakePlacer placer;
    std::vector<RejectedRow> rejected;
    auto reject = [&](const RejectedRow &r) { rejected.push_back(r); };
    ImportOptions options;
    options.batch_size = 2; // several batches per file

    auto report = import_incidents({k_data + "native.csv", k_data + "acled_pre2023.csv"}, *store,
                                   placer, options, reject);
    CHECK(report.read == 6);
    CHECK(report.inserted == 6);
    CHECK(report.rejected == 0);
    CHECK(store->count() == 6);
    const auto state = store->state();
    const auto before = stored(*store);

    SECTION("re-import changes nothing") {
        report = import_incidents({k_data + "native.csv", k_data + "acled_pre2023.csv"}, *store,
                                  placer, options, reject);
        CHECK(report.unchanged == 6);
        CHECK(report.inserted + report.updated == 0);
        CHECK(store->state() == state);
        const auto after = stored(*store);
        CHECK(after.at("N-1").updated_at == before.at("N-1").updated_at);
    }
    SECTION("a changed row is updated in place") {
        report = import_incidents({k_data + "native_v2.csv"}, *store, placer, options, reject);
        CHECK(report.updated == 1);
        CHECK(report.inserted == 1);
        CHECK(report.unchanged == 2);
        CHECK(store->count() == 7);
        const auto after = stored(*store);
        CHECK(after.at("N-1").fatalities_best == 3);
        CHECK(after.at("N-1").notes == "exact point in Panj; count revised");
        CHECK(store->state() != state);
    }
    SECTION("a failing batch rolls the whole import back") {
        const auto bad =
            write_file(dir / "fail.csv", "id,event_date,lon,lat\nX-1,2025-01-01,70,37.6\n"
                                         "X-2,2025-01-01,70,37.7\nX-3,2025-01-01,70,37.8\n"
                                         "FAIL,2025-01-01,70,37.9\n");
        CHECK_THROWS_AS(
            import_incidents({k_data + "native_v2.csv", bad}, *store, placer, options, reject),
            std::runtime_error);
        CHECK(store->count() == 6);
        CHECK(store->state() == state);
        CHECK(stored(*store).at("N-1").fatalities_best == 1);
    }
    SECTION("bad rows are reported and skipped, the rest imported") {
        const auto bad = write_file(dir / "bad.csv", "id,event_date,location_text,lon,lat\n"
                                                     "Y-1,2025-01-01,Panj,70,37.6\n"
                                                     "Y-2,2025-01-01,Nowhere,,\n"
                                                     "Y-3,not a date,Panj,70,37.6\n"
                                                     "Y-4,2025-01-02,Panj,70,37.6\n");
        rejected.clear();
        report = import_incidents({bad}, *store, placer, options, reject);
        CHECK(report.read == 4);
        CHECK(report.rejected == 2);
        CHECK(report.inserted == 2);
        REQUIRE(rejected.size() == 2);
        // Placement failures keep their line (all-or-nothing per row).
        std::vector<std::string> messages = {rejected[0].to_string(), rejected[1].to_string()};
        std::sort(messages.begin(), messages.end());
        CHECK(messages[0] == bad + ":3: field 'location_text': does not resolve");
        CHECK(messages[1].rfind(bad + ":4: field 'event_date':", 0) == 0);
        CHECK(rejected[0].raw.size() == 5);
        CHECK(store->count() == 8);
        const auto after = stored(*store);
        CHECK(after.count("Y-2") == 0);
    }
    store.reset();
    fs::remove_all(dir);
}

TEST_CASE("Real placement of the bundled sample (engine + gazetteer)", "[incidents]") {
    const auto engine = BorderEngine::load("TJK-AFG");
    const auto gazetteer = Gazetteer::load({});
    const auto placer = make_incident_placer(*engine, *gazetteer);
    const auto dir = temp_dir("sample");
    auto store = open_store((dir / "s.gpkg").string());
    std::vector<std::string> messages;
    const auto report =
        import_incidents({std::string(BORDERWATCH_REPO_ROOT) + "/samples/border_incidents_2025.csv",
                          k_data + "native.csv"},
                         *store, *placer, ImportOptions{},
                         [&](const RejectedRow &r) { messages.push_back(r.to_string()); });
    INFO(messages.size());
    CHECK(report.rejected == 0);
    CHECK(report.inserted == 8);
    const auto all = stored(*store);
    const auto &darvoz = all.at("BW-2025-11-30-DRV");
    CHECK(darvoz.coord_origin == CoordinateOrigin::gazetteer);
    CHECK(darvoz.admin2 == "Darvoz District");
    CHECK(darvoz.side == "TJK");
    CHECK(darvoz.precision == 3);
    const auto &clash = all.at("BW-2025-12-23-SSH");
    CHECK(clash.admin2 == "Shamsiddin Shohin District");
    CHECK(clash.event_date_end == "2025-12-24");
    const auto &khatlon = all.at("BW-2025-11-26-KHT"); // known only to the province
    CHECK(khatlon.admin1 == "Khatlon Region");
    CHECK(khatlon.precision == 4);
    CHECK(khatlon.admin2.empty());    // the district of a point inside the province means nothing
    const auto &panj = all.at("N-1"); // given coordinates in Panj, ~2 km from the river
    CHECK(panj.coord_origin == CoordinateOrigin::given);
    CHECK(panj.place_lon == 69.0991);
    CHECK(panj.border_distance_m.value() < 5000);
    CHECK(panj.band == "1-5");
    CHECK(panj.flags.empty());
    // Given coordinates (Panj) far from the named place (Khorugh): flagged, kept.
    const auto &n3 = all.at("N-3");
    CHECK(has_flag(n3.flags, k_flag_location_mismatch));
    CHECK(n3.place_lon == 69.0991);
    store.reset();
    fs::remove_all(dir);
}

namespace {

/// Import @p file (no rejects expected to be kept), with the warnings it gave, in order.
std::pair<ImportReport, std::vector<ImportWarning>>
import_keeping_warnings(const std::string &file, IncidentStore &store,
                        const IncidentPlacer &placer) {
    ImportOptions options;
    std::vector<ImportWarning> warnings;
    options.on_warning = [&](const ImportWarning &w) { warnings.push_back(w); };
    auto report = import_incidents({file}, store, placer, options, [](const RejectedRow &) {});
    return {std::move(report), std::move(warnings)};
}

} // namespace

TEST_CASE("Real placement: swapped lon/lat flagged and warned as locate does, kept as given",
          "[incidents]") {
    const auto engine = BorderEngine::load("TJK-AFG");
    const auto gazetteer = Gazetteer::load({});
    const auto placer = make_incident_placer(*engine, *gazetteer);
    // The one rule: far from the border as given, near it with lon and lat exchanged.
    CHECK(swapped_border_distance_m(*engine, 37.2363, 69.0991).has_value());
    CHECK(engine->place(69.0991, 37.2363).border_distance_m < k_swap_far_m);
    CHECK(lonlat_swap_warning(*engine, 69.0991, 37.2363, 2000.0).empty()); // near: no check
    CHECK(lonlat_swap_warning(*engine, -3.7, 40.4, 5.0e6).empty());        // far, swapped far too
    CHECK_THAT(lonlat_swap_hint(*engine, 37.2363, 69.0991),
               Catch::StartsWith("; with lon/lat swapped (69.0991, 37.2363) it would be ") &&
                   Catch::EndsWith(" from the border: lon/lat look swapped"));
    CHECK(lonlat_swap_hint(*engine, 37.2363, 95.0).empty()); // (95, 37.2) is far away too
    const auto dir = temp_dir("swap");
    const auto file = write_file(dir / "s.csv", "id,event_date,location_text,lon,lat\n"
                                                "OK,2025-01-01,Panj,69.0991,37.2363\n"
                                                "SW,2025-01-01,Panj,37.2363,69.0991\n"
                                                "FAR,2025-01-01,,-3.7,40.4\n");
    auto store = open_store((dir / "s.gpkg").string());
    const auto [report, warnings] = import_keeping_warnings(file, *store, *placer);
    CHECK(report.rejected == 0);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].kind == k_flag_lonlat_swapped);
    CHECK(warnings[0].line == 3);
    const auto expected = lonlat_swap_warning(*engine, 37.2363, 69.0991,
                                              engine->place(37.2363, 69.0991).border_distance_m);
    CHECK(warnings[0].to_string() == file + ":3: warning: " + expected);
    CHECK_THAT(expected, Catch::StartsWith("point (37.2363, 69.0991) is ") &&
                             Catch::EndsWith("lon/lat look swapped"));
    const auto all = stored(*store);
    CHECK(has_flag(all.at("SW").flags, k_flag_lonlat_swapped));
    CHECK(all.at("SW").lon == 37.2363); // stored as given, never swapped silently
    CHECK(all.at("SW").lat == 69.0991);
    CHECK_FALSE(has_flag(all.at("FAR").flags, k_flag_lonlat_swapped));
    CHECK(all.at("OK").flags.empty());
    bool summarised = false;
    for (const auto &f : report.flags) {
        if (f.flag == k_flag_lonlat_swapped) {
            summarised = f.count == 1 && f.first.size() == 1 && f.first[0].second == 3;
        }
    }
    CHECK(summarised);
    store.reset();
    fs::remove_all(dir);
}

TEST_CASE("Real placement, world mode: a point on land is never flagged as lon/lat swapped",
          "[incidents][world]") {
    const auto engine = BorderEngine::load("nearest");
    const auto gazetteer = Gazetteer::load({});
    const auto placer = make_incident_placer(*engine, *gazetteer);
    // Yaroslavl oblast (RUS), > 500 km from any land boundary; swapped, (57.7, 41.6) is on the
    // Turkmenistan-Uzbekistan boundary. On land as given: a real place, no flag, no warning.
    const auto russia = engine->place(41.551284, 57.706043);
    REQUIRE(russia.side == "RUS");
    REQUIRE(russia.border_distance_m > k_swap_far_m);
    REQUIRE(swapped_border_distance_m(*engine, 41.551284, 57.706043).has_value());
    // At sea (the Barents Sea) with its swap on land near a boundary: flagged and warned.
    const auto sea = engine->place(37.01385, 74.90019);
    REQUIRE(sea.side.empty());
    REQUIRE(sea.border_distance_m > k_swap_far_m);
    const auto dir = temp_dir("swap-world");
    const auto file = write_file(dir / "w.csv", "id,event_date,location_text,lon,lat\n"
                                                "LAND,2025-01-01,,41.551284,57.706043\n"
                                                "SEA,2025-01-01,,37.01385,74.90019\n");
    auto store = open_store((dir / "w.gpkg").string());
    const auto [report, warnings] = import_keeping_warnings(file, *store, *placer);
    CHECK(report.rejected == 0);
    const auto all = stored(*store);
    CHECK_FALSE(has_flag(all.at("LAND").flags, k_flag_lonlat_swapped));
    CHECK(has_flag(all.at("SEA").flags, k_flag_lonlat_swapped));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].line == 3);
    store.reset();
    fs::remove_all(dir);
}

TEST_CASE("Import pipeline: any thread count, rejects in input order, failures roll back",
          "[incidents][store]") {
    const auto dir = temp_dir("pipeline");
    // 40 rows: every 7th does not parse (bad date), every 5th does not place (Nowhere).
    std::string csv = "id,event_date,location_text,lon,lat\n";
    std::vector<std::size_t> bad_lines;
    std::size_t good = 0;
    for (int i = 1; i <= 40; ++i) {
        const std::size_t line = static_cast<std::size_t>(i) + 1;
        if (i % 7 == 0) {
            csv += "P-" + std::to_string(i) + ",not a date,Panj,70,37.6\n";
            bad_lines.push_back(line);
        } else if (i % 5 == 0) {
            csv += "P-" + std::to_string(i) + ",2025-01-01,Nowhere,,\n";
            bad_lines.push_back(line);
        } else {
            csv += "P-" + std::to_string(i) + ",2025-01-01,Panj,70," +
                   std::to_string(37.0 + i / 100.0) + "\n";
            ++good;
        }
    }
    const auto file = write_file(dir / "p.csv", csv);
    FakePlacer placer;
    for (const unsigned threads : {1U, 2U, 4U}) {
        for (const std::size_t batch : {1UL, 3UL, 64UL}) {
            INFO("threads " << threads << " batch " << batch);
            auto store = open_store(
                (dir / ("s" + std::to_string(threads) + "-" + std::to_string(batch) + ".gpkg"))
                    .string());
            ImportOptions options;
            options.threads = threads;
            options.batch_size = batch;
            std::vector<std::size_t> lines;
            const auto report =
                import_incidents({file}, *store, placer, options,
                                 [&](const RejectedRow &r) { lines.push_back(r.line); });
            CHECK(report.read == 40);
            CHECK(report.rejected == bad_lines.size());
            CHECK(report.inserted == good);
            CHECK(lines == bad_lines); // input order, parse and placement errors interleaved
            CHECK(store->count() == good);
            // A failing placement (not a data error) aborts and rolls everything back.
            const auto fail = write_file(dir / "f.csv", csv + "FAIL,2025-01-01,Panj,70,37.9\n");
            CHECK_THROWS_AS(
                import_incidents({file, fail}, *store, placer, options, [](const RejectedRow &) {}),
                std::runtime_error);
            CHECK(store->count() == good);
            // A failing reject handler too.
            CHECK_THROWS_AS(import_incidents({fail}, *store, placer, options,
                                             [](const RejectedRow &) {
                                                 throw std::runtime_error("rejects file full");
                                             }),
                            std::runtime_error);
            CHECK(store->count() == good);
        }
    }
    fs::remove_all(dir);
}

// --- issue 14: every source column kept, revisions, UCDP event types ------------------------

TEST_CASE("ACLED current layout: every column kept in its own field", "[incidents][sources]") {
    const auto rows = read_all("acled_current.csv");
    REQUIRE(rows.size() >= 2);
    const auto &a = rows[0].incident;
    CHECK(a.source_dataset == "acled");
    CHECK(a.year == 2025);
    CHECK(a.disorder_type == "Political violence");
    CHECK(a.assoc_actor_1 == "Border Guards");
    CHECK(a.inter1 == "1");
    CHECK(a.inter2 == "3");
    CHECK(a.interaction == "13");
    CHECK(a.iso == 762);
    CHECK(a.region == "Caucasus and Central Asia");
    CHECK(a.admin3.empty());
    CHECK(a.source_scale == "National");
    CHECK(a.timestamp == 1760000000);
    CHECK(source_revision(a) == 1760000000);
    const auto &b = rows[1].incident;
    CHECK(b.assoc_actor_2 == "Farmers (Tajikistan)");
    CHECK(b.target == "Farmers (Tajikistan)"); // the old mapping stays
    CHECK(b.civilian_targeting == "Civilian targeting");
    CHECK(b.geo_precision == 2);
}

TEST_CASE("ACLED pre-2023 layout: data_id, event_id_no_cnty, iso3 kept", "[incidents][sources]") {
    const auto rows = read_all("acled_pre2023.csv");
    REQUIRE(rows.size() == 3);
    const auto &a = rows[0].incident;
    CHECK(a.data_id == 9100001);
    CHECK(a.event_id_no_cnty == 501);
    CHECK(a.iso3 == "TJK");
    CHECK(a.iso == 762);
    CHECK(a.timestamp == 1638000000);
    CHECK(a.inter1 == "1"); // integer codes in this layout, kept as their text
}

TEST_CASE("UCDP GED: every column kept, where_description and source_headline apart",
          "[incidents][sources]") {
    const auto rows = read_all("ucdp_ged.csv");
    REQUIRE(rows.size() == 3);
    const auto &a = rows[0].incident;
    CHECK(a.source_dataset == "ucdp");
    CHECK(a.relid == "TJK-2025-1-1-1");
    CHECK(a.year == 2025);
    CHECK(a.active_year == 1); // TRUE
    CHECK(a.code_status == "Clear");
    CHECK(a.conflict_dset_id == 999);
    CHECK(a.conflict_name == "Tajikistan: Government");
    CHECK(a.dyad_name == "Government of Tajikistan - Jamaat Ansarullah");
    CHECK(a.side_a_dset_id == 702);
    CHECK(a.side_b_new_id == 1001);
    CHECK(a.number_of_sources == 2);
    CHECK(a.source_article == "Asia-Plus, 2025-11-03");
    CHECK(a.source_date == "2025-11-03");
    CHECK(a.source_headline == "Border guards kill intruders");
    CHECK(a.source_original == "Tajik State Committee for National Security");
    CHECK(a.where_description == "Panj town, Khatlon");
    CHECK(a.notes.empty()); // no longer a merge of the two
    CHECK(a.priogrid_gid == 180939);
    CHECK(a.country_id == 702);
    CHECK(a.region == "Europe");
    CHECK(a.event_clarity == 1);
    CHECK(a.deaths_a == 0);
    CHECK(a.deaths_b == 2);
    CHECK(a.deaths_civilians == 0);
    CHECK(a.deaths_unknown == 0);
    CHECK(a.gwnoa == "702");
    CHECK(a.gwnob.empty());
    CHECK(a.source_version.empty()); // no version column: the import sets it from the name
}

TEST_CASE("A bad value in a typed source column rejects its row, naming the column",
          "[incidents][sources]") {
    const auto dir = temp_dir("typed");
    const auto file = dir / "acled.csv";
    {
        std::ifstream in(k_data + "acled_current.csv");
        std::string header;
        std::string row;
        std::getline(in, header);
        std::getline(in, row);
        std::ofstream out(file);
        out << header << '\n' << row << '\n';
        // The same row with a timestamp that is not a number.
        out << "BAD1" << row.substr(row.find(',')).substr(0, row.size() - row.find(',') - 10)
            << "yesterday\n";
    }
    std::vector<std::string> errors;
    auto reader = open_incident_reader(file.string(), IncidentFormat::auto_detect);
    std::size_t good = 0;
    while (true) {
        try {
            if (!reader->next()) {
                break;
            }
            ++good;
        } catch (const InputError &e) {
            errors.push_back(e.what());
        }
    }
    CHECK(good == 1);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == file.string() + ":3: field 'timestamp': 'yesterday' is not an integer");
    fs::remove_all(dir);
}

TEST_CASE("Revision rule: release numbers, file names, ACLED timestamps", "[incidents][sources]") {
    CHECK(release_version_number("25.1") == 25001000);
    CHECK(release_version_number("25.0.10") == 25000010);
    CHECK(*release_version_number("25.0.10") < *release_version_number("25.1"));
    CHECK(*release_version_number("24.1") < *release_version_number("25.0"));
    CHECK(release_version_number("v25_1") == 25001000);
    CHECK(release_version_number("25") == 25000000);
    CHECK_FALSE(release_version_number(""));
    CHECK_FALSE(release_version_number("latest"));
    CHECK_FALSE(release_version_number("25.1.2.3"));
    CHECK_FALSE(release_version_number("2501.1"));
    CHECK(release_version_from_file_name("GEDEvent_v25_1.csv") == "25.1");
    CHECK(release_version_from_file_name("data/GEDEvent_v24_0_10.csv") == "24.0.10");
    CHECK(release_version_from_file_name("ged251.csv") == "25.1");
    CHECK(release_version_from_file_name("/tmp/v9/ged241-csv.csv") == "24.1");
    CHECK(release_version_from_file_name("ucdp_ged.csv").empty());
    CHECK(release_version_from_file_name("events_v25.csv").empty());

    Incident x;
    CHECK_FALSE(source_revision(x));
    x.source_version = "25.1";
    CHECK(source_revision(x) == 25001000);
    x.timestamp = 1760000000; // ACLED's timestamp decides when present
    CHECK(source_revision(x) == 1760000000);

    CHECK(is_older_revision(1, 2));
    CHECK_FALSE(is_older_revision(2, 2));
    CHECK_FALSE(is_older_revision(3, 2));
    CHECK_FALSE(is_older_revision(std::nullopt, 2)); // unknown: the later import wins
    CHECK_FALSE(is_older_revision(1, std::nullopt));
}

TEST_CASE("UCDP type_of_violence maps onto the ACLED taxonomy", "[incidents][sources]") {
    CHECK(acled_event_type_for_ucdp(1)->event_type == "Battles");
    CHECK(acled_event_type_for_ucdp(1)->sub_event_type == "Armed clash");
    CHECK(acled_event_type_for_ucdp(2)->event_type == "Battles");
    CHECK(acled_event_type_for_ucdp(3)->event_type == "Violence against civilians");
    CHECK(acled_event_type_for_ucdp(3)->sub_event_type == "Attack");
    CHECK_FALSE(acled_event_type_for_ucdp(0));
    CHECK_FALSE(acled_event_type_for_ucdp(4));
}

TEST_CASE("The field table, the visitor and get_field agree on every field",
          "[incidents][sources]") {
    Incident x;
    x.id = "V-1";
    for (std::size_t i = 0; i < incident_fields().size(); ++i) {
        const auto &f = incident_fields()[i];
        if (f.name == "date_precision" || f.name == "coord_origin") {
            continue;
        }
        set_field(x, i,
                  is_text_type(f.type) ? FieldValue{std::string(f.name)}
                                       : FieldValue{static_cast<std::int64_t>(i)});
    }
    std::size_t visited = 0;
    detail::visit_fields(x, [&](std::size_t i, const detail::FieldRef &v) {
        INFO(incident_fields()[i].name);
        CHECK(i == visited++);
        const auto g = get_field(x, i);
        CHECK(g.index() == v.index());
        if (const auto *s = std::get_if<std::string_view>(&v)) {
            CHECK(std::get<std::string>(g) == *s);
        }
    });
    CHECK(visited == incident_fields().size());
    CHECK(detail::k_updated_at_index + 1 == incident_fields().size());
    CHECK(incident_fields()[detail::k_first_extra_index].name == "year");
    CHECK(incident_fields()[detail::k_updated_at_index - 3].name == "same_as");
    CHECK(incident_fields()[detail::k_updated_at_index - 2].name == "border_id");
    CHECK(incident_fields()[detail::k_updated_at_index - 1].name == "border_part");
}
