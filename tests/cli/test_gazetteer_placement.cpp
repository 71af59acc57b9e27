// CLI end-to-end, issue 13 "The gazetteer picks the place the report means": one test per
// bullet, on the real binary with ACLED rows of real towns (tests/data/incidents/
// acled_bare_towns.csv: invented events, GeoNames coordinates of real towns).
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using namespace borderwatch::test;

namespace {

const std::string k_data = std::string(BORDERWATCH_TEST_DATA) + "/incidents/";

/// First candidate of `resolve --format json` for each query.
std::vector<nlohmann::json> resolve_first(const std::vector<std::string> &queries,
                                          const std::vector<std::string> &extra = {}) {
    std::vector<std::string> args{"resolve", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), queries.begin(), queries.end());
    const auto r = run_cli(args);
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    const auto json = nlohmann::json::parse(r.stdout_text);
    std::vector<nlohmann::json> out;
    for (const auto &entry : json) {
        REQUIRE(entry.at("matched").get<bool>());
        out.push_back(entry.at("candidates").at(0));
    }
    REQUIRE(out.size() == queries.size());
    return out;
}

/// The store with acled_bare_towns.csv, shared by the tests of this file.
std::string towns_store() {
    static TempFile store("bare-towns", ".gpkg");
    static bool ready = false;
    if (!ready) {
        const auto r = run_cli({"import", k_data + "acled_bare_towns.csv", "--store", store.str()});
        INFO(r.stderr_text);
        REQUIRE(r.exit_code == 0);
        ready = true;
    }
    return store.str();
}

/// Rows of `query --format json` as field -> text maps, by id.
std::map<std::string, std::map<std::string, std::string>>
query_rows(std::vector<std::string> args, std::string *stderr_text = nullptr) {
    args.insert(args.begin(), {"query", "--store", towns_store(), "--format", "json"});
    const auto r = run_cli(args);
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    if (stderr_text != nullptr) {
        *stderr_text = r.stderr_text;
    }
    std::map<std::string, std::map<std::string, std::string>> rows;
    for (const auto &x : nlohmann::json::parse(r.stdout_text)) {
        std::map<std::string, std::string> named;
        for (const auto &[k, v] : x.items()) {
            named[k] = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
        }
        rows[named["id"]] = named;
    }
    return rows;
}

} // namespace

TEST_CASE("issue 13 a bare name means the populated place with its admin units as context",
          "[gazetteer][cli]") {
    SECTION("towns that share their name with their district or province") {
        const std::vector<std::string> towns{"Vanj",   "Ishkashim", "Panj", "Shaartuz",
                                             "Kunduz", "Fayzabad",  "Kabul"};
        const std::vector<std::string> ids{
            "geonames:1220210", "geonames:1221614", "geonames:1220750", "geonames:1220576",
            "geonames:1135689", "geonames:1142170", "geonames:1138958"};
        const auto got = resolve_first(towns);
        for (std::size_t i = 0; i < towns.size(); ++i) {
            INFO(towns[i]);
            CHECK(got[i].at("id") == ids[i]);
            CHECK(got[i].at("kind") == "populated_place");
            CHECK(got[i].at("precision") == 1);
            // The admin units are the context of the town.
            CHECK_FALSE(got[i].at("admin1").get<std::string>().empty());
        }
        CHECK(got[0].at("admin2") == "Vanj District");
        CHECK(got[3].at("admin2") == "Shahritus District");
    }
    SECTION("the unit only when the text says so, in any script, or with --kind") {
        const auto got =
            resolve_first({"Vanj district", "Darvoz raion", "Ishkashim woleswali", "Kabul province",
                           "Badakhshan viloyat", "Ванҷ район", "ولایت کندز", "ولسوالی فیض آباد"});
        CHECK(got[0].at("id") == "16282066B67507686696316");
        CHECK(got[1].at("id") == "16282066B28036456763405");
        CHECK(got[2].at("kind") == "admin2");
        CHECK(got[3].at("id") == "12653393B60423242182357");
        CHECK(got[4].at("kind") == "admin1");
        CHECK(got[5].at("id") == "16282066B67507686696316");
        CHECK(got[6].at("id") == "12653393B86260556017558");
        CHECK(got[7].at("kind") == "admin2");
        const auto kind = resolve_first({"Vanj", "Kabul"}, {"--kind", "admin2"});
        CHECK(kind[0].at("id") == "16282066B67507686696316");
        CHECK(kind[1].at("id") == "17698898B53195345217503");
    }
    SECTION("the same answer in every script") {
        const auto got = resolve_first(
            {"Fayzabad", "فیض آباد", "Файзабад", "Vanj", "Ванҷ", "Kunduz", "Кундуз", "کندز"});
        CHECK(got[0].at("id") == got[1].at("id"));
        CHECK(got[0].at("id") == got[2].at("id"));
        CHECK(got[3].at("id") == got[4].at("id"));
        CHECK(got[5].at("id") == got[6].at("id"));
        CHECK(got[5].at("id") == got[7].at("id"));
    }
    SECTION("ACLED rows without coordinates land on the town") {
        const auto rows = query_rows({});
        CHECK(rows.at("GZ003").at("place_id") == "geonames:1221614"); // Ishqoshim
        CHECK(rows.at("GZ003").at("place_lon") == "71.61331");
        CHECK(rows.at("GZ003").at("coord_origin") == "gazetteer");
        CHECK(rows.at("GZ004").at("place_id") == "geonames:1220576"); // Shahritus town
        CHECK(rows.at("GZ004").at("place_lat") == "37.26206");
        CHECK(rows.at("GZ008").at("place_id") == "geonames:1135689"); // Kunduz city
    }
    SECTION("query --near Ishkashim --km 10 finds the incidents at the town") {
        const auto rows = query_rows({"--near", "Ishkashim", "--km", "10"});
        std::vector<std::string> found;
        for (const auto &[id, row] : rows) {
            found.push_back(id);
        }
        CHECK(found == std::vector<std::string>{"GZ001", "GZ002", "GZ003", "GZ006"});
    }
}

TEST_CASE("issue 13 location_mismatch_25km tests inside the named unit for units and within "
          "25 km for places",
          "[gazetteer][cli]") {
    const auto rows = query_rows({});
    const auto flagged = [&](const std::string &id) {
        return rows.at(id).at("flags").find("location_mismatch_25km") != std::string::npos;
    };
    // A town with its own coordinates: 0 km from the town (the district's interior point,
    // which the bare name gave before, is 73 km away).
    CHECK_FALSE(flagged("GZ001"));
    CHECK_FALSE(flagged("GZ002"));
    // A town named, coordinates 58 km away in Qalaikhumb.
    CHECK(flagged("GZ005"));
    // A district named, coordinates inside it but 73 km from its interior point.
    CHECK_FALSE(flagged("GZ006"));
    // A district named, coordinates in the neighbouring district.
    CHECK(flagged("GZ007"));
}

TEST_CASE("issue 13 near PLACE warns when PLACE is ambiguous and says which one it used",
          "[gazetteer][cli]") {
    std::string err;
    query_rows({"--near", "Ishkashim", "--km", "10"}, &err);
    CHECK_THAT(err, Catch::Contains("warning: --near: 'Ishkashim' is ambiguous; used Ishqoshim "
                                    "(populated_place, Gorno-Badakhshan Autonomous Region, TJK, "
                                    "71.61331,36.72484)"));
    CHECK_THAT(err, Catch::Contains("also matched Ashk")); // the Afghan town across the river
    CHECK_THAT(err, Catch::Contains("give LON,LAT"));
    // Context settles it: no warning.
    query_rows({"--near", "Ishkashim, Tajikistan", "--km", "10"}, &err);
    CHECK(err.empty());
    query_rows({"--near", "Khorog"}, &err);
    CHECK(err.empty());
    // The same warning from stats and export's filter (one implementation), -q silences it.
    const auto stats = run_cli({"stats", "--store", towns_store(), "--near", "Ishkashim"});
    CHECK(stats.exit_code == 0);
    CHECK_THAT(stats.stderr_text, Catch::Contains("stats: warning: --near: 'Ishkashim' is "
                                                  "ambiguous; used Ishqoshim"));
    const auto quiet = run_cli({"stats", "-q", "--store", towns_store(), "--near", "Ishkashim"});
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.stderr_text.find("ambiguous") == std::string::npos);
}
