// borderwatch locate / border: end-to-end through the real binary.
#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

#include <nlohmann/json.hpp>

#include <random>
#include <sstream>

using borderwatch::test::run_cli;
using borderwatch::test::split_lines;
using borderwatch::test::TempFile;

namespace {

const std::string sample_places = std::string(BORDERWATCH_TEST_DATA) + "/locate/sample_places.csv";

std::string many_points_csv(int n) {
    std::mt19937_64 rng(8);
    std::uniform_real_distribution<double> lon(67.0, 76.0);
    std::uniform_real_distribution<double> lat(36.0, 39.5);
    std::ostringstream out;
    out << "id,latitude,longitude,note\n";
    for (int i = 0; i < n; ++i) {
        out << i << "," << lat(rng) << "," << lon(rng) << ",\"row, " << i << "\"\n";
    }
    return out.str();
}

} // namespace

TEST_CASE("locate --help", "[cli][locate]") {
    const auto r = run_cli({"locate", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.rfind("Usage: borderwatch locate", 0) == 0);
    CHECK(r.stdout_text.find("Exit status") != std::string::npos);
    CHECK(r.stdout_text.find("--rejects") != std::string::npos);
    const auto b = run_cli({"border", "--help"});
    CHECK(b.exit_code == 0);
    CHECK(b.stdout_text.rfind("Usage: borderwatch border", 0) == 0);
}

TEST_CASE("locate one point", "[cli][locate]") {
    const auto r = run_cli({"locate", "70.78902", "38.45373", "--format", "csv"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] ==
          "lon,lat,border_distance_m,nearest_lon,nearest_lat,chainage_km,side,admin1,admin2,"
          "bearing_deg");
    CHECK(lines[1].rfind("70.78902,38.45373,", 0) == 0);
    CHECK(lines[1].find(",TJK,") != std::string::npos);
    CHECK(lines[1].find("Darvoz District") != std::string::npos);
    SECTION("csv is the default when stdout is not a terminal") {
        CHECK(run_cli({"locate", "70.78902", "38.45373"}).stdout_text == r.stdout_text);
    }
    SECTION("negative longitude needs no --") {
        const auto w = run_cli({"locate", "-70.5", "38.4"});
        CHECK(w.exit_code == 0);
    }
}

TEST_CASE("locate usage errors exit 2", "[cli][locate]") {
    CHECK(run_cli({"locate"}).exit_code == 2);
    CHECK(run_cli({"locate", "70.0"}).exit_code == 2);
    CHECK(run_cli({"locate", "70.0", "38.0", "--input", sample_places}).exit_code == 2);
    CHECK(run_cli({"locate", "70.0", "38.0", "--format", "xml"}).exit_code == 2);
    CHECK(run_cli({"locate", "70.0", "38.0", "--border", "XXX-YYY"}).exit_code == 2);
    const auto bad = run_cli({"locate", "70.0", "abc"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.stderr_text.find("not a number") != std::string::npos);
    SECTION("out-of-range values name the range") {
        const auto out_of_range = run_cli({"locate", "38.45373", "95"});
        CHECK(out_of_range.exit_code == 2);
        CHECK(out_of_range.stderr_text.find("outside [-90, 90]") != std::string::npos);
    }
    SECTION("a valid point that looks swapped: warning, exit 0") {
        const auto swapped = run_cli({"locate", "38.45373", "70.78902"});
        CHECK(swapped.exit_code == 0);
        CHECK(swapped.stderr_text.find("swapped") != std::string::npos);
    }
}

TEST_CASE("locate a CSV file: pass-through columns and appended fields", "[cli][locate]") {
    const auto r = run_cli({"locate", "--input", sample_places, "--format", "csv"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 9);
    CHECK(lines[0] ==
          "name,lon,lat,geonames_id,border_distance_m,nearest_lon,nearest_lat,chainage_km,"
          "side,admin1,admin2,bearing_deg");
    CHECK(lines[1].rfind("Qal'ai Khumb,70.78902,38.45373,1221559,", 0) == 0);
    CHECK(lines[5].rfind("Nusay,70.80413,38.44350,1131591,", 0) == 0);
    CHECK(lines[5].find(",AFG,Badakhshan,Darwaz,") != std::string::npos);
    SECTION("stdin, json") {
        const auto j = run_cli({"locate", "-i", "-", "-f", "json"},
                               borderwatch::test::read_text_file(sample_places));
        REQUIRE(j.exit_code == 0);
        const auto doc = nlohmann::json::parse(j.stdout_text);
        REQUIRE(doc.size() == 8);
        CHECK(doc[0]["name"] == "Qal'ai Khumb");
        CHECK(doc[0]["side"] == "TJK");
        CHECK(doc[0]["border_distance_m"].is_number());
        CHECK(doc[7]["admin1"] == "Badakhshan");
    }
    SECTION("geojson") {
        const auto g = run_cli({"locate", "-i", sample_places, "-f", "geojson"});
        REQUIRE(g.exit_code == 0);
        const auto doc = nlohmann::json::parse(g.stdout_text);
        CHECK(doc["type"] == "FeatureCollection");
        REQUIRE(doc["features"].size() == 8);
        CHECK(doc["features"][1]["geometry"]["coordinates"][0] == 70.04865);
        CHECK(doc["features"][1]["properties"]["admin2"] == "Shamsiddin Shohin District");
    }
    SECTION("table") {
        const auto t = run_cli({"locate", "-i", sample_places, "-f", "table"});
        REQUIRE(t.exit_code == 0);
        const auto tl = split_lines(t.stdout_text);
        REQUIRE(tl.size() == 9);
        CHECK(tl[0].rfind("name", 0) == 0);
        CHECK(tl[0].find("border_distance_m") != std::string::npos);
    }
    SECTION("longitude/latitude columns, quoted fields") {
        const auto m = run_cli({"locate", "-i", "-"},
                               "latitude,longitude,label\n38.45373,70.78902,\"a, b\"\n");
        REQUIRE(m.exit_code == 0);
        const auto ml = split_lines(m.stdout_text);
        REQUIRE(ml.size() == 2);
        CHECK(ml[1].rfind("38.45373,70.78902,\"a, b\",", 0) == 0);
        const auto xy = run_cli({"locate", "-i", "-"}, "x,y\n70.78902,38.45373\n");
        CHECK(xy.exit_code == 0);
        CHECK(xy.stdout_text.find(",TJK,") != std::string::npos);
        const auto none = run_cli({"locate", "-i", "-"}, "a,b\n1,2\n");
        CHECK(none.exit_code == 1);
        CHECK(none.stderr_text.find("longitude") != std::string::npos);
    }
}

TEST_CASE("locate rejects bad rows, keeps the good ones, exit 1", "[cli][locate]") {
    const std::string input = "name,lon,lat\n"
                              "good1,70.78902,38.45373\n"
                              "bad_text,70.8,abc\n"
                              "bad_nan,70.8,nan\n"
                              "bad_range,38.45373,170.78902\n"
                              "good2,70.80413,38.44350\n"
                              "short,70.8\n";
    TempFile in("locate-in", ".csv", input);
    TempFile rejects("locate-rejects", ".csv");
    const auto r = run_cli({"locate", "-i", in.str(), "--rejects", rejects.str()});
    CHECK(r.exit_code == 1);
    const auto lines = split_lines(r.stdout_text);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].rfind("good1,", 0) == 0);
    CHECK(lines[2].rfind("good2,", 0) == 0);
    CHECK(r.stderr_text.find(in.str() + ":3:3: field 'lat': value 'abc' is not a number") !=
          std::string::npos);
    CHECK(r.stderr_text.find(in.str() + ":4:3: field 'lat'") != std::string::npos);
    CHECK(r.stderr_text.find(in.str() +
                             ":5:3: field 'lat': value '170.78902' is outside [-90, 90]") !=
          std::string::npos);
    CHECK(r.stderr_text.find(in.str() + ":7:") != std::string::npos);
    const auto rej = split_lines(borderwatch::test::read_text_file(rejects.path()));
    REQUIRE(rej.size() == 5);
    CHECK(rej[0] == "name,lon,lat,error");
    CHECK(rej[1].rfind("bad_text,70.8,abc,", 0) == 0);
    CHECK(rej[4].rfind("short,70.8,", 0) == 0);
    SECTION("an existing rejects file needs --overwrite") {
        const auto again = run_cli({"locate", "-i", in.str(), "--rejects", rejects.str()});
        CHECK(again.exit_code == 1);
        CHECK(again.stderr_text.find("overwrite") != std::string::npos);
        const auto forced =
            run_cli({"locate", "-i", in.str(), "--rejects", rejects.str(), "--overwrite"});
        CHECK(forced.exit_code == 1);
        CHECK(forced.stdout_text == r.stdout_text);
    }
}

TEST_CASE("far-away points that look swapped get a warning", "[cli][locate]") {
    const auto r = run_cli({"locate", "-i", "-"}, "lon,lat\n38.45373,70.78902\n");
    CHECK(r.exit_code == 0);
    CHECK(r.stderr_text.find("-:2: warning:") != std::string::npos);
    CHECK(r.stderr_text.find("swapped") != std::string::npos);
}

TEST_CASE("locate output is identical with 1 and N threads", "[cli][locate]") {
    const std::string input = many_points_csv(6000);
    const auto one = run_cli({"locate", "-i", "-", "--threads", "1"}, input);
    const auto four = run_cli({"locate", "-i", "-", "--threads", "4"}, input);
    REQUIRE(one.exit_code == 0);
    REQUIRE(four.exit_code == 0);
    CHECK(split_lines(one.stdout_text).size() == 6001);
    CHECK(one.stdout_text == four.stdout_text);
    const auto one_json = run_cli({"locate", "-i", "-", "-j", "1", "-f", "geojson"}, input);
    const auto three_json = run_cli({"locate", "-i", "-", "-j", "3", "-f", "geojson"}, input);
    CHECK(one_json.stdout_text == three_json.stdout_text);
    CHECK(nlohmann::json::parse(three_json.stdout_text)["features"].size() == 6000);
}

TEST_CASE("locate against other borders", "[cli][locate]") {
    const auto chn = run_cli({"locate", "75.98", "39.47", "--border", "TJK-CHN"});
    CHECK(chn.exit_code == 0);
    CHECK(chn.stdout_text.find(",CHN,") != std::string::npos);
    TempFile line(
        "locate-line", ".geojson",
        R"({"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[70.0,37.0],[71.0,37.5]]}})");
    const auto user = run_cli({"locate", "70.5", "37.25", "--border", line.str()});
    CHECK(user.exit_code == 0);
    const auto cells = split_lines(user.stdout_text);
    REQUIRE(cells.size() == 2);
}

TEST_CASE("border facts and list", "[cli][border]") {
    const auto r = run_cli({"border", "--format", "json"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    const auto doc = nlohmann::json::parse(r.stdout_text);
    CHECK(doc["id"] == "TJK-AFG");
    CHECK(doc["left"] == "TJK");
    CHECK(doc["right"] == "AFG");
    CHECK(doc["vertices"] == 5931);
    CHECK(doc["length_km"].get<double>() == Approx(1365.577).margin(0.01));
    const auto table = run_cli({"border", "--border", "TJK-CHN", "-f", "table"});
    CHECK(table.exit_code == 0);
    CHECK(table.stdout_text.find("TJK-CHN") != std::string::npos);
    const auto list = run_cli({"border", "--list"});
    CHECK(list.exit_code == 0);
    const auto lines = split_lines(list.stdout_text);
    REQUIRE(lines.size() > 50);
    CHECK(lines[0] == "id,left,right,source");
    CHECK(lines[1].rfind("TJK-AFG,", 0) == 0);
    CHECK(run_cli({"border", "--border", "QQQ-ZZZ"}).exit_code == 2);
}
