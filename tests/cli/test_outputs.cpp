// CLI end-to-end, issue 12 (outputs): no output is ever invalid UTF-8/JSON/XML whatever the
// store holds; CSV formula injection is neutralised; user file errors are plain messages.
// Outputs are checked with independent tools: python3's json (strict), iconv, xmllint with
// the KML 2.2 schema, tests/qgis/validate_export.py (GeoJSON schema, manifest) and GDAL.
#include "cli/cli_helpers.hpp"

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/utf8.hpp>

#include <catch2/catch.hpp>

#include <gdal.h>
#include <ogr_api.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace borderwatch;
using namespace borderwatch::test;

namespace {

const fs::path k_data = fs::path(BORDERWATCH_TEST_DATA);
const fs::path k_repo = fs::path(BORDERWATCH_REPO_ROOT);
const fs::path k_kml_xsd = k_data / "schemas/kml-2.2/ogckml22.xsd";

/// Exit status of a shell command (stdout and stderr discarded).
int shell(const std::string &command) {
    const int status = std::system((command + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have_tool(const std::string &name) {
    return shell("command -v " + name) == 0;
}

/// Debian's interpreter (python3-gdal and python3-jsonschema live there).
std::string system_python() {
    return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

void write_file(const fs::path &path, const std::string &text) {
    std::ofstream(path, std::ios::binary) << text;
}

/// iconv accepts the file as UTF-8.
void check_utf8(const fs::path &file) {
    INFO("iconv -f UTF-8 " << file.string());
    if (have_tool("iconv")) {
        CHECK(shell("iconv -f UTF-8 -t UTF-8 " + shell_quote(file.string())) == 0);
    }
    CHECK_FALSE(find_text_issue(read_text_file(file)));
}

/// python3's json module (strict: no raw control characters in strings, UTF-8 decoding).
void check_json(const fs::path &file) {
    INFO("python3 json " << file.string());
    CHECK(shell(system_python() +
                " -c 'import json,sys; json.loads(open(sys.argv[1],\"rb\").read().decode("
                "\"utf-8\"))' " +
                shell_quote(file.string())) == 0);
}

void check_kml(const fs::path &file) {
    INFO("xmllint --schema " << file.string());
    if (!have_tool("xmllint")) {
        WARN("xmllint not installed: KML schema check skipped");
        return;
    }
    CHECK(shell("xmllint --noout --schema " + shell_quote(k_kml_xsd.string()) + " " +
                shell_quote(file.string())) == 0);
}

/// Every text attribute of every layer of a GeoPackage, read back with GDAL, is valid text.
void check_gpkg_text(const fs::path &file) {
    INFO("GDAL " << file.string());
    GDALAllRegister();
    GDALDatasetH ds =
        GDALOpenEx(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    REQUIRE(ds != nullptr);
    std::size_t strings = 0;
    for (int l = 0; l < GDALDatasetGetLayerCount(ds); ++l) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, l);
        OGR_L_ResetReading(layer);
        while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
            for (int i = 0; i < OGR_F_GetFieldCount(f); ++i) {
                if (OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i)) == OFTString &&
                    OGR_F_IsFieldSetAndNotNull(f, i)) {
                    const std::string v = OGR_F_GetFieldAsString(f, i);
                    INFO(OGR_L_GetName(layer) << " field " << i << ": " << v);
                    CHECK_FALSE(find_text_issue(v));
                    ++strings;
                }
            }
            OGR_F_Destroy(f);
        }
    }
    GDALClose(ds);
    CHECK(strings > 0);
}

/// An export directory: every file valid, the manifest's list checked independently.
void check_export_dir(const fs::path &dir) {
    const auto manifest = nlohmann::json::parse(read_text_file(dir / "manifest.json"));
    check_json(dir / "manifest.json");
    REQUIRE(manifest["files"].size() > 0);
    for (const auto &f : manifest["files"]) {
        const auto path = dir / f["path"].get<std::string>();
        const auto format = f["format"].get<std::string>();
        REQUIRE(fs::exists(path));
        if (format == "gpkg") {
            check_gpkg_text(path);
            continue;
        }
        check_utf8(path);
        if (format == "geojson") {
            check_json(path);
        } else if (format == "kml") {
            check_kml(path);
        }
    }
    // GeoJSON schema (RFC 7946), KML schema, GDAL read-back, manifest sizes and sha256.
    const int rc = shell(system_python() + " " +
                         shell_quote((k_repo / "tests/qgis/validate_export.py").string()) + " " +
                         shell_quote(dir.string()) + " " + shell_quote(k_kml_xsd.string()) + " " +
                         shell_quote((k_data / "export/geojson-rfc7946.schema.json").string()));
    if (rc == 77) {
        WARN("validate_export.py skipped (python3-jsonschema or python3-gdal missing)");
    } else {
        CHECK(rc == 0);
    }
}

/// Native CSV + sample imported with the CLI, then rows changed behind borderwatch's back.
/// Plain sqlite3 cannot UPDATE a GeoPackage (its R-tree triggers call ST_IsEmpty), so the
/// edits go through GDAL, as QGIS's do.
void make_poisoned_store(const fs::path &store) {
    const auto r = run_cli({"import", (k_data / "incidents/native.csv").string(),
                            (k_repo / "samples/border_incidents_2025.csv").string(), "--store",
                            store.string()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);
    GDALAllRegister();
    GDALDatasetH ds =
        GDALOpenEx(store.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr);
    REQUIRE(ds != nullptr);
    for (const char *sql : {
             // invalid UTF-8; a bad continuation byte in a stats group name
             "UPDATE incidents SET notes = CAST(X'41FF42' AS TEXT), "
             "admin2 = CAST(X'C328' AS TEXT) WHERE id = 'N-1'",
             // NUL; a control character in a stats group name
             "UPDATE incidents SET actor1 = CAST(X'410042' AS TEXT), "
             "event_type = CAST(X'426174746C657301' AS TEXT) WHERE id = 'N-2'",
             // vertical tab, an encoded surrogate, U+FFFF
             "UPDATE incidents SET target = CAST(X'0B41' AS TEXT), "
             "location_text = CAST(X'EDA080' AS TEXT), source_url = CAST(X'EFBFBF' AS TEXT) "
             "WHERE id = 'N-3'",
             // a bad id
             "UPDATE incidents SET id = CAST(X'42572DFF' AS TEXT) "
             "WHERE id = 'BW-2025-11-26-KHT'",
         }) {
        INFO(sql);
        CPLErrorReset();
        OGRLayerH result = GDALDatasetExecuteSQL(ds, sql, nullptr, nullptr);
        if (result != nullptr) {
            GDALDatasetReleaseResultSet(ds, result);
        }
        REQUIRE(CPLGetLastErrorType() < CE_Failure);
    }
    GDALClose(ds);
}

void check_warning(const CliResult &r) {
    INFO(r.stderr_text);
    CHECK(r.stderr_text.find("text values in the store were not valid UTF-8/XML text and were "
                             "replaced (first: id ") != std::string::npos);
    CHECK(r.stderr_text.find("internal error") == std::string::npos);
}

std::vector<std::vector<std::string>> read_csv(const std::string &text) {
    std::istringstream in(text);
    CsvReader reader(in, "out.csv");
    std::vector<std::vector<std::string>> rows;
    while (auto rec = reader.next()) {
        rows.push_back(rec->fields);
    }
    return rows;
}

/// The row whose column @p key equals @p value.
std::vector<std::string> row_where(const std::vector<std::vector<std::string>> &rows,
                                   const std::string &key, const std::string &value) {
    REQUIRE(!rows.empty());
    const auto &header = rows[0];
    const auto k = std::find(header.begin(), header.end(), key) - header.begin();
    for (std::size_t i = 1; i < rows.size(); ++i) {
        if (static_cast<std::size_t>(k) < rows[i].size() && rows[i][k] == value) {
            return rows[i];
        }
    }
    FAIL("no row with " << key << " = " << value);
    return {};
}

std::string cell(const std::vector<std::vector<std::string>> &rows,
                 const std::vector<std::string> &row, const std::string &column) {
    const auto &header = rows[0];
    const auto k = std::find(header.begin(), header.end(), column) - header.begin();
    REQUIRE(static_cast<std::size_t>(k) < row.size());
    return row[k];
}

} // namespace

TEST_CASE("issue 12 outputs 1: no output is invalid UTF-8/JSON/XML whatever the store holds",
          "[issue12][cli]") {
    TempDir tmp("outputs");
    const auto store = tmp.path() / "poisoned.gpkg";
    make_poisoned_store(store);

    SECTION("query, every format") {
        for (const std::string format : {"json", "geojson", "csv", "table"}) {
            INFO("query --format " << format);
            const auto r = run_cli({"query", "--store", store.string(), "--format", format});
            CHECK(r.exit_code == 0);
            check_warning(r);
            // Warned once, with the count and the first places.
            CHECK(r.stderr_text ==
                  "warning: 8 text values in the store were not valid UTF-8/XML text and were "
                  "replaced (first: id BW-\xEF\xBF\xBD field 'id', id N-1 field 'notes', id N-1 "
                  "field 'admin2')\n");
            const auto out = tmp.path() / ("query." + format);
            write_file(out, r.stdout_text);
            check_utf8(out);
            if (format == "json" || format == "geojson") {
                check_json(out);
                const auto doc = nlohmann::json::parse(r.stdout_text);
                CHECK((format == "json" ? doc : doc["features"]).size() == 8);
            }
        }
        const auto r = run_cli({"query", "--store", store.string(), "--format", "json", "-q"});
        CHECK(r.exit_code == 0);
        CHECK(r.stderr_text.empty()); // -q: errors only
        const auto doc = nlohmann::json::parse(r.stdout_text);
        for (const auto &x : doc) {
            if (x["id"] == "N-1") {
                CHECK(x["notes"] == "A\xEF\xBF\xBD"
                                    "B");
            } else if (x["id"] == "N-2") {
                CHECK(x["actor1"] == "AB");
                CHECK(x["event_type"] == "Battles");
            } else if (x["id"] == "N-3") {
                CHECK(x["target"] == "A");
                CHECK(x["source_url"] == "\xEF\xBF\xBD");
            }
        }
    }

    SECTION("stats: group names come from the data") {
        for (const std::string format : {"table", "csv", "json", "markdown"}) {
            INFO("stats --format " << format);
            const auto r = run_cli({"stats", "--store", store.string(), "--by", "admin2,event_type",
                                    "--format", format});
            CHECK(r.exit_code == 0);
            check_warning(r);
            const auto out = tmp.path() / ("stats." + format);
            write_file(out, r.stdout_text);
            check_utf8(out);
            if (format == "json") {
                check_json(out);
            }
        }
    }

    SECTION("export: GeoJSON, KML, GeoPackage, CSV and the manifest") {
        const auto dir = tmp.path() / "layers";
        const auto r = run_cli({"export", "--store", store.string(), "--out", dir.string()});
        CHECK(r.exit_code == 0);
        check_warning(r);
        check_export_dir(dir);
    }

    SECTION("update's exports") {
        fs::create_directories(tmp.path() / "drops");
        write_file(tmp.path() / "update.toml",
                   "store = \"poisoned.gpkg\"\n[inputs]\npaths = [\"drops\"]\n"
                   "[export]\ndir = \"published\"\n[lock]\nmode = \"fail\"\n");
        const auto r = run_cli({"update", "--config", (tmp.path() / "update.toml").string()});
        INFO(r.stderr_text);
        CHECK(r.exit_code == 0);
        CHECK(r.stderr_text.find("update: 8 text values in the store were not valid UTF-8/XML "
                                 "text and were replaced (first: id ") != std::string::npos);
        check_export_dir(tmp.path() / "published");
    }
}

TEST_CASE("issue 12 outputs 2: CSV formula injection is neutralised (OWASP), raw on request",
          "[issue12][cli]") {
    TempDir tmp("outputs");
    const auto input = tmp.path() / "formulas.csv";
    const auto native = read_text_file(k_data / "incidents/native.csv");
    const std::string header = native.substr(0, native.find('\n') + 1);
    REQUIRE(header.substr(header.size() - 6) == "notes\n");
    write_file(input, header +
                          "F-1,2025-12-01,2025-12-01,day,=cmd,Armed clash,\"+cmd|' /C calc'!A0\","
                          "-2+3,@SUM(1+1),1,1,1,Panj,Tajikistan,Khatlon,,69.0991,37.2363,1,"
                          "\"=2*3\",,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n"
                          "F-2,2025-12-02,2025-12-02,day,Battles,Armed clash,A,B,-12.5,2,2,2,"
                          "Panj,Tajikistan,Khatlon,,69.0991,37.2363,1,S,,plain note\n");
    const auto store = tmp.path() / "store.gpkg";
    auto r = run_cli({"import", input.string(), "--store", store.string()});
    INFO(r.stderr_text);
    REQUIRE(r.exit_code == 0);

    const auto check_neutralised = [](const std::vector<std::vector<std::string>> &rows, bool raw) {
        const auto f1 = row_where(rows, "id", "F-1");
        const std::string q = raw ? "" : "'";
        CHECK(cell(rows, f1, "event_type") == q + "=cmd");
        CHECK(cell(rows, f1, "actor1") == q + "+cmd|' /C calc'!A0");
        CHECK(cell(rows, f1, "actor2") == q + "-2+3");
        CHECK(cell(rows, f1, "target") == q + "@SUM(1+1)");
        CHECK(cell(rows, f1, "source_name") == q + "=2*3"); // (import trims a leading TAB)
        CHECK(cell(rows, f1, "notes") == q + "=HYPERLINK(\"http://evil.example\",\"x\")");
        CHECK(cell(rows, f1, "fatalities_best") == "1");
        const auto f2 = row_where(rows, "id", "F-2");
        CHECK(cell(rows, f2, "target") == "-12.5"); // a number: never altered
        CHECK(cell(rows, f2, "notes") == "plain note");
    };

    SECTION("query --format csv") {
        r = run_cli({"query", "--store", store.string(), "--format", "csv"});
        REQUIRE(r.exit_code == 0);
        CHECK(r.stdout_text.find(",\"'=cmd\",") != std::string::npos); // quoted, ' prefixed
        check_neutralised(read_csv(r.stdout_text), false);
        const auto json = nlohmann::json::parse(
            run_cli({"query", "--store", store.string(), "--format", "json"}).stdout_text);
        const auto rows = read_csv(r.stdout_text);
        for (const auto &x : json) {
            const auto row = row_where(rows, "id", x["id"].get<std::string>());
            for (const char *number : {"lon", "lat", "border_distance_m", "chainage_km"}) {
                CHECK(std::stod(cell(rows, row, number)) == x[number].get<double>());
            }
        }
        r = run_cli({"query", "--store", store.string(), "--format", "csv", "--csv-raw-formulas"});
        REQUIRE(r.exit_code == 0);
        check_neutralised(read_csv(r.stdout_text), true);
        // JSON is not a spreadsheet format: the text stays as it is.
        CHECK(json[0]["event_type"] == "=cmd");
    }

    SECTION("export csv") {
        r = run_cli({"export", "--store", store.string(), "--out", (tmp.path() / "a").string(),
                     "--formats", "csv"});
        REQUIRE(r.exit_code == 0);
        check_neutralised(read_csv(read_text_file(tmp.path() / "a/incidents.csv")), false);
        r = run_cli({"export", "--store", store.string(), "--out", (tmp.path() / "b").string(),
                     "--formats", "csv", "--csv-raw-formulas"});
        REQUIRE(r.exit_code == 0);
        check_neutralised(read_csv(read_text_file(tmp.path() / "b/incidents.csv")), true);
    }

    SECTION("stats --format csv (group names)") {
        r = run_cli({"stats", "--store", store.string(), "--by", "event_type", "--format", "csv"});
        REQUIRE(r.exit_code == 0);
        CHECK(read_csv(r.stdout_text)[1][0] == "'=cmd"); // sorted before "Battles"
        r = run_cli({"stats", "--store", store.string(), "--by", "event_type", "--format", "csv",
                     "--csv-raw-formulas"});
        CHECK(read_csv(r.stdout_text)[1][0] == "=cmd");
    }

    SECTION("locate: pass-through columns") {
        const auto points = tmp.path() / "points.csv";
        write_file(points, "name,lon,lat,offset,note\n=1+2,69.0991,37.2363,-12.5,\"\tx\"\n");
        r = run_cli({"locate", "--input", points.string(), "--format", "csv"});
        INFO(r.stderr_text);
        REQUIRE(r.exit_code == 0);
        auto rows = read_csv(r.stdout_text);
        CHECK(rows[1][0] == "'=1+2");
        CHECK(rows[1][3] == "-12.5");
        CHECK(rows[1][4] == "'\tx");
        r = run_cli(
            {"locate", "--input", points.string(), "--format", "csv", "--csv-raw-formulas"});
        rows = read_csv(r.stdout_text);
        CHECK(rows[1][0] == "=1+2");
    }

    SECTION("resolve --format csv") {
        r = run_cli({"resolve", "@Darvoz", "--format", "csv"});
        REQUIRE(r.exit_code == 0);
        CHECK(read_csv(r.stdout_text)[1][0] == "'@Darvoz");
        r = run_cli({"resolve", "@Darvoz", "--format", "csv", "--csv-raw-formulas"});
        CHECK(read_csv(r.stdout_text)[1][0] == "@Darvoz");
    }

    SECTION("import --rejects keeps the input raw, so it can be re-imported") {
        const auto bad = tmp.path() / "bad.csv";
        write_file(bad, header + "F-9,2025-12-01,2025-12-01,day,=cmd,Armed clash,A,B,,1,1,1,"
                                 "Panj,Tajikistan,Khatlon,,69.0991,91.5,1,S,,=1+2\n");
        const auto rejects = tmp.path() / "rejects.csv";
        r = run_cli(
            {"import", bad.string(), "--store", store.string(), "--rejects", rejects.string()});
        CHECK(r.exit_code == 1);
        const auto rows = read_csv(read_text_file(rejects));
        REQUIRE(rows.size() == 2);
        const auto record = read_csv(rows[1][4]);
        REQUIRE(record.size() == 1);
        CHECK(record[0][4] == "=cmd");
        CHECK(record[0].back() == "=1+2");
    }

    SECTION("--help documents the option") {
        for (const char *command : {"query", "stats", "export", "locate", "resolve"}) {
            INFO(command);
            r = run_cli({command, "--help"});
            CHECK(r.stdout_text.find("--csv-raw-formulas") != std::string::npos);
            CHECK(r.stdout_text.find("OWASP") != std::string::npos);
        }
    }
}

TEST_CASE("issue 12 outputs 3: user file errors are plain messages, never internal errors",
          "[issue12][cli]") {
    TempDir tmp("outputs");
    const auto csv = (k_data / "incidents/native.csv").string();
    const auto store = (tmp.path() / "store.gpkg").string();
    REQUIRE(run_cli({"import", csv, "--store", store}).exit_code == 0);
    const auto dir = tmp.path().string();
    const auto missing = (tmp.path() / "missing.csv").string();
    const auto a_file = tmp.path() / "a_file";
    write_file(a_file, "x");
    write_file(tmp.path() / "update-proc.toml",
               "store = \"store.gpkg\"\n[inputs]\npaths = [\"drops\"]\n"
               "[export]\ndir = \"/proc/borderwatch-x\"\n[lock]\nfile = \"u.lock\"\n");
    fs::create_directories(tmp.path() / "drops");

    struct Case {
        std::vector<std::string> args;
        std::string message;
        int exit_code = 1;
    };
    const std::vector<Case> cases = {
        // unwritable / impossible --out, and --out naming a file
        {{"export", "--store", store, "--out", "/proc/x"},
         "borderwatch: error: cannot create export directory '/proc/x': No such file or "
         "directory"},
        {{"export", "--store", store, "--out", a_file.string()},
         "borderwatch: error: cannot create export directory '" + a_file.string() + "': "},
        {{"export", "--store", store, "--out", (a_file / "sub").string()},
         "borderwatch: error: cannot create export directory '" + (a_file / "sub").string() +
             "': "},
        {{"update", "--config", (tmp.path() / "update-proc.toml").string()},
         "borderwatch: error: cannot create directory '/proc/borderwatch-x': No such file or "
         "directory"},
        // a directory where an input file is expected
        {{"import", dir, "--store", store}, "cannot read '" + dir + "': Is a directory"},
        {{"locate", "--input", dir}, "cannot read '" + dir + "': Is a directory"},
        {{"resolve", "--input", dir}, "cannot read '" + dir + "': Is a directory"},
        {{"update", "--config", dir}, "File is actually a directory: " + dir, 2},
        {{"query", "--store", dir}, "store '" + dir + "' is a directory"},
        // a missing input file
        {{"import", missing, "--store", store},
         "cannot open '" + missing + "': No such file or directory"},
        {{"locate", "--input", missing},
         "cannot open '" + missing + "': No such file or directory"},
        {{"resolve", "--input", missing},
         "cannot open '" + missing + "': No such file or directory"},
        {{"update", "--config", missing}, "File does not exist: " + missing, 2},
        // outputs: a directory, a missing parent, a file system that refuses
        {{"import", csv, "--store", store, "--rejects", dir},
         "cannot write '" + dir + "': Is a directory"},
        {{"import", csv, "--store", store, "--rejects", (tmp.path() / "no/such/r.csv").string()},
         "directory '" + (tmp.path() / "no/such").string() + "' does not exist"},
        {{"import", csv, "--store", store, "--rejects", "/proc/borderwatch-r.csv"},
         "cannot write '/proc/borderwatch-r.csv' (temporary"},
        {{"locate", "--input", csv, "--rejects", dir},
         "cannot write '" + dir + "': Is a directory"},
        {{"import", csv, "--store", (tmp.path() / "no/such/s.gpkg").string()},
         "cannot create store '" + (tmp.path() / "no/such/s.gpkg").string() + "': directory '" +
             (tmp.path() / "no/such").string() + "' does not exist"},
    };
    for (const auto &c : cases) {
        std::string line = "borderwatch";
        for (const auto &a : c.args) {
            line += " " + a;
        }
        INFO(line);
        const auto r = run_cli(c.args);
        INFO(r.stderr_text);
        CHECK(r.exit_code == c.exit_code);
        CHECK(r.stderr_text.find(c.message) != std::string::npos);
        CHECK(r.stderr_text.find("internal error") == std::string::npos);
        CHECK(r.stderr_text.find("filesystem error") == std::string::npos);
    }
    CHECK_FALSE(fs::exists(tmp.path() / "no"));
}
