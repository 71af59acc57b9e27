// CLI end-to-end: one event coded by ACLED and by UCDP is linked into one event cluster and
// counted once by stats and export; query --clusters shows it; --no-link and same_as
// override the rule.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace borderwatch::test;

namespace {

const std::string k_data = std::string(BORDERWATCH_TEST_DATA) + "/incidents/";

std::string first_line(const std::string &file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

/// The ACLED and UCDP test layouts, each with the same clash at Panj on 2025-11-02 (ACLED at
/// the town, UCDP 1.3 km away), and one event each that the other source does not have.
void write_sources(const fs::path &dir) {
    std::ofstream(dir / "acled.csv")
        << first_line(k_data + "acled_current.csv") << '\n'
        << "TJK3001,2025-11-02,2025,1,Political violence,Battles,Armed clash,Military Forces of "
           "Tajikistan (1994-),Border Guards,1,Unidentified Armed Group (Afghanistan),,3,13,,762,"
           "Caucasus and Central Asia,Tajikistan,Khatlon,Panj,,Panj,37.2363,69.0991,1,Asia-Plus,"
           "National,\"On 2 November 2025, border guards clashed with intruders near Panj. 2 "
           "killed.\",2,,1762100000\n"
        << "TJK3002,2025-10-20,2025,1,Political violence,Battles,Armed clash,Military Forces of "
           "Afghanistan (2021-),,1,NRF: National Resistance Front,,2,12,,4,Caucasus and Central "
           "Asia,Afghanistan,Badakhshan,Fayzabad,,Fayzabad,37.1166,70.5800,1,Amu TV,National,"
           "\"Clash near Fayzabad.\",4,,1762100001\n";
    std::ofstream(dir / "ucdp.csv")
        << first_line(k_data + "ucdp_ged.csv") << '\n'
        << "500201,TJK-2025-1-1-9,2025,TRUE,Clear,1,999,999,Tajikistan: Government,999,999,"
           "Government of Tajikistan - Jamaat Ansarullah,702,702,Government of Tajikistan,1001,"
           "1001,Jamaat Ansarullah,2,\"Asia-Plus, 2025-11-03\",Asia-Plus,2025-11-03,Border guards "
           "kill intruders,Tajik State Committee for National Security,1,Panj town,\"Panj town, "
           "Khatlon\",Khatlon province,Panj district,37.2480,69.0991,POINT (69.0991 37.2480),"
           "180939,Tajikistan,702,Europe,1,1,2025-11-02 00:00:00.000,2025-11-02 00:00:00.000,0,3,"
           "0,0,3,5,2,702,\n"
        << "500202,TJK-2025-1-1-10,2025,TRUE,Clear,3,999,999,Jamaat Ansarullah - Civilians,999,"
           "999,Jamaat Ansarullah - Civilians,1001,1001,Jamaat Ansarullah,1,1,Civilians,1,"
           "\"Radio Ozodi, 2025-12-12\",Radio Ozodi,2025-12-12,Attack on workers,Local residents,"
           "1,Shurobod,\"Shurobod\",Khatlon province,Shamsiddin Shohin district,37.8414,70.0487,"
           "POINT (70.0487 37.8414),181660,Tajikistan,702,Europe,1,1,2025-12-12 00:00:00.000,"
           "2025-12-12 00:00:00.000,0,0,1,0,1,1,1,,\n";
}

} // namespace

TEST_CASE("an event coded by ACLED and UCDP is linked and counted once", "[clusters][cli]") {
    const auto dir = unique_temp_path("clusters");
    fs::create_directories(dir);
    write_sources(dir);
    const auto store = (dir / "store.gpkg").string();
    auto r = run_cli(
        {"import", (dir / "acled.csv").string(), (dir / "ucdp.csv").string(), "--store", store});
    INFO(r.stdout_text << r.stderr_text);
    REQUIRE(r.exit_code == 0);

    // stats: 4 rows, 3 events; fatalities 2 (ACLED) and 3 (UCDP) of one event count as the
    // lower median, 2; + 4 + 1.
    r = run_cli({"stats", "--store", store, "--format", "json"});
    REQUIRE(r.exit_code == 0);
    auto json = nlohmann::json::parse(r.stdout_text);
    CHECK(json["total"]["count"] == 3);
    CHECK(json["total"]["fatalities"] == 7);
    CHECK(json["merged_rows"] == 1);
    CHECK(json["note"].get<std::string>().find("1 row(s) report an event") != std::string::npos);
    r = run_cli({"stats", "--store", store, "--format", "json", "--no-link"});
    json = nlohmann::json::parse(r.stdout_text);
    CHECK(json["total"]["count"] == 4);
    CHECK(json["total"]["fatalities"] == 10);
    CHECK(json["merged_rows"] == 0);

    // query: every row with its cluster; --clusters only the linked pair, grouped.
    r = run_cli({"query", "--store", store, "--format", "json"});
    REQUIRE(r.exit_code == 0);
    json = nlohmann::json::parse(r.stdout_text);
    REQUIRE(json.size() == 4);
    for (const auto &row : json) {
        const auto id = row["id"].get<std::string>();
        INFO(id);
        if (id == "TJK3001" || id == "UCDP-500201") {
            CHECK(row["event_cluster"] == "TJK3001");
            CHECK(row["cluster_size"] == 2);
        } else {
            CHECK(row["event_cluster"] == id);
            CHECK(row["cluster_size"] == 1);
        }
    }
    r = run_cli({"query", "--store", store, "--format", "csv", "--clusters"});
    REQUIRE(r.exit_code == 0);
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].substr(lines[0].size() - 26) == "event_cluster,cluster_size");
    CHECK(lines[1].rfind("TJK3001,", 0) == 0);
    CHECK(lines[2].rfind("UCDP-500201,", 0) == 0);
    CHECK(lines[2].substr(lines[2].size() - 10) == ",TJK3001,2");
    r = run_cli({"query", "--store", store, "--format", "csv", "--clusters", "--no-link"});
    CHECK(split_lines(r.stdout_text).size() == 1); // the header only

    // export: every row in the incidents layer, the statistics layers count events.
    const auto out = dir / "layers";
    r = run_cli({"export", "--store", store, "--out", out.string(), "--formats", "geojson"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto layer = nlohmann::json::parse(read_text_file(out / "incidents.geojson"));
    REQUIRE(layer["features"].size() == 4);
    for (const auto &f : layer["features"]) {
        CHECK(f["properties"].contains("event_cluster"));
    }
    const auto manifest = nlohmann::json::parse(read_text_file(out / "manifest.json"));
    CHECK(manifest["incidents"] == 4);
    CHECK(manifest["merged_rows"] == 1);
    const auto border = nlohmann::json::parse(read_text_file(out / "border.geojson"));
    REQUIRE(border["features"].size() >= 1);
    CHECK(border["features"][0]["properties"]["incidents"] == 3);
    fs::remove_all(dir);
}
