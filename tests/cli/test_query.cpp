// CLI end-to-end: borderwatch query with every filter and output format.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

using namespace borderwatch::test;

namespace {

const std::string k_data = std::string(BORDERWATCH_TEST_DATA) + "/incidents/";
const std::string k_sample =
    std::string(BORDERWATCH_REPO_ROOT) + "/samples/border_incidents_2025.csv";

/// A store with the sample + native test incidents, shared by the tests of this file.
std::string shared_store() {
    static TempFile store("query", ".gpkg");
    static bool ready = false;
    if (!ready) {
        const auto r =
            run_cli({"import", k_sample, k_data + "native_v2.csv", "--store", store.str()});
        REQUIRE(r.exit_code == 0);
        ready = true;
    }
    return store.str();
}

std::vector<std::string> ids(std::vector<std::string> args) {
    args.insert(args.begin(), {"query", "--store", shared_store(), "--format", "csv"});
    const auto r = run_cli(args);
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> out;
    const auto lines = split_lines(r.stdout_text);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        out.push_back(lines[i].substr(0, lines[i].find(',')));
    }
    return out;
}

using V = std::vector<std::string>;

} // namespace

TEST_CASE("query: every filter", "[query][cli]") {
    CHECK(ids({}).size() == 9);
    CHECK(ids({"--within-km", "5"}) == V{"N-1", "N-3"});
    CHECK(ids({"--within-km", "10"}) == V{"N-1", "N-3", "N-4"});
    CHECK(ids({"--beyond-km", "100"}) == V{"BW-2025-11-PAK-KBL", "BW-2025-11-PAK-KHO"});
    CHECK(ids({"--side", "AFG"}) == V{"BW-2025-11-PAK-KBL", "BW-2025-11-PAK-KHO", "N-4"});
    CHECK(ids({"--admin2", "Shamsiddin Shokhin"}) == V{"BW-2025-12-23-SSH"});
    CHECK(ids({"--admin2", "Darboz"}) == V{"BW-2025-11-30-DRV", "N-2"});
    CHECK(ids({"--admin1", "Khatron"}) ==
          V{"BW-2025-11-26-KHT", "BW-2025-12-23-SSH", "N-1", "N-3"});
    CHECK(ids({"--near", "Panj", "--km", "10"}) == V{"N-1", "N-3"});
    CHECK(ids({"--near", "69.0991,37.2363", "--km", "30"}) == V{"N-1", "N-3", "N-4"});
    CHECK(ids({"--bbox", "68.5,37,69.5,37.5"}) == V{"N-1", "N-3", "N-4"});
    CHECK(ids({"--from", "2025-12-24"}) == V{"BW-2025-12-23-SSH", "N-3"}); // ranges overlap
    CHECK(ids({"--from", "2025-11", "--to", "2025-11"}) ==
          V{"BW-2025-11-26-KHT", "BW-2025-11-30-DRV", "BW-2025-11-PAK-KBL", "BW-2025-11-PAK-KHO"});
    CHECK(ids({"--type", "Battles"}) == V{"BW-2025-12-23-SSH", "N-1", "N-4"});
    CHECK(ids({"--type", "drone strike"}) == V{"BW-2025-11-26-KHT", "N-3"});
    CHECK(ids({"--min-fatalities", "3"}) == V{"BW-2025-11-26-KHT", "BW-2025-12-23-SSH", "N-1"});
    // "Kabul" (no coordinates) is the city, an exact place (issue 13: a bare name means the
    // populated place; it was the province, precision 4).
    CHECK(ids({"--precision-max", "1"}) == V{"BW-2025-11-PAK-KBL", "N-1", "N-3", "N-4"});
    CHECK(ids({"--side", "TJK", "--precision-max", "3", "--from", "2025-12"}) ==
          V{"BW-2025-12-23-SSH", "N-1", "N-2", "N-3"});
}

TEST_CASE("query: impossible filters are usage errors with a suggestion", "[query][cli]") {
    CHECK(ids({"--side", "afghanistan"}) == ids({"--side", "AFG"}));
    CHECK(ids({"--side", "Tajikistan"}) == ids({"--side", "TJK"}));
    const auto fails = [](std::vector<std::string> args, const std::string &needle) {
        args.insert(args.begin(), {"query", "--store", shared_store()});
        const auto r = run_cli(args);
        CHECK(r.exit_code == 2);
        CHECK(r.stdout_text.empty());
        CHECK_THAT(r.stderr_text, Catch::Contains(needle));
        CHECK_THAT(r.stderr_text, !Catch::Contains("internal error"));
    };
    fails({"--from", "2025-13-45"}, "did you mean '2025-12-31'");
    fails({"--from", "2025-02-30"}, "did you mean '2025-02-28'");
    fails({"--from", "2025-12", "--to", "2025-11"}, "is after --to");
    fails({"--side", "Uzbekistan"}, "accepted: TJK (Tajikistan), AFG (Afghanistan)");
    fails({"--admin2", "Xyzzy"}, "no admin2 unit matches 'Xyzzy'");
    fails({"--admin1", "Xyzzy"}, "no admin1 unit matches 'Xyzzy'");
}

TEST_CASE("query: output formats", "[query][cli]") {
    auto r = run_cli({"query", "--store", shared_store(), "--format", "json", "--side", "AFG"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto json = nlohmann::json::parse(r.stdout_text);
    REQUIRE(json.size() == 3);
    CHECK(json[2]["id"] == "N-4");
    CHECK(json[2]["coord_origin"] == "given");
    CHECK(json[2]["admin2"] == "Imam Sahib");
    r = run_cli({"query", "--store", shared_store(), "--format", "geojson"});
    REQUIRE(r.exit_code == 0);
    const auto geo = nlohmann::json::parse(r.stdout_text);
    CHECK(geo["type"] == "FeatureCollection");
    REQUIRE(geo["features"].size() == 9);
    CHECK(geo["features"][0]["geometry"]["type"] == "Point");
    r = run_cli({"query", "--store", shared_store(), "--format", "table", "--within-km", "5"});
    REQUIRE(r.exit_code == 0);
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].rfind("id ", 0) == 0);
    r = run_cli({"query", "--store", shared_store(), "--format", "csv", "--ids"});
    CHECK(r.exit_code == 2);
    r = run_cli({"query", "--store", shared_store(), "--bbox", "70,38,69,37"});
    CHECK(r.exit_code == 2);
    r = run_cli({"query", "--store", "/nonexistent/dir/none.gpkg"});
    CHECK(r.exit_code == 1);
}
