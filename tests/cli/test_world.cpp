// Issue 17, world mode, end to end: locate anywhere, borders of many lines, --border nearest.
#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

using borderwatch::test::run_cli;
using borderwatch::test::split_lines;

TEST_CASE("locate: side anywhere on land (Paris is FRA)", "[cli][locate][world]") {
    const auto r = run_cli({"locate", "2.35", "48.85", "--format", "json"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto rows = nlohmann::json::parse(r.stdout_text);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]["side"] == "FRA");
    CHECK(!rows[0].contains("part")); // TJK-AFG is one line: the eight columns only
    const auto sea =
        nlohmann::json::parse(run_cli({"locate", "-30", "0", "--format", "json"}).stdout_text);
    CHECK(sea[0]["side"] == "");
}

TEST_CASE("locate --border USA-CAN: a border of many lines", "[cli][locate][world]") {
    const auto r = run_cli({"locate", "--border", "USA-CAN", "-100", "48.9", "--format", "csv"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "lon,lat,border_distance_m,nearest_lon,nearest_lat,chainage_km,side,admin1,"
                      "admin2,bearing_deg,border_id,part");
    CHECK(lines[1].find(",USA,") != std::string::npos);
    CHECK(lines[1].find(",USA-CAN,") != std::string::npos);
    const auto chl = run_cli({"locate", "--border", "ARG-CHL", "-70.65", "-33.45"});
    CHECK(chl.exit_code == 0);
    CHECK(chl.stdout_text.find(",CHL,") != std::string::npos);
    const auto facts = run_cli({"border", "--border", "USA-CAN", "--format", "json"});
    REQUIRE(facts.exit_code == 0);
    CHECK(nlohmann::json::parse(facts.stdout_text)["parts"].get<int>() > 1);
}

TEST_CASE("locate --border nearest: the nearest international land boundary",
          "[cli][locate][world]") {
    const auto r = run_cli({"locate", "--border", "nearest", "-i", "-", "--format", "json"},
                           "id,lon,lat\nparis,2.35,48.85\nqalai_khumb,70.78902,38.45373\n"
                           "ottawa,-75.70,45.42\n");
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto rows = nlohmann::json::parse(r.stdout_text);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0]["side"] == "FRA");
    CHECK(rows[0]["border_id"].get<std::string>().find("FRA") != std::string::npos);
    CHECK(rows[0]["part"].is_number());
    CHECK(rows[1]["border_id"] == "TJK-AFG"); // the canonical line takes precedence
    CHECK(rows[1]["side"] == "TJK");
    CHECK(rows[2]["side"] == "CAN");
    CHECK(rows[2]["border_id"] == "CAN-USA"); // world mode: the pair as the data orients it
    CHECK(rows[2]["own_border_distance_m"] == rows[2]["border_distance_m"]);
    // Paris: the nearest boundary is FRA's own, so the two distances agree.
    CHECK(rows[0]["own_border_distance_m"] == rows[0]["border_distance_m"]);
    CHECK(rows[0]["neighbour"] == "BEL");
    CHECK(rows[1]["neighbour"] == "AFG");
    CHECK(rows[2]["neighbour"] == "USA");
    CHECK(rows[0]["nearest_country"] == "FRA"); // on land: the country itself
    const auto sea = nlohmann::json::parse(
        run_cli({"locate", "--border", "nearest", "-30", "0", "--format", "json"}).stdout_text);
    CHECK(sea[0]["side"] == "");
    CHECK(sea[0]["own_border_distance_m"].is_null());
    CHECK(sea[0]["neighbour"] == "");
    CHECK(sea[0]["nearest_country"] == "BRA"); // at sea: the country of the nearest coast
    // The same bytes as the TJK-AFG engine for a point nearest to TJK-AFG.
    const auto one = run_cli({"locate", "70.78902", "38.45373", "--format", "json"});
    CHECK(nlohmann::json::parse(one.stdout_text)[0]["border_distance_m"] ==
          rows[1]["border_distance_m"]);
    const auto facts = run_cli({"border", "--border", "nearest", "--format", "json"});
    REQUIRE(facts.exit_code == 0);
    CHECK(nlohmann::json::parse(facts.stdout_text)["id"] == "nearest");
}

TEST_CASE("import --border nearest places against every border, stats groups by it, export refuses",
          "[cli][import][world]") {
    const std::string sample =
        std::string(BORDERWATCH_REPO_ROOT) + "/samples/border_incidents_2025.csv";
    borderwatch::test::TempFile world_store("world", ".gpkg");
    borderwatch::test::TempFile tjk_store("tjk", ".gpkg");
    REQUIRE(run_cli({"import", sample, "--border", "nearest", "--store", world_store.str()})
                .exit_code == 0);
    REQUIRE(run_cli({"import", sample, "--store", tjk_store.str()}).exit_code == 0);
    auto distances = [](const std::string &store) {
        const auto r = run_cli({"query", "--store", store, "--format", "json"});
        REQUIRE(r.exit_code == 0);
        std::map<std::string, double> out;
        for (const auto &row : nlohmann::json::parse(r.stdout_text)) {
            out[row["id"].get<std::string>()] = row["border_distance_m"].get<double>();
        }
        return out;
    };
    const auto world = distances(world_store.str());
    const auto tjk = distances(tjk_store.str());
    REQUIRE(world.size() == 5);
    for (const auto &[id, d] : world) {
        INFO(id);
        CHECK(d <= tjk.at(id)); // the nearest of all borders is never farther than TJK-AFG
    }
    // Kabul: nearer to the AFG-PAK border than to TJK-AFG.
    CHECK(world.at("BW-2025-11-PAK-KBL") < tjk.at("BW-2025-11-PAK-KBL") - 100000.0);
    // Every row says which border its distance is to (issue 17: summarised per border).
    auto borders = [](const std::string &store) {
        const auto r = run_cli({"query", "--store", store, "--format", "json"});
        REQUIRE(r.exit_code == 0);
        std::map<std::string, std::string> out;
        for (const auto &row : nlohmann::json::parse(r.stdout_text)) {
            out[row["id"].get<std::string>()] = row["border_id"].get<std::string>();
        }
        return out;
    };
    const auto world_borders = borders(world_store.str());
    for (const auto &[id, border] : borders(tjk_store.str())) {
        CHECK(border == "TJK-AFG");
    }
    const std::string kabul_border = world_borders.at("BW-2025-11-PAK-KBL");
    CHECK((kabul_border == "AFG-PAK" || kabul_border == "PAK-AFG"));
    const auto by_border =
        run_cli({"stats", "--store", world_store.str(), "--by", "border", "--format", "json"});
    REQUIRE(by_border.exit_code == 0);
    std::map<std::string, long> counted;
    const auto stats = nlohmann::json::parse(by_border.stdout_text);
    for (const auto &group : stats.at("groups")) {
        counted[group["border"].get<std::string>()] = group["count"].get<long>();
    }
    std::map<std::string, long> expected;
    for (const auto &[id, border] : world_borders) {
        ++expected[border];
    }
    CHECK(counted == expected);
    CHECK(counted.size() >= 2);
    // Sectors run along one line: not across the borders of a world store.
    const auto sectors = run_cli(
        {"stats", "--store", world_store.str(), "--by", "border,sector", "--border", "nearest"});
    CHECK(sectors.exit_code == 2);
    CHECK(sectors.stderr_text.find("--by border") != std::string::npos);
    const auto exp =
        run_cli({"export", "--store", world_store.str(), "--border", "USA-CAN", "--out",
                 borderwatch::test::unique_temp_path("world-export").string()});
    CHECK(exp.exit_code == 2);
    CHECK(exp.stderr_text.find("has 3 lines") != std::string::npos);
}
