// CLI end-to-end: borderwatch extract (issue 16): the five news test reports -> candidate
// incidents -> import.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using namespace borderwatch::test;

namespace {
const std::string k_news = std::string(BORDERWATCH_TEST_DATA) + "/news/";

std::vector<std::string> news_args(std::vector<std::string> args) {
    for (const char *name :
         {"report-1.txt", "report-2.html", "report-3.txt", "report-4.txt", "report-5.txt"}) {
        args.push_back(k_news + name);
    }
    return args;
}
} // namespace

TEST_CASE("extract: news reports to CSV, then import -", "[extract][cli]") {
    const auto r = run_cli(news_args({"extract", "--published", "2025-12-26"}));
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 6); // header + the five incidents of the sample
    CHECK(lines[0].rfind("id,event_date,event_date_end,date_precision,event_type", 0) == 0);
    CHECK(r.stdout_text.find("2025-12-23,2025-12-24,range,Battles,Armed clash") !=
          std::string::npos);
    CHECK(r.stdout_text.find("2025-11-30,2025-11-30,day,Violence against civilians,Attack") !=
          std::string::npos);

    TempFile store("extract", ".gpkg");
    const auto imported = run_cli({"import", "-", "--store", store.str()}, r.stdout_text);
    INFO(imported.stderr_text);
    REQUIRE(imported.exit_code == 0);
    CHECK(imported.stdout_text.find("imported 5 of 5 rows") != std::string::npos);
    const auto q = run_cli({"query", "--store", store.str(), "--format", "csv"});
    REQUIRE(q.exit_code == 0);
    CHECK(split_lines(q.stdout_text).size() == 6);
}

TEST_CASE("extract: --format json, stdin, --import", "[extract][cli]") {
    const auto j = run_cli(news_args({"extract", "--published", "2025-12-26", "--format", "json"}));
    REQUIRE(j.exit_code == 0);
    const auto doc = nlohmann::json::parse(j.stdout_text);
    REQUIRE(doc.size() == 5);
    for (const auto &c : doc) {
        CHECK(c["extractor_version"] == "extract-1");
        CHECK_FALSE(c["evidence"].empty());
        CHECK(c["confidence"].get<double>() >= 0.5);
    }

    const auto in = run_cli({"extract", "--published", "2025-12-26", "-"},
                            "On November 30, gunmen opened fire on workers in Darvoz district, "
                            "killing at least two people.\n");
    REQUIRE(in.exit_code == 0);
    CHECK(in.stdout_text.find("Darvoz district") != std::string::npos);

    TempFile store("extract-import", ".gpkg");
    const auto imp = run_cli(
        news_args({"extract", "--published", "2025-12-26", "--import", "--store", store.str()}));
    INFO(imp.stderr_text);
    REQUIRE(imp.exit_code == 0);
    CHECK(imp.stdout_text.find("5 inserted") != std::string::npos);
}

TEST_CASE("extract: usage errors", "[extract][cli]") {
    CHECK(run_cli({"extract", "--published", "26.12.2025", k_news + "report-1.txt"}).exit_code ==
          2);
    CHECK(run_cli({"extract", "--store", "x.gpkg", k_news + "report-1.txt"}).exit_code == 2);
    CHECK(run_cli({"extract"}).exit_code == 2);
    const auto missing = run_cli({"extract", "--published", "2025-12-26", k_news + "nope.txt"});
    CHECK(missing.exit_code == 1);
    CHECK(missing.stderr_text.find("nope.txt") != std::string::npos);
}
