// CLI end-to-end: borderwatch import / delete.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace borderwatch::test;
namespace fs = std::filesystem;

namespace {
const std::string k_data = std::string(BORDERWATCH_TEST_DATA) + "/incidents/";
const std::string k_sample =
    std::string(BORDERWATCH_REPO_ROOT) + "/samples/border_incidents_2025.csv";
} // namespace

TEST_CASE("import: sample file, idempotent re-import, delete", "[import][cli]") {
    TempFile store("import", ".gpkg");
    auto r = run_cli({"import", k_sample, "--store", store.str()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    CHECK(r.stdout_text.find("5 inserted, 0 updated, 0 unchanged, 0 rejected") !=
          std::string::npos);
    r = run_cli({"import", k_sample, "--store", store.str()});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.find("0 inserted, 0 updated, 5 unchanged") != std::string::npos);

    r = run_cli({"delete", "BW-2025-11-PAK-KHO", "--store", store.str()});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.find("removed 1 incident(s)") != std::string::npos);
    r = run_cli({"delete", "BW-2025-11-PAK-KHO", "--store", store.str()});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("no incident with id 'BW-2025-11-PAK-KHO'") != std::string::npos);
}

TEST_CASE("import: every source format in one run, auto-detected", "[import][cli]") {
    TempFile store("import-all", ".gpkg");
    const auto r = run_cli({"import", k_data + "acled_current.csv", k_data + "acled_pre2023.csv",
                            k_data + "ucdp_ged.csv", k_data + "native.csv",
                            k_data + "native.geojson", "--store", store.str()});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.find("16 inserted") != std::string::npos);
}

TEST_CASE("import: bad rows are reported, written to --rejects, the rest imported",
          "[import][cli]") {
    TempFile store("import-bad", ".gpkg");
    TempFile rejects("rejects", ".csv");
    auto r = run_cli(
        {"import", k_data + "bad_rows.csv", "--store", store.str(), "--rejects", rejects.str()});
    CHECK(r.exit_code == 1);
    CHECK(r.stdout_text.find("2 inserted") != std::string::npos);
    CHECK(r.stdout_text.find("7 rejected") != std::string::npos);
    CHECK(r.stderr_text.find("bad_rows.csv:3: field 'lat': value '91.2' is outside [-90, 90]") !=
          std::string::npos);
    CHECK(r.stderr_text.find("bad_rows.csv:7: field 'location_text': no coordinates, and "
                             "'Xyzzyqwv' does not resolve") != std::string::npos);
    const auto lines = split_lines(read_text_file(rejects.path()));
    REQUIRE(lines.size() == 8);
    CHECK(lines[0] == "file,line,field,error,record");
    // An existing rejects file is not replaced without --overwrite.
    r = run_cli(
        {"import", k_data + "bad_rows.csv", "--store", store.str(), "--rejects", rejects.str()});
    CHECK(r.exit_code != 0);
    r = run_cli({"import", k_data + "bad_rows.csv", "--store", store.str(), "--rejects",
                 rejects.str(), "--overwrite"});
    CHECK(r.exit_code == 1);
    CHECK(r.stdout_text.find("2 unchanged") != std::string::npos);
}

TEST_CASE("import: usage errors", "[import][cli]") {
    TempFile store("import-usage", ".gpkg");
    auto r = run_cli({"import", "--store", store.str()});
    CHECK(r.exit_code == 2);
    r = run_cli({"import", k_sample, "--format", "xml", "--store", store.str()});
    CHECK(r.exit_code == 2);
    r = run_cli({"import", k_sample, "--bands", "1,x", "--store", store.str()});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("--bands: 'x' is not") != std::string::npos);
    r = run_cli({"import", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text.rfind("Usage: borderwatch import", 0) == 0);
    CHECK(r.stdout_text.find("Exit status:") != std::string::npos);
    r = run_cli({"import", k_data + "missing.csv", "--store", store.str()});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("cannot open") != std::string::npos);
    CHECK(r.stdout_text.find("inserted") == std::string::npos);
}

TEST_CASE("import: a GeoJSON nested 100,000 levels is refused with its position, no crash",
          "[import][cli]") {
    TempFile store("import-deep", ".gpkg");
    TempFile deep("deep", ".geojson");
    {
        std::ofstream out(deep.path());
        out << "{\"type\":\"FeatureCollection\",\n\"features\":[{\"type\":\"Feature\","
               "\"properties\":{\"id\":\"a\",\"x\":"
            << std::string(100000, '[') << std::string(100000, ']') << "}}]}\n";
    }
    const auto r = run_cli({"import", deep.str(), "--store", store.str()});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find(deep.str() + ":2:") != std::string::npos);
    CHECK(r.stderr_text.find("JSON nested deeper than 128 levels") != std::string::npos);
    CHECK(r.stderr_text.find("internal error") == std::string::npos);
}

TEST_CASE("import: invalid UTF-8, NUL and control characters reject their row, naming field and "
          "byte, the rest is stored and every output stays valid",
          "[import][cli][encoding]") {
    TempFile store("import-bytes", ".gpkg");
    const std::string file = k_data + "bad/bad_bytes.csv";
    auto r = run_cli({"import", file, "--store", store.str()});
    CHECK(r.exit_code == 1);
    CHECK(r.stdout_text.find("imported 2 of 5 rows") != std::string::npos);
    CHECK(r.stderr_text.find(file + ":3: field 'notes': invalid UTF-8 at byte 3") !=
          std::string::npos);
    CHECK(r.stderr_text.find(file + ":4: field 'notes': NUL at byte 1") != std::string::npos);
    CHECK(r.stderr_text.find(file + ":5: field 'location_text': control character U+0001 at "
                                    "byte 2") != std::string::npos);
    r = run_cli({"query", "--store", store.str(), "--format", "json"});
    REQUIRE(r.exit_code == 0);
    const auto rows = nlohmann::json::parse(r.stdout_text);
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].at("notes") == "\xd0\x94\xd0\xb0\xd1\x80\xd0\xb2\xd0\xbe\xd0\xb7"); // Дарвоз
}

TEST_CASE("import: warnings for swapped lon/lat and repeated ids, flag summary on stdout",
          "[import][cli]") {
    const std::string bad = std::string(BORDERWATCH_TEST_DATA) + "/incidents/bad/";
    const std::string swapped = bad + "swapped_lonlat.csv";
    const std::string dups = bad + "duplicate_ids.csv";
    TempFile store("import-warn", ".gpkg");
    // ok-1 is in both files: the second file's rows repeat the first file's.
    const auto r = run_cli({"import", swapped, dups, "--store", store.str()});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    CHECK(r.stderr_text.find(swapped + ":3: warning: point (37.2363, 69.0991) is ") !=
          std::string::npos);
    CHECK(r.stderr_text.find("lon/lat look swapped") != std::string::npos);
    CHECK(r.stderr_text.find(dups + ":2: warning: id 'ok-1' repeats " + swapped +
                             ":2; the later row wins") != std::string::npos);
    CHECK(r.stderr_text.find(dups + ":4: warning: id 'ok-1' repeats " + dups +
                             ":2; the later row wins") != std::string::npos);
    CHECK(r.stdout_text.find("  lonlat_look_swapped: 1 row (first: " + swapped + ":3)\n") !=
          std::string::npos);
    CHECK(r.stdout_text.find("  duplicate_id: 3 rows (first: " + dups + ":2, " + dups + ":3, " +
                             dups + ":4)\n") != std::string::npos);
    // -q: no warnings, the summary stays (it is the result).
    const auto q = run_cli({"import", swapped, "-q", "--store", store.str()});
    CHECK(q.exit_code == 0);
    CHECK(q.stderr_text.empty());
    CHECK(q.stdout_text.find("lonlat_look_swapped: 1 row") != std::string::npos);
}

TEST_CASE("delete: id lists, ACLED deletions, filters and --dry-run", "[import][cli]") {
    TempFile store("delete-lists", ".gpkg");
    REQUIRE(run_cli({"import", k_sample, "--store", store.str()}).exit_code == 0);
    auto ids = [&] {
        std::vector<std::string> out;
        const auto q = run_cli({"query", "--store", store.str(), "--format", "csv"});
        const auto lines = split_lines(q.stdout_text);
        for (std::size_t i = 1; i < lines.size(); ++i) {
            out.push_back(lines[i].substr(0, lines[i].find(',')));
        }
        return out;
    };
    REQUIRE(ids().size() == 5);

    // Nothing given: nothing removed, usage error.
    CHECK(run_cli({"delete", "--store", store.str()}).exit_code == 2);

    // A filter with --dry-run lists and keeps.
    auto r = run_cli({"delete", "--store", store.str(), "--from", "2025-12-01", "--dry-run"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text == "BW-2025-12-23-SSH\n");
    CHECK(r.stderr_text.find("dry run: would remove 1") != std::string::npos);
    CHECK(ids().size() == 5);

    // ACLED's deletions export through import: listed events not in the store are fine.
    TempFile deletions("acled-deletions", ".csv",
                       "event_id_cnty,deleted_timestamp\n"
                       "BW-2025-11-PAK-KHO,1735689600\n"
                       "AFG99999,1735689600\n");
    r = run_cli({"import", "--deletions", deletions.str(), "--store", store.str()});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text == "deleted 1 of 2 listed incident(s) from GeoPackage " + store.str() +
                               " (1 not in the store; 2 deletion(s) remembered)\n");
    CHECK(ids().size() == 4);
    r = run_cli({"store", "info", "--store", store.str()});
    CHECK(r.stdout_text.find("remembered_deletions: 2\n") != std::string::npos);

    // A deleted_timestamp that is not a number: FILE:LINE: field, nothing removed.
    TempFile bad_time("acled-deletions-bad", ".csv",
                      "event_id_cnty,deleted_timestamp\n"
                      "BW-2025-11-26-KHT,1735689600\n"
                      "BW-2025-11-30-DRV,yesterday\n");
    r = run_cli({"delete", "--ids-from", bad_time.str(), "--store", store.str()});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find(bad_time.str() +
                             ":3:2: field 'deleted_timestamp': 'yesterday' is not a Unix time") !=
          std::string::npos);
    CHECK(ids().size() == 4);

    // Ids on stdin, one per line; an unknown id is reported (exit 1), the others removed.
    r = run_cli({"delete", "--ids-from", "-", "--store", store.str()},
                "BW-2025-11-26-KHT\r\nnot-there\n\n");
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("no incident with id 'not-there'") != std::string::npos);
    CHECK(r.stdout_text.find("removed 1 incident(s)") != std::string::npos);
    CHECK(ids().size() == 3);

    // Filter and ids together: the union.
    r = run_cli({"delete", "BW-2025-11-30-DRV", "--side", "AFG", "--store", store.str()});
    CHECK(r.exit_code == 0);
    CHECK(ids() == std::vector<std::string>{"BW-2025-12-23-SSH"});
}
