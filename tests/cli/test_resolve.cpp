// borderwatch resolve end-to-end: formats, input files and stdin, per-line errors, options.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

using borderwatch::test::run_cli;
using borderwatch::test::split_lines;
using borderwatch::test::TempFile;

namespace {

const std::string data_dir = std::string(BORDERWATCH_TEST_DATA) + "/gazetteer";
const std::string header =
    "query,name,matched,id,kind,country,admin1,admin2,lon,lat,score,precision,ambiguous,"
    "suggestions";

} // namespace

TEST_CASE("resolve --help", "[resolve][cli]") {
    const auto r = run_cli({"resolve", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.rfind("Usage: borderwatch resolve [OPTIONS]", 0) == 0);
    CHECK(r.stdout_text.find("--input") != std::string::npos);
    CHECK(r.stdout_text.find("--min-score") != std::string::npos);
    CHECK(r.stdout_text.find("Exit status") != std::string::npos);
}

TEST_CASE("resolve queries given as arguments, csv", "[resolve][cli]") {
    const auto r =
        run_cli({"resolve", "--format", "csv", "Shamsiddin Shokhin", "Дарвоз", "Beijing"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 5); // header, 1, 2 (Darvoz is ambiguous), no-match row
    CHECK(lines[0] == header);
    CHECK(lines[1] ==
          "Shamsiddin Shokhin,Shamsiddin Shohin District,Shamsiddin Shokhin,"
          "16282066B44711875302411,admin2,TJK,Khatlon Region,Shamsiddin Shohin District,"
          "70.03276,37.842524,0.95,3,false,");
    CHECK(lines[2].rfind("Дарвоз,Darvoz District,", 0) == 0);
    CHECK(lines[2].find(",true,") != std::string::npos);
    CHECK(lines[3].find("17698898B757957454065") != std::string::npos);
    CHECK(lines[4].rfind("Beijing,,,,,,,,,,0,,false,", 0) == 0);
}

TEST_CASE("resolve --format json and table", "[resolve][cli]") {
    const auto r = run_cli({"resolve", "--format", "json", "Badakhshan", "Shohin SM"});
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.stdout_text);
    REQUIRE(j.size() == 2);
    CHECK(j[0]["query"] == "Badakhshan");
    CHECK(j[0]["matched"] == true);
    REQUIRE(j[0]["candidates"].size() >= 2);
    CHECK(j[0]["candidates"][0]["ambiguous"] == true);
    CHECK(j[0]["candidates"][0]["precision"] == 4);
    CHECK(j[1]["matched"] == false);
    CHECK(j[1]["candidates"].empty());
    CHECK_FALSE(j[1]["suggestions"].empty());

    const auto t = run_cli({"resolve", "--format", "table", "Khatlon"});
    REQUIRE(t.exit_code == 0);
    const auto lines = split_lines(t.stdout_text);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].rfind("query ", 0) == 0);
    CHECK(lines[1].find("86453995B79808671966952") != std::string::npos);
}

TEST_CASE("resolve --input with bad lines: per-line errors, the rest resolved", "[resolve][cli]") {
    const std::string content = "Khatlon\n\nDar\xff"
                                "voz\n" +
                                std::string(600, 'x') + "\r\nQal'ai Khumb\r\n   \n";
    TempFile input("queries", ".txt", content);
    const auto r = run_cli({"resolve", "--input", input.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    const auto out = split_lines(r.stdout_text);
    REQUIRE(out.size() == 3);
    CHECK(out[1].find("86453995B79808671966952") != std::string::npos);
    CHECK(out[2].find("geonames:1221559") != std::string::npos);
    const auto err = split_lines(r.stderr_text);
    REQUIRE(err.size() == 5);
    CHECK(err[0] == input.str() + ":2: field 'query': empty query");
    CHECK(err[1] == input.str() + ":3: field 'query': invalid UTF-8 at byte 3");
    CHECK(err[2] == input.str() + ":4: field 'query': query is 600 bytes long (limit 500)");
    CHECK(err[3] == input.str() + ":6: field 'query': empty query");
    CHECK(err[4].find("4 of 6 queries rejected") != std::string::npos);
}

TEST_CASE("resolve reads stdin with --input -", "[resolve][cli]") {
    const auto r = run_cli({"resolve", "--input", "-", "--format", "csv"}, "Khorog\nХатлон\n");
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].find("geonames:1221328") != std::string::npos);
    CHECK(lines[2].find("86453995B79808671966952") != std::string::npos);
}

TEST_CASE("resolve options: --country --admin1 --kind --top --min-score", "[resolve][cli]") {
    auto r = run_cli({"resolve", "--format", "csv", "--country", "AFG", "Darvaz"});
    REQUIRE(r.exit_code == 0);
    CHECK(split_lines(r.stdout_text)[1].find("17698898B757957454065") != std::string::npos);

    r = run_cli({"resolve", "--format", "csv", "--kind", "populated_place", "Shuroobod"});
    REQUIRE(r.exit_code == 0);
    CHECK(split_lines(r.stdout_text)[1].find("geonames:1220479") != std::string::npos);

    r = run_cli({"resolve", "--format", "csv", "--admin1", "Хатлон", "--top", "2", "Panj"});
    REQUIRE(r.exit_code == 0);
    CHECK(split_lines(r.stdout_text).size() == 3);

    r = run_cli({"resolve", "--format", "csv", "--min-score", "0.99", "Khorog"});
    REQUIRE(r.exit_code == 0);
    CHECK(split_lines(r.stdout_text)[1].rfind("Khorog,,", 0) == 0);
}

TEST_CASE("resolve with user GeoNames and alias files", "[resolve][cli]") {
    const auto r =
        run_cli({"resolve", "--format", "csv", "--geonames", data_dir + "/synthetic_geonames.tsv",
                 "--aliases", data_dir + "/user_aliases.tsv", "Kavo village", "Shohin district"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].find("geonames:999000001") != std::string::npos);
    CHECK(lines[2].find("16282066B44711875302411") != std::string::npos);

    TempFile bad("aliases", ".tsv", "Foo\tno-such-id\n");
    const auto b = run_cli({"resolve", "--aliases", bad.str(), "Khatlon"});
    CHECK(b.exit_code == 1);
    CHECK(b.stderr_text.find(bad.str() + ":1:2: field 'id': unknown place id 'no-such-id'") !=
          std::string::npos);
}

TEST_CASE("resolve usage errors exit 2", "[resolve][cli]") {
    CHECK(run_cli({"resolve"}).exit_code == 2);
    CHECK(run_cli({"resolve", "--input", "-", "Khatlon"}).exit_code == 2);
    CHECK(run_cli({"resolve", "--format", "xml", "Khatlon"}).exit_code == 2);
    CHECK(run_cli({"resolve", "--top", "0", "Khatlon"}).exit_code == 2);
    CHECK(run_cli({"resolve", "--kind", "galaxy", "Khatlon"}).exit_code == 2);
    const auto r = run_cli({"resolve", "--country", "Narnia", "Khatlon"});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("unknown country 'Narnia'") != std::string::npos);
    CHECK(run_cli({"resolve", "--input", "/nonexistent/queries.txt"}).exit_code == 1);
}
