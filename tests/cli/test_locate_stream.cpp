// locate as a stateless stream stage (Spark's RDD.pipe, Hadoop Streaming): a stream split
// into partitions, each placed by its own process and the outputs concatenated, equals one
// run byte for byte - for CSV (headerless parts) and GeoJSONSeq, in and out.
#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <sys/wait.h>

using borderwatch::test::read_text_file;
using borderwatch::test::run_cli;
using borderwatch::test::shell_quote;
using borderwatch::test::split_lines;
using borderwatch::test::TempDir;

namespace {

// CSV on 1 M points as the issue asks, GeoJSONSeq (3x the bytes) on 100,000; the sanitizer
// build (3-5x slower) checks the same properties on 100,000 points.
#if defined(__SANITIZE_ADDRESS__)
constexpr int k_points = 100'000;
#else
constexpr int k_points = 1'000'000;
#endif
constexpr int k_geojsonseq_points = 100'000;
constexpr int k_partitions = 8;

/// Points over the border's region (its box + about 1 degree; the far points' path is
/// covered by the engine's tests), seeded: "id,lon,lat" lines without a header.
std::vector<std::string> point_lines(int n) {
    std::mt19937_64 rng(15);
    std::uniform_real_distribution<double> lon(66.0, 76.0);
    std::uniform_real_distribution<double> lat(35.5, 39.5);
    std::vector<std::string> lines;
    lines.reserve(static_cast<std::size_t>(n));
    char buf[96];
    for (int i = 0; i < n; ++i) {
        const double x = lon(rng);
        const double y = lat(rng);
        std::snprintf(buf, sizeof buf, "p%d,%.6f,%.6f", i, x, y);
        lines.emplace_back(buf);
    }
    return lines;
}

void write_lines(const std::filesystem::path &path, const std::string &header,
                 const std::vector<std::string> &lines, std::size_t begin, std::size_t end) {
    std::ofstream out(path, std::ios::binary);
    if (!header.empty()) {
        out << header << '\n';
    }
    for (std::size_t i = begin; i < end; ++i) {
        out << lines[i] << '\n';
    }
}

/// Runs locate on @p input (extra args appended) writing stdout to @p output.
int locate_to_file(const std::filesystem::path &input, const std::filesystem::path &output,
                   const std::vector<std::string> &args) {
    // The shell writes the output file (as a pipe stage would): no copy through the test.
    std::string command =
        shell_quote(BORDERWATCH_EXE) + " locate --input " + shell_quote(input.string());
    for (const auto &a : args) {
        command += ' ' + shell_quote(a);
    }
    command += " >" + shell_quote(output.string());
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

TEST_CASE("locate: partitions run separately and concatenated equal one run byte for byte",
          "[cli][locate][stream]") {
    TempDir dir("partitions");
    const auto all_lines = point_lines(k_points);
    const auto whole = dir.path() / "points.csv";
    std::vector<std::filesystem::path> parts;
    // The whole stream (with a header) and its 8 headerless parts, of the first n points.
    auto split = [&](std::size_t n) {
        write_lines(whole, "id,lon,lat", all_lines, 0, n);
        parts.clear();
        for (int p = 0; p < k_partitions; ++p) {
            const auto begin = n * static_cast<std::size_t>(p) / k_partitions;
            const auto end = n * static_cast<std::size_t>(p + 1) / k_partitions;
            parts.push_back(dir.path() / ("part-" + std::to_string(p) + ".csv"));
            write_lines(parts.back(), "", all_lines, begin, end);
        }
    };

    SECTION("CSV: one run with a header == its header + the headerless parts") {
        split(all_lines.size());
        const auto one = dir.path() / "one.csv";
        REQUIRE(locate_to_file(whole, one, {"--format", "csv", "--threads", "2"}) == 0);
        std::string concatenated;
        for (const auto &part : parts) {
            const auto out = part.string() + ".out";
            REQUIRE(locate_to_file(part, out,
                                   {"--format", "csv", "--threads", "1", "--no-header", "--columns",
                                    "id,lon,lat"}) == 0);
            concatenated += read_text_file(out);
        }
        const std::string reference = read_text_file(one);
        const auto header_end = reference.find('\n');
        REQUIRE(header_end != std::string::npos);
        CHECK(concatenated.find("id,lon,lat") == std::string::npos); // no header in parts
        const bool equal = reference.substr(header_end + 1) == concatenated;
        CHECK(equal);
        CHECK(std::count(concatenated.begin(), concatenated.end(), '\n') ==
              static_cast<std::ptrdiff_t>(all_lines.size()));
    }

    SECTION("GeoJSONSeq out: one run == the concatenated parts") {
        split(std::min<std::size_t>(all_lines.size(), k_geojsonseq_points));
        const auto one = dir.path() / "one.geojsonl";
        REQUIRE(locate_to_file(whole, one, {"--format", "geojsonseq", "--threads", "2"}) == 0);
        std::string concatenated;
        for (const auto &part : parts) {
            const auto out = part.string() + ".geojsonl";
            REQUIRE(locate_to_file(part, out,
                                   {"--format", "geojsonseq", "--threads", "1", "--no-header",
                                    "--columns", "id,lon,lat"}) == 0);
            concatenated += read_text_file(out);
        }
        const std::string reference = read_text_file(one);
        const bool equal = reference == concatenated;
        CHECK(equal);
        // Every line is one Feature of RFC 7946.
        const auto first = nlohmann::json::parse(reference.substr(0, reference.find('\n')));
        CHECK(first["type"] == "Feature");
        CHECK(first["geometry"]["type"] == "Point");
        CHECK(first["properties"]["id"] == "p0");
    }
}

TEST_CASE("locate: GeoJSONSeq in gives the same placements as CSV in", "[cli][locate][stream]") {
    TempDir dir("geojsonseq-in");
    const auto csv = dir.path() / "points.csv";
    const auto seq = dir.path() / "points.geojsonl";
    {
        std::ofstream(csv) << "id,lon,lat\na,70.78902,38.45373\nb,69.5,37.2\nc,71.4,36.9\n";
        std::ofstream out(seq);
        out << R"({"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[70.78902,38.45373]}})"
            << "\n"
            << R"({"type":"Feature","properties":{"id":"b"},"geometry":{"type":"Point","coordinates":[69.5,37.2]}})"
            << "\n"
            << R"({"type":"Feature","properties":{"id":"c"},"geometry":{"type":"Point","coordinates":[71.4,36.9]}})"
            << "\n";
    }
    const auto from_csv = run_cli({"locate", "--input", csv.string(), "--format", "geojsonseq"});
    const auto from_seq = run_cli({"locate", "--input", seq.string(), "--format", "geojsonseq"});
    REQUIRE(from_csv.exit_code == 0);
    REQUIRE(from_seq.exit_code == 0);
    const auto a = split_lines(from_csv.stdout_text);
    const auto b = split_lines(from_seq.stdout_text);
    REQUIRE(a.size() == 3);
    REQUIRE(b.size() == 3);
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto ja = nlohmann::json::parse(a[i]);
        const auto jb = nlohmann::json::parse(b[i]);
        CHECK(ja["properties"]["id"] == jb["properties"]["id"]);
        REQUIRE(ja["properties"].contains("border_distance_m"));
        CHECK(ja["properties"]["border_distance_m"] == jb["properties"]["border_distance_m"]);
        CHECK(ja["properties"]["side"] == jb["properties"]["side"]);
        CHECK(ja["properties"]["chainage_km"] == jb["properties"]["chainage_km"]);
    }
    SECTION("from stdin, recognised by its first byte") {
        const auto piped =
            run_cli({"locate", "--input", "-", "--format", "geojsonseq"}, read_text_file(seq));
        REQUIRE(piped.exit_code == 0);
        CHECK(piped.stdout_text == from_seq.stdout_text);
    }
}
