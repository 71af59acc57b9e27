// CLI end-to-end: borderwatch stats.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

using namespace borderwatch::test;

namespace {
const std::string k_sample =
    std::string(BORDERWATCH_REPO_ROOT) + "/samples/border_incidents_2025.csv";
const std::string k_data = std::string(BORDERWATCH_TEST_DATA) + "/incidents/";
} // namespace

TEST_CASE("stats: groupings, formats and the imprecise note", "[stats][cli]") {
    TempFile store("stats", ".gpkg");
    REQUIRE(
        run_cli({"import", k_sample, k_data + "native.csv", "--store", store.str()}).exit_code ==
        0);

    auto r = run_cli({"stats", "--store", store.str(), "--by", "side,band", "--format", "json"});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    auto json = nlohmann::json::parse(r.stdout_text);
    CHECK(json["total"]["count"] == 8);
    CHECK(json["total"]["fatalities"] == 13);
    CHECK(json["total"]["imprecise"] == 4); // Khatlon, Darvoz (x2), Shamsiddin Shohin
    CHECK(json.contains("note"));

    for (const char *by : {"side", "admin1", "admin2", "event_type", "month", "band", "sector"}) {
        r = run_cli({"stats", "--store", store.str(), "--by", by, "--format", "csv"});
        INFO(by);
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_text.rfind(std::string(by) + ",count,fatalities,imprecise,", 0) == 0);
    }
    r = run_cli({"stats", "--store", store.str(), "--by", "band", "--bands", "0,100,1000",
                 "--format", "json"});
    REQUIRE(r.exit_code == 0);
    json = nlohmann::json::parse(r.stdout_text);
    // Wide bands absorb the district uncertainties; only the province-level Khatlon incident
    // (40.9 km +- 100 km) still straddles an edge.
    CHECK(json["total"]["imprecise"] == 1);
    r = run_cli({"stats", "--store", store.str(), "--by", "sector", "--sector-km", "100",
                 "--format", "markdown"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stdout_text.rfind("| sector | count |", 0) == 0);
    r = run_cli({"stats", "--store", store.str(), "--by", "admin2", "--side", "TJK"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stdout_text.find("Imam Sahib") == std::string::npos);
    CHECK(r.stdout_text.find("Darvoz District") != std::string::npos);

    CHECK(run_cli({"stats", "--store", store.str(), "--by", "colour"}).exit_code == 2);
    CHECK(run_cli({"stats", "--store", store.str(), "--sector-km", "0"}).exit_code == 2);
    CHECK(run_cli({"stats", "--store", store.str(), "--format", "xml"}).exit_code == 2);
}
