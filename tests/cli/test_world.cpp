// Issue 17, world mode, end to end: locate anywhere, borders of many lines, --border nearest.
#include <catch2/catch.hpp>

#include "../support/skip.hpp"
#include "cli/cli_helpers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
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

TEST_CASE("import --border nearest places against every border, stats groups by it",
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
    // Sectors of world mode are per line: "<border>/<part>:<from>-<to>", the row's own border
    // and part (border_part is stored with every placed row).
    const auto sectors = run_cli({"stats", "--store", world_store.str(), "--by", "border,sector",
                                  "--border", "nearest", "--format", "json"});
    REQUIRE(sectors.exit_code == 0);
    long in_groups = 0;
    const auto sector_doc = nlohmann::json::parse(sectors.stdout_text);
    for (const auto &group : sector_doc.at("groups")) {
        const auto border = group["border"].get<std::string>();
        const auto sector = group["sector"].get<std::string>();
        INFO(border << " " << sector);
        in_groups += group["count"].get<long>();
        if (sector != "imprecise") {
            CHECK(sector.rfind(border + "/", 0) == 0);
            CHECK(sector.find(':') != std::string::npos);
        }
    }
    CHECK(in_groups == 5);
}

namespace {

nlohmann::json read_json_file(const std::filesystem::path &path) {
    return nlohmann::json::parse(borderwatch::test::read_text_file(path));
}

/// Sum of `count` over a layer's features, and the features.
long count_sum(const nlohmann::json &layer) {
    long n = 0;
    for (const auto &f : layer.at("features")) {
        n += f["properties"]["count"].get<long>();
    }
    return n;
}

} // namespace

TEST_CASE("export --border nearest and a border of several lines: layers per line",
          "[cli][export][world]") {
    const std::string sample =
        std::string(BORDERWATCH_REPO_ROOT) + "/samples/border_incidents_2025.csv";
    borderwatch::test::TempFile store("world", ".gpkg");
    REQUIRE(run_cli({"import", sample, "--border", "nearest", "--store", store.str()}).exit_code ==
            0);
    borderwatch::test::TempDir out("world-export");
    const auto dir = out.path() / "layers";
    const auto exp = run_cli({"export", "--store", store.str(), "--border", "nearest", "--out",
                              dir.string(), "--formats", "geojson,gpkg,kml"});
    REQUIRE(exp.exit_code == 0);
    // World mode builds no band polygons (every boundary on Earth, every band): said so.
    CHECK(exp.stderr_text.find("distance_bands: no polygons in world mode") != std::string::npos);
    const auto manifest = read_json_file(dir / "manifest.json");
    CHECK(manifest["border"]["lines"].template get<int>() > 300);
    CHECK(manifest["notes"].size() == 1);

    // The border layer: one MultiLineString per border, its incidents counted.
    const auto border = read_json_file(dir / "border.geojson");
    std::map<std::string, long> per_border;
    for (const auto &f : border.at("features")) {
        CHECK(f["geometry"]["type"] == "MultiLineString");
        per_border[f["properties"]["id"].get<std::string>()] =
            f["properties"]["incidents"].get<long>();
    }
    CHECK(per_border.size() > 250);
    CHECK(per_border.at("TJK-AFG") == 3);
    long placed = 0;
    for (const auto &[id, n] : per_border) {
        placed += n;
    }
    CHECK(placed == 5);

    // Sectors: per line, labelled by border and part, the counts of `stats --by sector`.
    const auto sectors = read_json_file(dir / "border_sectors.geojson");
    std::map<std::string, long> sector_counts;
    for (const auto &f : sectors.at("features")) {
        const auto &p = f["properties"];
        const auto label = p["sector"].get<std::string>();
        CHECK(label.rfind(p["border_id"].get<std::string>() + "/" +
                              std::to_string(p["part"].get<int>()) + ":",
                          0) == 0);
        if (p["count"].get<long>() > 0) {
            sector_counts[label] = p["count"].get<long>();
        }
    }
    CHECK(sectors.at("features").size() > 4000);
    const auto stats = run_cli({"stats", "--store", store.str(), "--by", "sector", "--border",
                                "nearest", "--format", "json"});
    REQUIRE(stats.exit_code == 0);
    std::map<std::string, long> stats_counts;
    const auto stats_doc = nlohmann::json::parse(stats.stdout_text);
    for (const auto &group : stats_doc.at("groups")) {
        if (group["sector"] != "imprecise") {
            stats_counts[group["sector"].get<std::string>()] = group["count"].get<long>();
        }
    }
    CHECK(sector_counts == stats_counts);
    CHECK(count_sum(sectors) ==
          static_cast<long>(manifest["incidents"].get<long>() -
                            manifest["incidents_sector_imprecise"].get<long>()));
    // GDAL reads the GeoPackage's border layer as MultiLineStrings.
    const auto info = borderwatch::test::run_cli_command(
        "ogrinfo -ro -so " + (dir / "borderwatch.gpkg").string() + " border");
    if (info.find("Geometry") == std::string::npos) {
        BW_SKIP_PART("ogrinfo", info);
    } else {
        CHECK(info.find("Multi Line String") != std::string::npos);
    }

    // The KML (MultiGeometry borders, 4,888 sectors) against the OGC KML 2.2 schema.
    const auto kml = (dir / "borderwatch.kml").string();
    const auto xsd =
        (std::filesystem::path(BORDERWATCH_TEST_DATA) / "schemas/kml-2.2/ogckml22.xsd").string();
    const auto lint = borderwatch::test::run_cli_command(
        "command -v xmllint >/dev/null || echo no-xmllint; xmllint --noout --nonet --schema " +
        xsd + " " + kml);
    if (lint.find("no-xmllint") != std::string::npos) {
        BW_SKIP_PART("xmllint", "not installed, KML schema check skipped");
    } else {
        CHECK(lint.find(kml + " validates") != std::string::npos);
    }

    // Every sector is a feature: a tiny --sector-km on 234,000 km of boundary is refused
    // before anything is written.
    const auto tiny_dir = out.path() / "tiny";
    const auto tiny = run_cli({"export", "--store", store.str(), "--border", "nearest",
                               "--sector-km", "0.1", "--out", tiny_dir.string()});
    CHECK(tiny.exit_code == 2);
    CHECK(tiny.stderr_text.find("into 2342814 sectors; at most 1000000") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tiny_dir));

    // A border of several lines (USA-CAN: 3): sectors restart on every line, bands on both
    // sides of every line.
    borderwatch::test::TempDir us("usa-can-export");
    const auto us_dir = us.path() / "layers";
    const auto usa = run_cli({"export", "--store", store.str(), "--border", "USA-CAN", "--out",
                              us_dir.string(), "--formats", "geojson"});
    REQUIRE(usa.exit_code == 0);
    CHECK(usa.stderr_text.empty());
    const auto us_manifest = read_json_file(us_dir / "manifest.json");
    CHECK(us_manifest["border"]["lines"] == 3);
    const auto us_border = read_json_file(us_dir / "border.geojson");
    REQUIRE(us_border["features"].size() == 1);
    CHECK(us_border["features"][0]["geometry"]["coordinates"].size() == 3);
    std::map<int, double> line_end_km;
    const auto us_sectors = read_json_file(us_dir / "border_sectors.geojson");
    for (const auto &f : us_sectors.at("features")) {
        const auto &p = f["properties"];
        CHECK(p["border_id"] == "USA-CAN");
        const int part = p["part"].get<int>();
        if (p["sector_index"] == 0) {
            CHECK(p["from_km"].get<double>() == 0.0);
        }
        line_end_km[part] = std::max(line_end_km[part], p["to_km"].get<double>());
    }
    REQUIRE(line_end_km.size() == 3);
    double total_km = 0;
    for (const auto &[part, km] : line_end_km) {
        total_km += km;
    }
    CHECK(total_km == Approx(us_manifest["border"]["length_km"].get<double>()).margin(0.01));
    std::map<std::string, int> band_sides;
    const auto us_bands = read_json_file(us_dir / "distance_bands.geojson");
    for (const auto &f : us_bands.at("features")) {
        ++band_sides[f["properties"]["side"].get<std::string>()];
    }
    CHECK(band_sides["USA"] == 6);
    CHECK(band_sides["CAN"] == 6);
}
