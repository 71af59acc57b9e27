#include <catch2/catch.hpp>

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/json.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/parallel.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/text_table.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include <unistd.h>

using namespace borderwatch;

TEST_CASE("numbers parse locale-independently and print shortest round trip", "[core]") {
    SECTION("parse") {
        CHECK(parse_double("70.04865") == 70.04865);
        CHECK(parse_double(" +1.5 ") == 1.5);
        CHECK_FALSE(parse_double("1,5").has_value());
        CHECK_FALSE(parse_double("").has_value());
        CHECK_FALSE(parse_double("12abc").has_value());
        CHECK(parse_int("42") == 42);
        CHECK_FALSE(parse_int("4.2").has_value());
    }
    SECTION("format") {
        CHECK(format_double(0.1) == "0.1");
        CHECK(format_fixed(70.048650001, 7) == "70.04865");
        CHECK(format_fixed(-0.00000001, 7) == "0");
        CHECK(format_fixed(12.0, 3) == "12");
    }
}

TEST_CASE("to_chars_fixed writes exactly what std::to_chars writes", "[core]") {
    const auto reference = [](double value, int decimals) {
        std::array<char, 512> buffer{};
        const auto r = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                     std::chars_format::fixed, decimals);
        return std::string(buffer.data(), r.ptr);
    };
    const auto ours = [](double value, int decimals) {
        std::array<char, 512> buffer{};
        const auto r =
            to_chars_fixed(buffer.data(), buffer.data() + buffer.size(), value, decimals);
        REQUIRE(r.ec == std::errc());
        return std::string(buffer.data(), r.ptr);
    };
    // Ties and near-ties (exactly representable halves, their neighbours), zeros of both
    // signs, values that round up into a new digit, the fast path's limits, non-finite.
    std::vector<double> values{0.0,
                               -0.0,
                               0.5,
                               1.5,
                               2.5,
                               -2.5,
                               0.125,
                               0.0625,
                               1e-10,
                               -1e-10,
                               9.9995,
                               9.9994,
                               359.9996,
                               0.05,
                               0.15,
                               0.25,
                               1e15,
                               1e16,
                               -1e16,
                               0x1p50,
                               0x1p53,
                               1e300,
                               123456789.987654321,
                               70.04865,
                               37.2493071,
                               std::numeric_limits<double>::infinity(),
                               std::numeric_limits<double>::quiet_NaN(),
                               std::numeric_limits<double>::denorm_min()};
    for (double tie = 0.0005; tie < 1000; tie = tie * 3 + 0.0005) {
        values.push_back(tie);
        values.push_back(std::nextafter(tie, 0.0));
        values.push_back(std::nextafter(tie, 1e9));
    }
    std::mt19937_64 random(20261206);
    std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-12, 18);
    for (int i = 0; i < 150000; ++i) {
        values.push_back(std::ldexp(mantissa(random), exponent(random) * 3));
    }
    // Decimals as printed (fractions of degrees, metres, km), and the whole supported range.
    std::uniform_int_distribution<int> half(0, 2000000);
    for (int i = 0; i < 50000; ++i) {
        values.push_back((half(random) + 0.5) / 1000.0); // x.xxx5: rounding ties in decimal
    }
    std::size_t checked = 0;
    for (const double v : values) {
        for (int decimals = 0; decimals <= 10; ++decimals) {
            if (!std::isfinite(v)) {
                continue;
            }
            const auto expected = reference(v, decimals);
            if (ours(v, decimals) != expected) {
                FAIL("value " << std::hexfloat << v << std::defaultfloat << " decimals " << decimals
                              << ": " << ours(v, decimals) << " != " << expected);
            }
            ++checked;
        }
    }
    CHECK(checked > 2000000);
    // A buffer too small is an error, not an overrun.
    std::array<char, 4> small{};
    CHECK(to_chars_fixed(small.data(), small.data() + small.size(), 12345.678, 3).ec ==
          std::errc::value_too_large);
}

TEST_CASE("float bounds round outwards", "[core]") {
    for (const double v : {0.1, -0.1, 6378137.123456789, -1e-40, 70.04865, 0.0, 3.0}) {
        const float lo = float_at_or_below(v);
        const float hi = float_at_or_above(v);
        CHECK(static_cast<double>(lo) <= v);
        CHECK(static_cast<double>(hi) >= v);
        CHECK(std::nextafter(lo, std::numeric_limits<float>::infinity()) >= hi); // adjacent
        if (static_cast<double>(static_cast<float>(v)) == v) {
            CHECK(lo == hi); // exact floats stay put
        }
    }
}

TEST_CASE("CSV reader handles quotes, newlines and reports lines", "[core]") {
    std::istringstream in(
        "\xEF\xBB\xBFid,name\n1,\"Qal'ai \"\"Khumb\"\"\"\n\n2,\"two\nlines\"\n3,x\n");
    CsvReader reader(in, "test.csv");
    auto header = reader.next();
    REQUIRE(header);
    CHECK(header->fields == std::vector<std::string>{"id", "name"});
    auto r1 = reader.next();
    REQUIRE(r1);
    CHECK(r1->line == 2);
    CHECK(r1->fields[1] == "Qal'ai \"Khumb\"");
    auto r2 = reader.next();
    REQUIRE(r2);
    CHECK(r2->line == 4);
    CHECK(r2->fields[1] == "two\nlines");
    auto r3 = reader.next();
    REQUIRE(r3);
    CHECK(r3->line == 6);
    CHECK_FALSE(reader.next());

    std::istringstream bad("a,\"open\n");
    CsvReader bad_reader(bad, "bad.csv");
    REQUIRE_THROWS_AS(bad_reader.next(), InputError);

    CHECK(find_column({"ID", "Latitude"}, {"lat", "latitude"}) == 1u);
    CHECK(csv_escape("a,b") == "\"a,b\"");
    CHECK(csv_escape("plain") == "plain");
}

TEST_CASE("CSV reader into a reused record matches fresh records", "[core]") {
    // Field counts change from row to row, fields shrink and grow, quoted fields span lines:
    // the reused record must hold exactly what a fresh one does.
    const std::string text = "a,b,c\n\"a long first field, quoted\",2,3\n,,\n"
                             "x,\"y\"\"\",z,extra\n\"multi\nline\",q\nlast\n";
    std::istringstream in1(text);
    std::istringstream in2(text);
    CsvReader fresh(in1, "t.csv");
    CsvReader reused(in2, "t.csv");
    CsvRecord record;
    std::size_t rows = 0;
    while (auto expected = fresh.next()) {
        REQUIRE(reused.next(record));
        CHECK(record.fields == expected->fields);
        CHECK(record.line == expected->line);
        ++rows;
    }
    CHECK_FALSE(reused.next(record));
    CHECK(rows == 6);
    std::istringstream check(text);
    CsvReader again(check, "t.csv");
    (void)again.next();
    (void)again.next();
    const auto empty_fields = again.next();
    REQUIRE(empty_fields);
    CHECK(empty_fields->fields == std::vector<std::string>{"", "", ""});
}

TEST_CASE("run_in_parallel runs every job and rethrows the first failure", "[core]") {
    std::vector<int> done(6, 0);
    run_in_parallel(done.size(), [&](std::size_t i) { done[i] = static_cast<int>(i) + 1; });
    CHECK(done == std::vector<int>{1, 2, 3, 4, 5, 6});

    std::atomic<int> finished{0};
    auto failing = [&](std::size_t i) {
        if (i == 2 || i == 4) {
            throw InputError({"job", i, 0, ""}, "job " + std::to_string(i) + " failed");
        }
        ++finished;
    };
    try {
        run_in_parallel(6, failing);
        FAIL("no exception");
    } catch (const InputError &e) {
        CHECK(e.message() == "job 2 failed"); // the lowest-numbered failure
    }
    CHECK(finished == 4); // the other jobs still ran to the end
}

TEST_CASE("InputError prints compiler-style locations", "[core]") {
    InputError e({"incidents.csv", 42, 7, "lat"}, "value '91.2' is outside [-90, 90]");
    CHECK(std::string(e.what()) ==
          "incidents.csv:42:7: field 'lat': value '91.2' is outside [-90, 90]");
}

TEST_CASE("AtomicFile replaces whole files or nothing", "[core]") {
    const auto dir = std::filesystem::temp_directory_path() / "borderwatch-atomic-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto target = dir / "out.txt";
    write_file_atomically(target, "first");
    {
        AtomicFile file(target);
        file.stream() << "second, never committed";
    } // destroyed without commit: the target keeps its old content
    std::ifstream in(target);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    CHECK(content == "first");
    CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);
    REQUIRE_THROWS_AS(AtomicFile(target, OverwritePolicy::refuse), IoError);
    std::filesystem::remove_all(dir);
}

TEST_CASE("text tables align UTF-8 cells and right-align numbers", "[core]") {
    CHECK(display_width("Дарвоз") == 6);
    CHECK(display_width("بدخشان") == 6);
    std::ostringstream out;
    write_text_table(out, {"name", "km"}, {{"Дарвоз", "1.5"}, {"Panj", "12.25"}}, {false, true});
    CHECK(out.str() == "name       km\n"
                       "Дарвоз    1.5\n"
                       "Panj    12.25\n");
}

TEST_CASE("JSON and XML escaping", "[core]") {
    CHECK(json_quoted("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
    CHECK(json_quoted("Дарвоз") == "\"Дарвоз\"");
    CHECK(sql_identifier("incidents") == "\"incidents\"");
    CHECK(sql_identifier("a\"b") == "\"a\"\"b\"");
    CHECK(sql_literal("Qal'ai Khumb") == "'Qal''ai Khumb'");
    CHECK(sql_literal("") == "''");
    std::string xml;
    append_xml_escaped(xml, "<Qal'ai & \"Khumb\">\x02");
    CHECK(xml == "&lt;Qal&apos;ai &amp; &quot;Khumb&quot;&gt;");
}

TEST_CASE("JSON is parsed with a nesting limit that names line and column", "[core][json]") {
    const std::string deep =
        "{\n \"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    const auto v = find_json_depth_violation(deep, 128);
    CHECK(v.line == 2);
    CHECK(v.column == 134); // ` "a": ` is 6 characters, then the 128th bracket is the limit + 1
    try {
        (void)parse_json(deep, "deep.geojson");
        FAIL("no error");
    } catch (const InputError &e) {
        CHECK(e.location().file == "deep.geojson");
        CHECK(e.location().line == 2);
        CHECK_THAT(e.message(), Catch::Contains("nested deeper than 128"));
    }
    // Brackets inside strings (with escaped quotes) do not count; exactly the limit parses.
    const std::string in_string =
        "[\"" + std::string(500, '[') + "\\\"" + std::string(500, '{') + "\"]";
    CHECK_FALSE(find_json_depth_violation(in_string, 2));
    CHECK(parse_json(in_string, "s").at(0).get<std::string>().size() == 1001);
    const std::string at_limit = std::string(128, '[') + std::string(128, ']');
    CHECK_NOTHROW(parse_json(at_limit, "limit"));
    CHECK_THROWS_AS(parse_json(at_limit.substr(1) + "]]", "limit"), InputError);
    // Not JSON: the parser's byte offset becomes a line.
    try {
        (void)parse_json("{\n\n  \"a\": tru }", "bad.json");
        FAIL("no error");
    } catch (const InputError &e) {
        CHECK(e.location().line == 3);
        CHECK_THAT(e.message(), Catch::Contains("not valid JSON"));
    }
    std::istringstream comments("// styles\n{\"a\": 1}");
    CHECK(parse_json(comments, "styles.json", /*allow_comments=*/true).at("a") == 1);
}

TEST_CASE("CSV formula cells are neutralised as OWASP recommends, numbers are not",
          "[core][issue12]") {
    // https://owasp.org/www-community/attacks/CSV_Injection
    CHECK(csv_formula_risk("=1+2"));
    CHECK(csv_formula_risk("+cmd|' /C calc'!A0"));
    CHECK(csv_formula_risk("-2+3"));
    CHECK(csv_formula_risk("@SUM(A1:A9)"));
    CHECK(csv_formula_risk("\tx"));
    CHECK(csv_formula_risk("\rx"));
    CHECK(csv_formula_risk("-"));
    CHECK(csv_formula_risk("-inf"));
    CHECK_FALSE(csv_formula_risk(""));
    CHECK_FALSE(csv_formula_risk("plain"));
    CHECK_FALSE(csv_formula_risk("a=b"));
    CHECK_FALSE(csv_formula_risk(" =1")); // leading space: text, and quoted anyway
    for (const char *number : {"-12.5", "+3", "-0", "-1.5e-07", "+2E+10", "-.5", "-5."}) {
        INFO(number);
        CHECK_FALSE(csv_formula_risk(number));
    }
    CHECK(csv_formula_risk("-1e"));
    CHECK(csv_formula_risk("-1.2.3"));

    CHECK(csv_escape("=1+2") == "\"'=1+2\"");
    CHECK(csv_escape("=HYPERLINK(\"http://x\",\"y\")") ==
          "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(csv_escape("@a,b") == "\"'@a,b\"");
    CHECK(csv_escape("\tx") == "\"'\tx\"");
    CHECK(csv_escape("-12.5") == "-12.5");
    CHECK(csv_escape("=1+2", ',', CsvFormulas::raw) == "=1+2");
    CHECK(csv_escape("a\"b", ',', CsvFormulas::raw) == "\"a\"\"b\"");
    CHECK(csv_escape("a;b", ';') == "\"a;b\"");
    CHECK(csv_escape("a;b") == "a;b");

    std::ostringstream out;
    write_csv_record(out, {"id", "-3", "=cmd", "+x"});
    write_csv_record(out, {"=cmd"}, ',', CsvFormulas::raw);
    CHECK(out.str() == "id,-3,\"'=cmd\",\"'+x\"\n=cmd\n");

    // A neutralised cell reads back as the quote-prefixed text.
    std::istringstream in(out.str());
    CsvReader reader(in, "t.csv");
    const auto rec = reader.next();
    REQUIRE(rec);
    CHECK(rec->fields == std::vector<std::string>{"id", "-3", "'=cmd", "'+x"});
}

TEST_CASE("User file errors are plain IoErrors with the path and the OS reason",
          "[core][issue12]") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("bw-core-files-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto message = [](auto &&f) {
        try {
            f();
        } catch (const IoError &e) {
            return std::string(e.what());
        }
        return std::string("no IoError");
    };
    CHECK(message([&] { (void)open_input_file(dir); }) ==
          "cannot read '" + dir.string() + "': Is a directory");
    CHECK(message([&] { (void)open_input_file(dir / "missing.csv"); }) ==
          "cannot open '" + (dir / "missing.csv").string() + "': No such file or directory");
    CHECK(message([&] {
              create_directories_checked("/proc/borderwatch-x/y");
          }).rfind("cannot create directory '/proc/borderwatch-x/y': ", 0) == 0);
    std::ofstream(dir / "file") << "x";
    CHECK(message([&] {
              create_directories_checked(dir / "file" / "sub");
          }).rfind("cannot create directory '" + (dir / "file" / "sub").string() + "': ", 0) == 0);
    CHECK(message([&] {
              create_directories_checked(dir / "file");
          }).rfind("cannot create directory '" + (dir / "file").string() + "': ", 0) == 0);
    CHECK_NOTHROW(create_directories_checked(dir / "a" / "b"));
    CHECK(std::filesystem::is_directory(dir / "a" / "b"));
    CHECK(message([&] { AtomicFile f(dir); }) ==
          "cannot write '" + dir.string() + "': Is a directory (give a file name)");

    try {
        std::filesystem::create_directories("/proc/borderwatch-x");
        FAIL("no filesystem_error");
    } catch (const std::filesystem::filesystem_error &e) {
        CHECK(describe_filesystem_error(e) ==
              "cannot create directories '/proc/borderwatch-x': No such file or directory");
    }
    std::filesystem::remove_all(dir);
}
