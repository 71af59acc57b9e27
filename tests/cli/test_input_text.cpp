// CLI end-to-end: reading text input right in every reader (issue 12) — --encoding (cp1251,
// UTF-16 from Excel, latin1), the UTF-16 check, CR-only line ends, ';' and TAB delimiters
// (detected or --delimiter), header-only files; import, resolve --input, locate --input and
// update. Variants are made from the UTF-8 original with iconv (an independent tool) and must
// store / print exactly what the original does.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace borderwatch::test;
namespace fs = std::filesystem;

namespace {

const std::string k_data = std::string(BORDERWATCH_TEST_DATA) + "/incidents/";
const std::string k_places = std::string(BORDERWATCH_TEST_DATA) + "/locate/sample_places.csv";
const std::string k_name = "Шамсиддин Шохин";

/// The lines of a test data file with Cyrillic text added to every data row.
std::vector<std::string> cyrillic_lines(const std::string &file) {
    auto lines = split_lines(read_text_file(k_data + file));
    for (std::size_t i = 1; i < lines.size(); ++i) {
        if (file == "native.csv") {
            lines[i] += " (" + k_name + ")"; // the notes column
        } else {
            const auto at = lines[i].find("Shamsiddin Shohin");
            if (at != std::string::npos) {
                lines[i].replace(at, 17, k_name);
            }
        }
    }
    return lines;
}

std::string joined(const std::vector<std::string> &lines, const std::string &eol) {
    std::string out;
    for (const auto &l : lines) {
        out += l + eol;
    }
    return out;
}

/// Commas outside double quotes replaced by @p delimiter.
std::string redelimit(const std::string &text, char delimiter) {
    std::string out = text;
    bool quoted = false;
    for (auto &c : out) {
        if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            c = delimiter;
        }
    }
    return out;
}

/// @p utf8 converted by iconv to @p encoding, in a temp file.
void iconv_file(const std::string &utf8, const std::string &encoding, const TempFile &to) {
    TempFile from("iconv-in", ".txt", utf8);
    const auto command = "iconv -f UTF-8 -t " + encoding + " " + shell_quote(from.str()) + " > " +
                         shell_quote(to.str());
    REQUIRE(std::system(command.c_str()) == 0);
}

bool iconv_valid_utf8(const std::string &text) {
    TempFile file("utf8-check", ".txt", text);
    const auto command = "iconv -f UTF-8 -t UTF-8 " + shell_quote(file.str()) + " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

/// Every stored incident as CSV without updated_at, the last stored column before query's
/// event_cluster and cluster_size (the comparison key of the variants: everything stored but
/// the time of the import).
std::string stored(const TempFile &store) {
    const auto r = run_cli({"query", "--store", store.str(), "--format", "csv"});
    REQUIRE(r.exit_code == 0);
    std::string out;
    for (const auto &line : split_lines(r.stdout_text)) {
        const auto cluster = line.rfind(',', line.rfind(',') - 1);
        const auto updated = line.rfind(',', cluster - 1);
        out += line.substr(0, updated) + line.substr(cluster) + "\n";
    }
    REQUIRE(out.find(",updated_at") == std::string::npos);
    return out;
}

std::size_t stored_count(const TempFile &store) {
    const auto r = run_cli({"query", "--store", store.str(), "--format", "json"});
    if (r.exit_code != 0) {
        return 0;
    }
    return nlohmann::json::parse(r.stdout_text).size();
}

/// Import @p file with @p args into a fresh store; @return what it stores (CSV).
std::string import_variant(const std::string &file, std::vector<std::string> args) {
    TempFile store("text-variant", ".gpkg");
    std::vector<std::string> command{"import", file, "--store", store.str()};
    command.insert(command.end(), args.begin(), args.end());
    const auto r = run_cli(command);
    INFO(file << ": " << r.stderr_text);
    CHECK(r.exit_code == 0);
    CHECK(r.stderr_text.empty());
    return stored(store);
}

} // namespace

TEST_CASE("import: cp1251, UTF-16, CR-only, semicolon and TAB files store what the UTF-8 original "
          "does",
          "[import][cli][encoding]") {
    const auto native = cyrillic_lines("native.csv");
    const std::string original_text = joined(native, "\n");
    TempFile original("native-utf8", ".csv", original_text);
    TempFile store("text-original", ".gpkg");
    const auto r = run_cli({"import", original.str(), "--store", store.str()});
    REQUIRE(r.exit_code == 0);
    const auto reference = stored(store);
    REQUIRE(reference.find(k_name) != std::string::npos);
    CHECK(iconv_valid_utf8(reference));
    CHECK(split_lines(reference).size() == 4);

    SECTION("cp1251 (Windows Cyrillic)") {
        TempFile cp("native-cp1251", ".csv");
        iconv_file(original_text, "CP1251", cp);
        CHECK(read_text_file(cp.path()).find(k_name) == std::string::npos);
        CHECK(import_variant(cp.str(), {"--encoding", "cp1251"}) == reference);
        CHECK(import_variant(cp.str(), {"--encoding", "windows-1251"}) == reference);
    }
    SECTION("UTF-16 with a BOM, and UTF-16LE without") {
        TempFile u16("native-utf16", ".csv");
        iconv_file(joined(native, "\r\n"), "UTF-16", u16); // iconv writes a BOM
        CHECK(import_variant(u16.str(), {"--encoding", "UTF-16"}) == reference);
        TempFile le("native-utf16le", ".csv");
        iconv_file(joined(native, "\r\n"), "UTF-16LE", le);
        CHECK(import_variant(le.str(), {"--encoding", "UTF-16LE"}) == reference);
        CHECK(import_variant(le.str(), {"--encoding", "UTF-16"}) == reference); // NULs say LE
        TempFile be("native-utf16be", ".csv");
        iconv_file(original_text, "UTF-16BE", be);
        CHECK(import_variant(be.str(), {"--encoding", "UTF-16BE"}) == reference);
    }
    SECTION("CR-only and mixed line ends") {
        TempFile cr("native-cr", ".csv", joined(native, "\r"));
        CHECK(import_variant(cr.str(), {}) == reference);
        TempFile crlf("native-crlf", ".csv", joined(native, "\r\n"));
        CHECK(import_variant(crlf.str(), {}) == reference);
    }
    SECTION("';' and TAB, detected or given") {
        TempFile semi("native-semi", ".csv", redelimit(original_text, ';'));
        CHECK(import_variant(semi.str(), {}) == reference);
        CHECK(import_variant(semi.str(), {"--delimiter", ";"}) == reference);
        TempFile tab("native-tab", ".tsv", redelimit(original_text, '\t'));
        CHECK(import_variant(tab.str(), {}) == reference);
        CHECK(import_variant(tab.str(), {"--delimiter", "tab"}) == reference);
        CHECK(import_variant(tab.str(), {"--delimiter", "\\t"}) == reference);
        TempFile pipe("native-pipe", ".csv", redelimit(original_text, '|'));
        CHECK(import_variant(pipe.str(), {"--delimiter", "|"}) == reference);
    }
    SECTION("cp1251, ';' and CR at once (an old Excel export)") {
        TempFile old("native-old-excel", ".csv");
        iconv_file(redelimit(joined(native, "\r"), ';'), "CP1251", old);
        CHECK(import_variant(old.str(), {"--encoding", "cp1251"}) == reference);
    }
}

TEST_CASE("import: an ACLED export saved by Excel as Unicode text (UTF-16LE + BOM, TAB, CRLF)",
          "[import][cli][encoding]") {
    const auto acled = cyrillic_lines("acled_current.csv");
    TempFile original("acled-utf8", ".csv", joined(acled, "\n"));
    const auto reference = import_variant(original.str(), {});
    REQUIRE(reference.find(k_name) != std::string::npos);
    TempFile excel("acled-excel", ".txt");
    iconv_file(redelimit(joined(acled, "\r\n"), '\t'), "UTF-16", excel);
    CHECK(import_variant(excel.str(), {"--encoding", "UTF-16"}) == reference);
    CHECK(split_lines(reference).size() == 5);

    // Without the option: one clear message, nothing stored, no flood of per-row errors.
    TempFile store("acled-excel-plain", ".gpkg");
    const auto r = run_cli({"import", excel.str(), "--store", store.str()});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("looks like UTF-16 (byte-order mark FF FE)") != std::string::npos);
    CHECK(r.stderr_text.find("--encoding UTF-16") != std::string::npos);
    CHECK(split_lines(r.stderr_text).size() <= 2);
    CHECK(stored_count(store) == 0);
}

TEST_CASE("import: non-UTF-8 bytes without --encoding: per-row rejects and a hint",
          "[import][cli][encoding]") {
    TempFile cp("native-cp1251-plain", ".csv");
    iconv_file(joined(cyrillic_lines("native.csv"), "\n"), "CP1251", cp);
    TempFile store("cp1251-plain", ".gpkg");
    const auto r = run_cli({"import", cp.str(), "--store", store.str()});
    CHECK(r.exit_code == 1);
    for (const auto line : {":2:", ":3:", ":4:"}) {
        CHECK(r.stderr_text.find(cp.str() + line + " field 'notes': invalid UTF-8 at byte") !=
              std::string::npos);
    }
    CHECK(r.stderr_text.find("hint:") != std::string::npos);
    CHECK(r.stderr_text.find("--encoding cp1251") != std::string::npos);
    CHECK(stored_count(store) == 0);

    // One bad row among good ones is just a rejected row: no hint.
    auto lines = split_lines(read_text_file(k_data + "native.csv"));
    lines[2] += " caf\xE9";
    TempFile mixed("native-one-bad", ".csv", joined(lines, "\n"));
    TempFile store2("one-bad", ".gpkg");
    const auto m = run_cli({"import", mixed.str(), "--store", store2.str()});
    CHECK(m.exit_code == 1);
    CHECK(m.stderr_text.find(mixed.str() + ":3: field 'notes': invalid UTF-8 at byte") !=
          std::string::npos);
    CHECK(m.stderr_text.find("hint:") == std::string::npos);
    CHECK(stored_count(store2) == 2);
}

TEST_CASE("import: a header with no rows is never a silent 0, usage errors for bad options",
          "[import][cli][encoding]") {
    const auto header = split_lines(read_text_file(k_data + "native.csv"))[0];
    for (const char *eol : {"\n", "\r", "\r\n\r\n"}) {
        TempFile file("header-only", ".csv", header + eol);
        TempFile store("header-only", ".gpkg");
        const auto r = run_cli({"import", file.str(), "--store", store.str()});
        CHECK(r.exit_code == 1);
        CHECK(r.stderr_text.find(file.str() +
                                 ":1: no data rows: the file has a header line but no records") !=
              std::string::npos);
    }
    TempFile store("usage", ".gpkg");
    auto r = run_cli(
        {"import", k_data + "native.csv", "--store", store.str(), "--encoding", "klingon-8"});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("unknown encoding 'klingon-8'") != std::string::npos);
    CHECK(r.stderr_text.find("uconv -l") != std::string::npos);
    r = run_cli({"import", k_data + "native.csv", "--store", store.str(), "--delimiter", ":"});
    CHECK(r.exit_code == 2);
    r = run_cli({"import", "--help"});
    CHECK(r.stdout_text.find("--encoding") != std::string::npos);
    CHECK(r.stdout_text.find("--delimiter") != std::string::npos);
}

TEST_CASE("resolve --input: --encoding, CR-only lines, the UTF-16 check, the text rule",
          "[resolve][cli][encoding]") {
    const std::string queries = "Khatlon\n" + k_name + "\n";
    const auto plain = run_cli({"resolve", "--format", "csv", "Khatlon", k_name});
    REQUIRE(plain.exit_code == 0);
    TempFile cp("queries-cp1251", ".txt");
    iconv_file(queries, "CP1251", cp);
    auto r = run_cli({"resolve", "--input", cp.str(), "--encoding", "cp1251", "--format", "csv"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text == plain.stdout_text);
    TempFile cr("queries-cr", ".txt", "Khatlon\r" + k_name + "\r");
    r = run_cli({"resolve", "--input", cr.str(), "--format", "csv"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text == plain.stdout_text);
    TempFile u16("queries-utf16", ".txt");
    iconv_file(queries, "UTF-16", u16);
    r = run_cli({"resolve", "--input", u16.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("looks like UTF-16") != std::string::npos);
    r = run_cli({"resolve", "--input", u16.str(), "--encoding", "UTF-16", "--format", "csv"});
    CHECK(r.stdout_text == plain.stdout_text);
    // Without the option the cp1251 line is rejected by the one rule; the rest resolved.
    r = run_cli({"resolve", "--input", cp.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find(cp.str() + ":2: field 'query': invalid UTF-8 at byte 0") !=
          std::string::npos);
    CHECK(r.stderr_text.find("hint:") == std::string::npos); // one line of two
    TempFile all_cp("queries-all-cp1251", ".txt");
    iconv_file(k_name + "\nДарвоз\n", "CP1251", all_cp);
    r = run_cli({"resolve", "--input", all_cp.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("resolve: hint: " + all_cp.str() +
                             ": 2 of 2 rows are not valid "
                             "UTF-8") != std::string::npos);
    CHECK(r.stderr_text.find("--encoding cp1251") != std::string::npos);
    TempFile nul("queries-nul", ".txt", std::string("Khat\0lon\nKhatlon\n", 16));
    r = run_cli({"resolve", "--input", nul.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find(nul.str() + ":1: field 'query': NUL at byte 4") != std::string::npos);
    CHECK(split_lines(r.stdout_text).size() == 2);
    r = run_cli({"resolve", "Khatlon", "--encoding", "cp1251"});
    CHECK(r.exit_code == 2);
}

TEST_CASE("locate --input: encodings, delimiters, CR, and the text rule for pass-through columns",
          "[locate][cli][encoding]") {
    auto places = split_lines(read_text_file(k_places));
    places[2] = k_name + places[2].substr(places[2].find(','));
    const std::string text = joined(places, "\n");
    TempFile original("places", ".csv", text);
    const auto reference = run_cli({"locate", "--input", original.str(), "--format", "csv"});
    REQUIRE(reference.exit_code == 0);
    REQUIRE(reference.stdout_text.find(k_name) != std::string::npos);

    TempFile old("places-old-excel", ".csv");
    iconv_file(redelimit(joined(places, "\r"), ';'), "CP1251", old);
    auto r = run_cli({"locate", "--input", old.str(), "--encoding", "cp1251", "--format", "csv"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text == reference.stdout_text);
    TempFile excel("places-excel", ".txt");
    iconv_file(redelimit(joined(places, "\r\n"), '\t'), "UTF-16", excel);
    r = run_cli({"locate", "-i", excel.str(), "--encoding", "UTF-16", "--delimiter", "tab",
                 "--format", "csv"});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_text == reference.stdout_text);
    r = run_cli({"locate", "-i", excel.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("looks like UTF-16") != std::string::npos);
    // Every row in cp1251 and no --encoding: per-row errors and a hint.
    std::vector<std::string> cyrillic{places[0]};
    for (std::size_t i = 1; i < places.size(); ++i) {
        cyrillic.push_back(k_name + places[i].substr(places[i].find(',')));
    }
    TempFile all_cp("places-all-cp1251", ".csv");
    iconv_file(joined(cyrillic, "\n"), "CP1251", all_cp);
    r = run_cli({"locate", "-i", all_cp.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find(all_cp.str() + ":2:1: field 'name': invalid UTF-8 at byte 0") !=
          std::string::npos);
    CHECK(r.stderr_text.find("locate: hint: ") != std::string::npos);
    CHECK(r.stderr_text.find("--encoding cp1251") != std::string::npos);

    // Invalid UTF-8 / NUL in a pass-through column: that row rejected, the rest placed.
    places[3] = "Bad\xFF" + places[3].substr(places[3].find(','));
    places[4] = std::string("Nul\0x", 5) + places[4].substr(places[4].find(','));
    TempFile bad("places-bad", ".csv", joined(places, "\n"));
    r = run_cli({"locate", "-i", bad.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find(bad.str() + ":4:1: field 'name': invalid UTF-8 at byte 3") !=
          std::string::npos);
    CHECK(r.stderr_text.find(bad.str() + ":5:1: field 'name': NUL at byte 3") != std::string::npos);
    CHECK(split_lines(r.stdout_text).size() == places.size() - 2);
    CHECK(iconv_valid_utf8(r.stdout_text));

    TempFile header("places-header", ".csv", places[0] + "\r");
    r = run_cli({"locate", "-i", header.str(), "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("no data rows") != std::string::npos);
    r = run_cli({"locate", "70", "38", "--encoding", "cp1251"});
    CHECK(r.exit_code == 2);
}

TEST_CASE("update: [inputs] encoding and delimiter, a header-only drop is not marked done "
          "silently",
          "[update][cli][encoding]") {
    const fs::path dir = unique_temp_path("update-text");
    fs::create_directories(dir / "drops");
    const auto native = cyrillic_lines("native.csv");
    TempFile semi("native-semi-cp1251", ".csv");
    iconv_file(redelimit(joined(native, "\r"), ';'), "CP1251", semi);
    fs::copy_file(semi.path(), dir / "drops" / "native.csv");
    const auto config = dir / "update.toml";
    std::ofstream(config) << "store = \"store.gpkg\"\n"
                             "[inputs]\npaths = [\"drops\"]\nencoding = \"cp1251\"\n"
                             "delimiter = \";\"\n"
                             "[export]\ndir = \"layers\"\nformats = [\"geojson\"]\n";
    auto r = run_cli({"update", "--config", config.string()});
    INFO(r.stderr_text);
    CHECK(r.exit_code == 0);
    const auto geojson = read_text_file(dir / "layers" / "incidents.geojson");
    CHECK(geojson.find(k_name) != std::string::npos);
    CHECK(iconv_valid_utf8(geojson));

    std::ofstream(dir / "drops" / "empty.csv") << redelimit(native[0], ';') << "\r";
    r = run_cli({"update", "--config", config.string()});
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("no data rows") != std::string::npos);

    std::ofstream(config, std::ios::app) << "[filter]\nside = \"TJK\\u0000\"\n";
    r = run_cli({"update", "--config", config.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.stderr_text.find("field 'filter.side': NUL at byte 3") != std::string::npos);
    std::error_code ec;
    fs::remove_all(dir, ec);
}
