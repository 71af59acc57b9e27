// Issue 13, "Precision is never invented" and "Valid, typed geometry and fields": one
// regression test per bullet, running the binary on real files and reading the outputs back.
#include "cli_helpers.hpp"

#include <borderwatch/core/csv.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/skip.hpp"
#include <filesystem>
#include <map>
#include <sstream>

using namespace borderwatch::test;
namespace fs = std::filesystem;

namespace {

const fs::path k_data = fs::path(BORDERWATCH_TEST_DATA) / "incidents";

/// Every stored incident as a map of column → text, by id (query --format csv).
std::map<std::string, std::map<std::string, std::string>>
stored(const fs::path &store, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"query", "--store", store.string(), "--format", "csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_cli(args);
    REQUIRE(r.exit_code == 0);
    const auto lines = split_lines(r.stdout_text);
    std::map<std::string, std::map<std::string, std::string>> out;
    if (lines.empty()) {
        return out;
    }
    std::istringstream in(r.stdout_text);
    borderwatch::CsvReader reader(in, "query");
    const auto header = reader.next();
    REQUIRE(header);
    while (auto rec = reader.next()) {
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header->fields.size() && i < rec->fields.size(); ++i) {
            row[header->fields[i]] = rec->fields[i];
        }
        out[row["id"]] = row;
    }
    return out;
}

} // namespace

TEST_CASE("issue 13: precision is never invented (ACLED geo_precision 2/3 without coordinates)",
          "[issue13][import]") {
    const auto store = unique_temp_path("i13-prec", ".gpkg");
    REQUIRE(run_cli({"import", "--store", store.string(),
                     (k_data / "issue13" / "acled_precision.csv").string()})
                .exit_code == 0);
    const auto rows = stored(store);
    // "near Shurobod", geo_precision 2: the town's point, but precision 2 (10 km): the
    // interval [1.8, 21.8] km spans bands. Before: precision 1, band 10-25.
    CHECK(rows.at("TJK9011").at("coord_origin") == "gazetteer");
    CHECK(rows.at("TJK9011").at("precision") == "2");
    CHECK(rows.at("TJK9011").at("band") == "imprecise");
    // Region-level (ACLED 3 → 4) placed at Qalaikhumb: precision 4, no admin2. Before:
    // precision 1, band 0-1.
    CHECK(rows.at("TJK9012").at("precision") == "4");
    CHECK(rows.at("TJK9012").at("band") == "imprecise");
    CHECK(rows.at("TJK9012").at("admin2").empty());
    // Exact town: unchanged.
    CHECK(rows.at("TJK9013").at("precision") == "1");
    CHECK(rows.at("TJK9013").at("band") == "0-1");
    fs::remove(store);
}

TEST_CASE("issue 13: ACLED time_precision 2 and 3 are stored as the week and month ranges",
          "[issue13][import][query]") {
    const auto store = unique_temp_path("i13-dates", ".gpkg");
    REQUIRE(run_cli({"import", "--store", store.string(),
                     (k_data / "issue13" / "acled_precision.csv").string()})
                .exit_code == 0);
    const auto rows = stored(store);
    // 2025-10-09 is a Thursday: its ISO week is Monday 10-06 .. Sunday 10-12.
    CHECK(rows.at("TJK9003").at("event_date") == "2025-10-06");
    CHECK(rows.at("TJK9003").at("event_date_end") == "2025-10-12");
    CHECK(rows.at("TJK9003").at("date_precision") == "week");
    CHECK(rows.at("TJK9004").at("event_date") == "2025-10-01");
    CHECK(rows.at("TJK9004").at("event_date_end") == "2025-10-31");
    // --from after the coded day overlaps the week and the month (before: 0 rows).
    const auto later = stored(store, {"--from", "2025-10-10"});
    CHECK(later.size() == 2);
    CHECK(later.count("TJK9003") == 1);
    CHECK(later.count("TJK9004") == 1);
    // --to before the coded day: the week started on 10-06.
    CHECK(stored(store, {"--to", "2025-10-07"}).count("TJK9003") == 1);
    fs::remove(store);
}

TEST_CASE("issue 13: re-importing the GeoJSON export round-trips every field (as the CSV does)",
          "[issue13][export][import]") {
    const auto dir = unique_temp_path("i13-rt");
    fs::create_directories(dir);
    const auto a = dir / "a.gpkg";
    REQUIRE(
        run_cli({"import", "--store", a.string(),
                 (fs::path(BORDERWATCH_REPO_ROOT) / "samples/border_incidents_2025.csv").string(),
                 (k_data / "acled_current.csv").string(), (k_data / "ucdp_ged.csv").string(),
                 (k_data / "native.geojson").string()})
            .exit_code == 0);
    REQUIRE(run_cli({"export", "--store", a.string(), "--out", (dir / "out").string()}).exit_code ==
            0);
    const auto before = stored(a);
    for (const char *file : {"incidents.geojson", "incidents.csv"}) {
        INFO(file);
        const auto b = dir / (std::string(file) + ".gpkg");
        REQUIRE(
            run_cli({"import", "--store", b.string(), (dir / "out" / file).string()}).exit_code ==
            0);
        const auto after = stored(b);
        REQUIRE(after.size() == before.size());
        for (const auto &[id, row] : before) {
            for (const auto &[column, value] : row) {
                if (column != "updated_at") {
                    INFO(id << " " << column);
                    CHECK(after.at(id).at(column) == value);
                }
            }
        }
    }
    fs::remove_all(dir);
}

TEST_CASE("issue 13: dates are DATE and DATETIME in the GeoPackage store and export",
          "[issue13][store][export]") {
    if (std::system("ogrinfo --version >/dev/null 2>&1") != 0) {
        BW_SKIP("ogrinfo", "ogrinfo not installed");
    }
    const auto dir = unique_temp_path("i13-types");
    fs::create_directories(dir);
    auto types = [&](const fs::path &gpkg) {
        const auto out = dir / "ogrinfo.txt";
        const auto cmd = "ogrinfo -so " + shell_quote(gpkg.string()) + " incidents > " +
                         shell_quote(out.string()) + " 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
        return read_text_file(out);
    };
    auto typed = [](const std::string &info) {
        return info.find("event_date: Date") != std::string::npos &&
               info.find("event_date_end: Date") != std::string::npos &&
               info.find("updated_at: DateTime") != std::string::npos &&
               info.find("Warning") == std::string::npos;
    };
    // A store written before issue 13 (TEXT columns) migrates when opened.
    const auto old_store = dir / "old.gpkg";
    fs::copy_file(k_data / "issue13" / "store_before_issue13.gpkg", old_store);
    CHECK_FALSE(typed(types(old_store)));
    REQUIRE(run_cli({"store", "info", "--store", old_store.string()}).exit_code == 0);
    CHECK(typed(types(old_store)));
    const auto rows = stored(old_store);
    REQUIRE(rows.size() == 4);
    CHECK(rows.at("TJK9001").at("event_date") == "2025-10-09");
    CHECK(rows.at("TJK9001").at("updated_at").size() == 24); // ...T..:..:...000Z
    // Export's GeoPackage: typed as well, no GDAL warning on reading the values.
    REQUIRE(run_cli({"export", "--store", old_store.string(), "--out", (dir / "out").string(),
                     "--formats", "gpkg"})
                .exit_code == 0);
    CHECK(typed(types(dir / "out" / "borderwatch.gpkg")));
    const auto full = dir / "full.txt";
    REQUIRE(std::system(("ogrinfo " + shell_quote((dir / "out" / "borderwatch.gpkg").string()) +
                         " incidents > " + shell_quote(full.string()) + " 2>&1")
                            .c_str()) == 0);
    CHECK(read_text_file(full).find("Non-conformant") == std::string::npos);
    CHECK(read_text_file(full).find("event_date (Date) = 2025/10/09") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("issue 13: locate --format json and geojson write lon/lat as numbers",
          "[issue13][locate]") {
    const std::string csv = "name,lon,lat\nA,70.78902,+38.45373\n";
    for (const char *format : {"json", "geojson"}) {
        INFO(format);
        const auto r = run_cli({"locate", "--input", "-", "--format", format}, csv);
        REQUIRE(r.exit_code == 0);
        const auto doc = nlohmann::json::parse(r.stdout_text);
        const auto &row = std::string(format) == "json" ? doc[0] : doc["features"][0]["properties"];
        CHECK(row["lon"].is_number());
        CHECK(row["lat"].is_number());
        CHECK(row["lon"].get<double>() == 70.78902);
        CHECK(row["lat"].get<double>() == 38.45373);
        CHECK(row["name"].is_string());
    }
    const auto one = run_cli({"locate", "70.78902", "38.45373", "--format", "json"});
    REQUIRE(one.exit_code == 0);
    CHECK(nlohmann::json::parse(one.stdout_text)[0]["lon"].is_number());
}
