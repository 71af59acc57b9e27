// Issue 14 through the binary on GeoPackage stores: an older store gains the source columns
// when opened (schema version 2), every ACLED/UCDP column reaches `query` and the
// GeoPackage export (read back with GDAL), and --source-version is checked at parse time.
// The week-by-week sync on both backends: tests/pg/test_sync_sources.cpp.
#include "cli_helpers.hpp"

#include <borderwatch/core/csv.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>

using namespace borderwatch::test;
namespace fs = std::filesystem;

namespace {

const fs::path k_data = fs::path(BORDERWATCH_TEST_DATA) / "incidents";

std::string line_value(const std::string &text, const std::string &key) {
    for (const auto &line : split_lines(text)) {
        if (line.rfind(key + ": ", 0) == 0) {
            return line.substr(key.size() + 2);
        }
    }
    return {};
}

/// query --format csv: column -> value by id.
std::map<std::string, std::map<std::string, std::string>> query_rows(const fs::path &store) {
    const auto r = run_cli({"query", "--store", store.string(), "--format", "csv"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    std::istringstream in(r.stdout_text);
    borderwatch::CsvReader csv(in, "query");
    const auto header = csv.next();
    REQUIRE(header);
    std::map<std::string, std::map<std::string, std::string>> out;
    while (auto rec = csv.next()) {
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < rec->fields.size() && i < header->fields.size(); ++i) {
            row[header->fields[i]] = rec->fields[i];
        }
        out[row["id"]] = row;
    }
    return out;
}

} // namespace

TEST_CASE("issue 14: an older GeoPackage store gains the source columns when opened",
          "[issue14][cli]") {
    TempDir dir("issue14-migrate");
    const auto store = dir.path() / "old.gpkg";
    fs::copy_file(k_data / "issue13" / "store_before_issue13.gpkg", store);
    auto r = run_cli({"store", "info", "--store", store.string()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(line_value(r.stdout_text, "schema_version") == "5");
    CHECK(line_value(r.stdout_text, "remembered_deletions") == "0");
    const auto before = query_rows(store);
    REQUIRE(before.size() == 4);
    CHECK(before.begin()->second.count("disorder_type") == 1);
    CHECK(before.begin()->second.at("timestamp").empty()); // NULL until imported again

    r = run_cli({"import", (k_data / "acled_current.csv").string(),
                 (k_data / "ucdp_ged.csv").string(), "--store", store.string()});
    INFO(r.stdout_text << r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto rows = query_rows(store);
    CHECK(rows.at("TJK1001").at("disorder_type") == "Political violence");
    CHECK(rows.at("TJK1001").at("timestamp") == "1760000000");
    CHECK(rows.at("TJK1001").at("source_revision") == "1760000000");
    CHECK(rows.at("TJK1002").at("civilian_targeting") == "Civilian targeting");
    CHECK(rows.at("UCDP-500101").at("conflict_name") == "Tajikistan: Government");
    CHECK(rows.at("UCDP-500101").at("event_type") == "Battles");
    CHECK(rows.at("UCDP-500101").at("type_of_violence") == "1");
    CHECK(rows.at("UCDP-500101").at("source_version").empty()); // the name states no release
    CHECK(rows.at("UCDP-500101").at("source_revision").empty());

    // The GeoPackage export carries the columns, typed (read back with GDAL).
    r = run_cli({"export", "--store", store.string(), "--out", (dir.path() / "out").string(),
                 "--formats", "gpkg"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto info = run_cli_command(
        "ogrinfo -ro -al -so " + shell_quote((dir.path() / "out" / "borderwatch.gpkg").string()) +
        " incidents");
    CHECK(info.find("disorder_type: String") != std::string::npos);
    CHECK(info.find("deaths_civilians: Integer") != std::string::npos);
    CHECK(info.find("where_description: String") != std::string::npos);
}

TEST_CASE("issue 14: import --source-version is checked at parse time", "[issue14][cli]") {
    TempDir dir("issue14-version");
    const auto store = dir.path() / "s.gpkg";
    auto r = run_cli({"import", (k_data / "ucdp_ged.csv").string(), "--store", store.string(),
                      "--source-version", "latest"});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("--source-version: 'latest' is not a release") != std::string::npos);
    CHECK_FALSE(fs::exists(store));
    r = run_cli({"import", (k_data / "ucdp_ged.csv").string(), "--store", store.string(),
                 "--source-version", "25.0.10"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto rows = query_rows(store);
    CHECK(rows.at("UCDP-500101").at("source_version") == "25.0.10");
    CHECK(rows.at("UCDP-500101").at("source_revision") == "25000010");
    r = run_cli({"import", "--help"});
    CHECK(r.stdout_text.find("--source-version") != std::string::npos);
}
