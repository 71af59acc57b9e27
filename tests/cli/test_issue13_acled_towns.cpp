// Issue 13, end to end: ACLED rows of real towns (GeoNames coordinates), with and without
// coordinates, at several reported precisions, imported by the binary; every row is checked
// for place, precision, distance band and flags. The rows are tests/data/incidents/
// acled_bare_towns.csv plus variants made here (the same towns at geo_precision 2 and with
// a month time_precision), so the expectations follow from rules, not from a second file.
#include "cli/cli_helpers.hpp"

#include <borderwatch/core/csv.hpp>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace borderwatch::test;

namespace {

const std::string k_towns = std::string(BORDERWATCH_TEST_DATA) + "/incidents/acled_bare_towns.csv";

/// acled_bare_towns.csv plus variants: GZ103 = GZ003 (Ishkashim, no coordinates) reported
/// "near" the town (geo_precision 2); GZ104 = GZ004 (Shaartuz) with time_precision 3 (month).
std::string towns_with_variants() {
    std::ifstream in(k_towns, std::ios::binary);
    borderwatch::CsvReader reader(in, k_towns);
    const auto header = reader.next();
    REQUIRE(header);
    const auto col = [&](const std::string &name) {
        const auto i = borderwatch::find_column(header->fields, {name});
        REQUIRE(i);
        return *i;
    };
    std::ostringstream out;
    borderwatch::write_csv_record(out, header->fields, ',', borderwatch::CsvFormulas::raw);
    while (auto record = reader.next()) {
        auto fields = record->fields;
        borderwatch::write_csv_record(out, fields, ',', borderwatch::CsvFormulas::raw);
        if (fields[col("event_id_cnty")] == "GZ003") {
            fields[col("event_id_cnty")] = "GZ103";
            fields[col("geo_precision")] = "2";
            borderwatch::write_csv_record(out, fields, ',', borderwatch::CsvFormulas::raw);
        } else if (fields[col("event_id_cnty")] == "GZ004") {
            fields[col("event_id_cnty")] = "GZ104";
            fields[col("time_precision")] = "3";
            borderwatch::write_csv_record(out, fields, ',', borderwatch::CsvFormulas::raw);
        }
    }
    return out.str();
}

struct Expected {
    std::string place_id; ///< the gazetteer entry the row was placed at / checked against
    double lon;
    double lat;
    std::string coord_origin;
    int precision;
    std::string band;
    bool mismatch; ///< location_mismatch_25km
};

} // namespace

TEST_CASE("issue 13 end to end: ACLED rows of real towns with and without coordinates get the "
          "right place and precision and band and flags",
          "[issue13][cli]") {
    TempFile input("acled-towns", ".csv", towns_with_variants());
    TempFile store("acled-towns", ".gpkg");
    const auto imported = run_cli({"import", input.str(), "--store", store.str()});
    INFO(imported.stderr_text);
    REQUIRE(imported.exit_code == 0);

    const auto r = run_cli({"query", "--store", store.str(), "--format", "json"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    std::map<std::string, nlohmann::json> rows;
    for (const auto &x : nlohmann::json::parse(r.stdout_text)) {
        rows[x.at("id").get<std::string>()] = x;
    }
    REQUIRE(rows.size() == 10);

    // GeoNames: Ishqoshim 1221614 (71.61331, 36.72484), Shahritus 1220576 (68.13849,
    // 37.26206), Vanj 1220210 (71.45474, 38.37078), Kunduz 1135689 (68.857, 36.72895).
    const std::map<std::string, Expected> expected{
        // town named, its own coordinates: the town, exact, no false mismatch
        {"GZ001", {"geonames:1221614", 71.61331, 36.72484, "given", 1, "0-1", false}},
        {"GZ002", {"geonames:1221614", 71.61331, 36.72484, "given", 1, "0-1", false}},
        // town named, no coordinates: placed at the town, not at its district's centre
        {"GZ003", {"geonames:1221614", 71.61331, 36.72484, "gazetteer", 1, "0-1", false}},
        {"GZ004", {"geonames:1220576", 68.13849, 37.26206, "gazetteer", 1, "10-25", false}},
        // "near" the town: the coarser precision wins, 10 km spans the 0-1 band
        {"GZ103", {"geonames:1221614", 71.61331, 36.72484, "gazetteer", 2, "imprecise", false}},
        {"GZ104", {"geonames:1220576", 68.13849, 37.26206, "gazetteer", 1, "10-25", false}},
        // town named, coordinates 58 km away (Qalaikhumb): flagged
        {"GZ005", {"geonames:1220210", 70.78902, 38.45373, "given", 1, "0-1", true}},
        // district named, a point inside it far from its centre: not flagged
        {"GZ006", {"", 71.61331, 36.72484, "given", 4, "imprecise", false}},
        // district named, a point in the neighbouring district: flagged
        {"GZ007", {"", 70.78902, 38.45373, "given", 4, "imprecise", true}},
        // Afghan city, no coordinates: the city, not the province
        {"GZ008", {"geonames:1135689", 68.857, 36.72895, "gazetteer", 1, ">50", false}},
    };
    for (const auto &[id, e] : expected) {
        INFO(id << ": " << rows.at(id).dump());
        const auto &x = rows.at(id);
        if (!e.place_id.empty()) {
            CHECK(x.at("place_id") == e.place_id);
        }
        CHECK(x.at("place_lon").get<double>() == Approx(e.lon).margin(1e-7));
        CHECK(x.at("place_lat").get<double>() == Approx(e.lat).margin(1e-7));
        CHECK(x.at("coord_origin") == e.coord_origin);
        CHECK(x.at("precision").get<int>() == e.precision);
        CHECK(x.at("band") == e.band);
        const auto flags = x.at("flags").is_string() ? x.at("flags").get<std::string>() : "";
        CHECK((flags.find("location_mismatch_25km") != std::string::npos) == e.mismatch);
    }
    // A month-precise row is stored as the month, so --from inside the month finds it.
    CHECK(rows.at("GZ104").at("event_date") != rows.at("GZ104").at("event_date_end"));
    const auto month = run_cli({"query", "--store", store.str(), "--format", "json", "--from",
                                rows.at("GZ104").at("event_date_end").get<std::string>()});
    REQUIRE(month.exit_code == 0);
    CHECK(month.stdout_text.find("\"GZ104\"") != std::string::npos);
    CHECK(month.stdout_text.find("\"GZ004\"") == std::string::npos);
}
