// The bad-input corpus (issue 12): every tests/data/incidents/bad/NAME.EXT is imported into a
// fresh store with `borderwatch import FILE ARGS --store TMP.gpkg`, and the outcome is checked
// against its sidecar NAME.EXT.expect:
//
//     args = --encoding cp1251      extra import arguments (optional, split at spaces;
//                                   "double quotes" keep spaces)
//     exit = 1                      expected exit status (required)
//     stored = 3                    incidents in the store afterwards (required; read with GDAL)
//     lines = 4,7                   each must appear as NAME.EXT:LINE in stderr (optional)
//     message = invalid UTF-8       substring of stderr (optional, repeatable)
//
// Lines starting with '#' and blank lines are comments. Each file is its own DYNAMIC_SECTION,
// so a failure names the file. Nothing is skipped: an input without a sidecar, a sidecar
// without an input and a malformed sidecar (unknown key, no '=', a missing or repeated key, a
// value that is not a number) all fail. Whatever the input, the binary must exit normally
// (no signal), never print "internal error", and keep stderr empty when the sidecar expects
// exit 0 with no lines and no messages.
#include "cli/cli_helpers.hpp"

#include <catch2/catch.hpp>

#include <gdal.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace borderwatch::test;
namespace fs = std::filesystem;

namespace {

const fs::path k_corpus = fs::path(BORDERWATCH_TEST_DATA) / "incidents" / "bad";

/// What a sidecar expects.
struct Expectation {
    std::vector<std::string> args;
    int exit_code = -1;
    long long stored = -1;
    std::vector<long long> lines;
    std::vector<std::string> messages;
};

std::string trim(const std::string &s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

long long to_number(const std::string &text, const std::string &where) {
    long long v = 0;
    const auto *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || v < 0) {
        throw std::runtime_error(where + ": '" + text + "' is not a non-negative integer");
    }
    return v;
}

std::vector<std::string> split_args(const std::string &text, const std::string &where) {
    std::vector<std::string> out;
    std::string current;
    bool in_token = false;
    bool quoted = false;
    for (const char c : text) {
        if (c == '"') {
            quoted = !quoted;
            in_token = true;
        } else if ((c == ' ' || c == '\t') && !quoted) {
            if (in_token) {
                out.push_back(current);
            }
            current.clear();
            in_token = false;
        } else {
            current += c;
            in_token = true;
        }
    }
    if (quoted) {
        throw std::runtime_error(where + ": unterminated '\"' in args");
    }
    if (in_token) {
        out.push_back(current);
    }
    return out;
}

/// Parse a sidecar. @throws std::runtime_error naming SIDECAR:LINE for anything malformed
Expectation parse_expectation(const std::string &text, const std::string &name) {
    Expectation e;
    bool have_args = false;
    bool have_exit = false;
    bool have_stored = false;
    bool have_lines = false;
    std::size_t number = 0;
    for (const auto &raw : split_lines(text)) {
        ++number;
        const std::string where = name + ":" + std::to_string(number);
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#') {
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos) {
            throw std::runtime_error(where + ": expected 'key = value', got '" + line + "'");
        }
        const std::string key = trim(line.substr(0, eq));
        const std::string value = trim(line.substr(eq + 1));
        const auto once = [&](bool &seen) {
            if (seen) {
                throw std::runtime_error(where + ": '" + key + "' given twice");
            }
            seen = true;
        };
        if (key == "args") {
            once(have_args);
            e.args = split_args(value, where);
        } else if (key == "exit") {
            once(have_exit);
            e.exit_code = static_cast<int>(to_number(value, where));
            if (e.exit_code > 255) {
                throw std::runtime_error(where + ": exit status " + value + " is above 255");
            }
        } else if (key == "stored") {
            once(have_stored);
            e.stored = to_number(value, where);
        } else if (key == "lines") {
            once(have_lines);
            std::size_t start = 0;
            while (start <= value.size()) {
                auto end = value.find(',', start);
                end = end == std::string::npos ? value.size() : end;
                const auto n = to_number(trim(value.substr(start, end - start)), where);
                if (n == 0) {
                    throw std::runtime_error(where + ": line numbers start at 1");
                }
                e.lines.push_back(n);
                start = end + 1;
            }
        } else if (key == "message") {
            if (value.empty()) {
                throw std::runtime_error(where + ": empty message");
            }
            e.messages.push_back(value);
        } else {
            throw std::runtime_error(where + ": unknown key '" + key +
                                     "' (args, exit, stored, lines, message)");
        }
    }
    if (!have_exit || !have_stored) {
        throw std::runtime_error(name + ": 'exit' and 'stored' are required");
    }
    return e;
}

/// Incidents in the GeoPackage at @p path (0 when the file does not exist).
long long stored_count(const fs::path &path) {
    if (!fs::exists(path)) {
        return 0;
    }
    GDALAllRegister();
    const std::unique_ptr<void, decltype(&GDALClose)> ds(
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr),
        &GDALClose);
    if (!ds) {
        throw std::runtime_error("GDAL cannot open the store " + path.string());
    }
    OGRLayerH layer = GDALDatasetGetLayerByName(ds.get(), "incidents");
    if (layer == nullptr) {
        throw std::runtime_error("the store " + path.string() + " has no layer 'incidents'");
    }
    return static_cast<long long>(OGR_L_GetFeatureCount(layer, TRUE));
}

/// The corpus: inputs and sidecars, sorted by name.
struct Corpus {
    std::vector<fs::path> inputs;
    std::vector<fs::path> orphan_sidecars; ///< NAME.EXT.expect without NAME.EXT
};

Corpus read_corpus() {
    Corpus c;
    std::vector<fs::path> sidecars;
    for (const auto &entry : fs::directory_iterator(k_corpus)) {
        const auto &p = entry.path();
        (p.extension() == ".expect" ? sidecars : c.inputs).push_back(p);
    }
    for (const auto &s : sidecars) {
        if (!fs::exists(fs::path(s).replace_extension())) {
            c.orphan_sidecars.push_back(s);
        }
    }
    std::sort(c.inputs.begin(), c.inputs.end());
    return c;
}

} // namespace

TEST_CASE("bad-input corpus: every input gives its sidecar's outcome", "[cli][import][bad]") {
    const Corpus corpus = read_corpus();
    REQUIRE(corpus.inputs.size() >= 40);
    for (const auto &orphan : corpus.orphan_sidecars) {
        FAIL("sidecar without an input: " << orphan.filename().string());
    }
    for (const auto &input : corpus.inputs) {
        const std::string name = input.filename().string();
        DYNAMIC_SECTION(name) {
            const fs::path sidecar = input.string() + ".expect";
            if (!fs::exists(sidecar)) {
                FAIL(name << ": no sidecar " << sidecar.filename().string());
            }
            Expectation expect;
            try {
                expect = parse_expectation(read_text_file(sidecar), name + ".expect");
            } catch (const std::runtime_error &e) {
                FAIL("malformed sidecar: " << e.what());
            }
            TempDir dir("bad-input");
            const fs::path store = dir.path() / "store.gpkg";
            std::vector<std::string> args{"import", input.string()};
            args.insert(args.end(), expect.args.begin(), expect.args.end());
            args.insert(args.end(), {"--store", store.string()});
            const auto r = run_cli(args);
            INFO(name << "\n--- stderr ---\n" << r.stderr_text.substr(0, 4000));
            CHECK(r.exit_code == expect.exit_code);
            CHECK(r.stderr_text.find("internal error") == std::string::npos);
            CHECK(stored_count(store) == expect.stored);
            for (const auto line : expect.lines) {
                INFO("expected " << name << ":" << line << " in stderr");
                CHECK(r.stderr_text.find(name + ":" + std::to_string(line) + ":") !=
                      std::string::npos);
            }
            for (const auto &m : expect.messages) {
                INFO("expected message '" << m << "' in stderr");
                CHECK(r.stderr_text.find(m) != std::string::npos);
            }
            if (expect.exit_code == 0 && expect.lines.empty() && expect.messages.empty()) {
                CHECK(r.stderr_text.empty());
            }
        }
    }
}

TEST_CASE("bad-input corpus: malformed sidecars fail loudly", "[cli][bad]") {
    const auto parse = [](const std::string &text) { return parse_expectation(text, "x.expect"); };
    SECTION("a complete sidecar") {
        const auto e = parse("# comment\n\nargs = --format \"native\" --bands 0,1\nexit = 1\n"
                             "stored = 3\nlines = 4, 7\nmessage = at byte\nmessage = b\n");
        CHECK(e.args == std::vector<std::string>{"--format", "native", "--bands", "0,1"});
        CHECK(e.exit_code == 1);
        CHECK(e.stored == 3);
        CHECK(e.lines == std::vector<long long>{4, 7});
        CHECK(e.messages == std::vector<std::string>{"at byte", "b"});
    }
    SECTION("each mistake is an error naming the sidecar line") {
        CHECK_THROWS_WITH(parse("exit = 1\n"), Catch::Contains("'exit' and 'stored' are required"));
        CHECK_THROWS_WITH(parse("stored = 1\n"), Catch::Contains("required"));
        CHECK_THROWS_WITH(parse("exit = 1\nstored = 0\nexit = 2\n"),
                          Catch::Contains("x.expect:3: 'exit' given twice"));
        CHECK_THROWS_WITH(parse("exit = one\nstored = 0\n"),
                          Catch::Contains("x.expect:1: 'one' is not"));
        CHECK_THROWS_WITH(parse("exit = 1\nstored = -1\n"), Catch::Contains("x.expect:2:"));
        CHECK_THROWS_WITH(parse("exit = 1\nstored = 0\nline = 3\n"),
                          Catch::Contains("unknown key 'line'"));
        CHECK_THROWS_WITH(parse("exit = 1\nstored = 0\nlines = 3,,4\n"),
                          Catch::Contains("x.expect:3:"));
        CHECK_THROWS_WITH(parse("exit = 1\nstored = 0\nlines = 0\n"),
                          Catch::Contains("start at 1"));
        CHECK_THROWS_WITH(parse("exit = 1\nstored = 0\nmessage =\n"),
                          Catch::Contains("empty message"));
        CHECK_THROWS_WITH(parse("exit 1\nstored = 0\n"), Catch::Contains("expected 'key = value'"));
        CHECK_THROWS_WITH(parse("exit = 1\nstored = 0\nargs = \"open\n"),
                          Catch::Contains("unterminated"));
        CHECK_THROWS_WITH(parse("exit = 300\nstored = 0\n"), Catch::Contains("above 255"));
    }
}
