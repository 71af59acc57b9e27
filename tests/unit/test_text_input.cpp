// Text input (core/text_input): ICU transcoding to UTF-8, the UTF-16 check, LF/CRLF/CR line
// ends, delimiter detection; the CSV reader, the incident readers, the locate row parser and
// the update config on top of them.
#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/text_input.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/import/import.hpp>
#include <borderwatch/placement/locate_rows.hpp>
#include <borderwatch/schedule/update.hpp>

#include <catch2/catch.hpp>

#include "test_helpers.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace borderwatch;

namespace {

std::vector<std::string> lines_of(const std::string &text) {
    std::istringstream in(text);
    LineReader reader(in);
    std::vector<std::string> out;
    std::string line;
    while (reader.next(line)) {
        out.push_back(line);
        CHECK(reader.line_number() == out.size());
    }
    return out;
}

std::string transcode(const std::string &bytes, const std::string &encoding) {
    std::istringstream raw(bytes);
    TextInput in(raw, "test", encoding);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::vector<std::string>> csv_of(const std::string &text,
                                             char separator = CsvReader::detect_separator) {
    std::istringstream in(text);
    CsvReader reader(in, "t.csv", separator);
    std::vector<std::vector<std::string>> out;
    while (auto r = reader.next()) {
        out.push_back(r->fields);
    }
    return out;
}

std::string utf16le(const std::u16string &s, bool bom) {
    std::string out = bom ? "\xFF\xFE" : "";
    for (const char16_t c : s) {
        out += static_cast<char>(c & 0xFF);
        out += static_cast<char>(c >> 8);
    }
    return out;
}

std::string utf16be(const std::u16string &s) {
    std::string out;
    for (const char16_t c : s) {
        out += static_cast<char>(c >> 8);
        out += static_cast<char>(c & 0xFF);
    }
    return out;
}

const std::string k_name_utf8 =
    "\xD0\xA8\xD0\xB0\xD0\xBC\xD1\x81\xD0\xB8\xD0\xB4\xD0\xB4\xD0\xB8"
    "\xD0\xBD \xD0\xA8\xD0\xBE\xD1\x85\xD0\xB8\xD0\xBD"; // Шамсиддин Шохин
const std::string k_name_cp1251 = "\xD8\xE0\xEC\xF1\xE8\xE4\xE4\xE8\xED \xD8\xEE\xF5\xE8\xED";

} // namespace

TEST_CASE("LineReader ends lines at LF, CRLF and a lone CR", "[core][text]") {
    CHECK(lines_of("a\nb\n") == std::vector<std::string>{"a", "b"});
    CHECK(lines_of("a\r\nb\r\n") == std::vector<std::string>{"a", "b"});
    CHECK(lines_of("a\rb\rc") == std::vector<std::string>{"a", "b", "c"});
    CHECK(lines_of("a\r\rb\n\nc\r\n") == std::vector<std::string>{"a", "", "b", "", "c"});
    CHECK(lines_of("").empty());
    CHECK(lines_of("\n") == std::vector<std::string>{""});
    // A CRLF split across the 64 KiB read chunks is one line end.
    const std::string first(64 * 1024 - 1, 'x');
    CHECK(lines_of(first + "\r\ny\r\n") == std::vector<std::string>{first, "y"});
    const std::string exact(64 * 1024, 'z');
    CHECK(lines_of(exact + "\rq") == std::vector<std::string>{exact, "q"});
}

TEST_CASE("CsvReader reads CR-only files with their line numbers", "[core][text][csv]") {
    std::istringstream in("id,notes\r1,\"two\rlines\"\r\r2,x\r");
    CsvReader reader(in, "mac.csv");
    std::vector<std::size_t> lines;
    std::vector<std::vector<std::string>> rows;
    while (auto r = reader.next()) {
        lines.push_back(r->line);
        rows.push_back(r->fields);
    }
    REQUIRE(rows.size() == 3);
    CHECK(rows[1] == std::vector<std::string>{"1", "two\nlines"});
    CHECK(rows[2] == std::vector<std::string>{"2", "x"});
    CHECK(lines == std::vector<std::size_t>{1, 2, 5});
}

TEST_CASE("delimiters: detected from the header outside quotes, or given", "[core][text][csv]") {
    CHECK(detect_delimiter("id,event_date,notes") == ',');
    CHECK(detect_delimiter("id;event_date;notes") == ';');
    CHECK(detect_delimiter("id\tevent_date\tnotes") == '\t');
    CHECK(detect_delimiter("\"a,b\";\"c,d\";e") == ';');
    CHECK(detect_delimiter("\"x;y;z\",b") == ',');
    CHECK(detect_delimiter("single") == ',');
    CHECK(detect_delimiter("") == ',');
    CHECK(detect_delimiter("a;b,c") == ','); // a tie keeps the comma

    CHECK(parse_delimiter(";") == ';');
    CHECK(parse_delimiter("tab") == '\t');
    CHECK(parse_delimiter("\\t") == '\t');
    CHECK(parse_delimiter("\t") == '\t');
    CHECK(parse_delimiter(",") == ',');
    CHECK(parse_delimiter("|") == '|');
    CHECK_THROWS_AS(parse_delimiter(":"), UsageError);
    CHECK_THROWS_AS(parse_delimiter(""), UsageError);

    CHECK(csv_of("a;b;c\n1;\"x;y\";3\n") ==
          std::vector<std::vector<std::string>>{{"a", "b", "c"}, {"1", "x;y", "3"}});
    CHECK(csv_of("a\tb\n1,5\t2\n") ==
          std::vector<std::vector<std::string>>{{"a", "b"}, {"1,5", "2"}});
    CHECK(csv_of("\xEF\xBB\xBF"
                 "a;b\n1;2\n") == std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}});
    CHECK(csv_of("a|b\n1|2\n", '|') ==
          std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}});
    // Explicit separators are not second-guessed.
    CHECK(csv_of("a;b\n", ',') == std::vector<std::vector<std::string>>{{"a;b"}});
}

TEST_CASE("encodings: ICU names are checked, whole files transcoded to UTF-8", "[core][text]") {
    CHECK_THROWS_AS(check_encoding("klingon-8"), UsageError);
    CHECK_THROWS_WITH(check_encoding("klingon-8"), Catch::Contains("uconv -l"));
    CHECK_THROWS_AS(check_encoding(""), UsageError);
    CHECK_FALSE(check_encoding("cp1251").empty());
    CHECK_FALSE(check_encoding("latin1").empty());

    CHECK(transcode(k_name_cp1251 + "\n", "cp1251") == k_name_utf8 + "\n");
    CHECK(transcode(k_name_cp1251, "windows-1251") == k_name_utf8);
    CHECK(transcode("Caf\xE9", "latin1") == "Caf\xC3\xA9");
    CHECK(transcode("Caf\xE9 \x80", "windows-1252") == "Caf\xC3\xA9 \xE2\x82\xAC");
    const std::u16string text = u"id,notes\r\n1,Шамсиддин Шохин 😀\r\n";
    const std::string expected = "id,notes\r\n1," + k_name_utf8 + " \xF0\x9F\x98\x80\r\n";
    CHECK(transcode(utf16le(text, true), "UTF-16") == expected);
    CHECK(transcode(utf16le(text, false), "UTF-16") == expected); // no BOM: NULs say LE
    CHECK(transcode(utf16be(text), "UTF-16") == expected);
    CHECK(transcode(utf16be(text), "UTF-16BE") == expected);
    CHECK(transcode(utf16le(text, false), "UTF-16LE") == expected);
    // UTF-16LE with a BOM keeps it as U+FEFF (the CSV reader skips it at the start).
    CHECK(transcode(utf16le(text, true), "UTF-16LE") == "\xEF\xBB\xBF" + expected);
    CHECK(transcode("plain", "UTF-8") == "plain");

    SECTION("bytes the encoding cannot map become invalid UTF-8 (rejected per row)") {
        CHECK(transcode("a\xE9z", "US-ASCII") == "a\xFFz");
        CHECK(transcode("a\xBFz\xBF", "ISO-8859-8") == "a\xFFz\xFF");          // 0xBF: not Hebrew
        CHECK(transcode(utf16le(u"ab", false) + "c", "UTF-16LE") == "ab\xFF"); // odd length
        const std::u16string lone = {u'a', static_cast<char16_t>(0xD800), u'b'};
        CHECK(transcode(utf16le(lone, false), "UTF-16LE") == "a\xFF"
                                                             "b");
    }
    SECTION("large files stream: every chunk boundary, even inside a surrogate pair") {
        std::u16string big;
        while (big.size() < 200000) {
            big += u"Дарвоз 😀,";
        }
        std::string want;
        for (std::size_t i = 0; i < big.size() / 10; ++i) { // 10 UTF-16 units each
            want += "\xD0\x94\xD0\xB0\xD1\x80\xD0\xB2\xD0\xBE\xD0\xB7 \xF0\x9F\x98\x80,";
        }
        const bool same = transcode(utf16le(big, true), "UTF-16") == want;
        CHECK(same);
    }
}

TEST_CASE("the --encoding hint: when (almost) every record is not UTF-8", "[core][text]") {
    CHECK(encoding_hint("f.csv", 0, 10).empty());
    CHECK(encoding_hint("f.csv", 8, 10).empty());
    CHECK(encoding_hint("f.csv", 9, 10).rfind("f.csv: 9 of 10 rows are not valid UTF-8", 0) == 0);
    CHECK(encoding_hint("f.csv", 1, 1).find("--encoding cp1251") != std::string::npos);
}

TEST_CASE("UTF-16 read as UTF-8 is refused when opened, with the option to use", "[core][text]") {
    const auto open = [](const std::string &bytes) {
        std::istringstream raw(bytes);
        TextInput in(raw, "excel.csv", "");
    };
    CHECK_THROWS_WITH(open(utf16le(u"id,notes\r\n1,x\r\n", true)),
                      Catch::Contains("looks like UTF-16 (byte-order mark FF FE)") &&
                          Catch::Contains("--encoding UTF-16") && Catch::StartsWith("excel.csv:"));
    CHECK_THROWS_WITH(open(utf16le(u"id,notes\r\n1,x\r\n", false)),
                      Catch::Contains("bytes are NUL"));
    CHECK_THROWS_WITH(open(std::string("\xFF\xFE\0\0", 4)), Catch::Contains("UTF-32"));
    CHECK_THROWS_AS(open(utf16be(u"id,notes\n")), InputError);
    CHECK_NOTHROW(open("id,notes\n1,x\n"));
    CHECK_NOTHROW(open(std::string("id,notes\n1,a\0b\n", 15))); // one NUL: a per-row error
    CHECK_NOTHROW(open(""));
}

TEST_CASE("incident readers: encoding, delimiter, CR line ends, header-only files",
          "[incidents][text]") {
    const auto dir = test::unique_temp_dir("bw-text-input");
    const auto write = [&](const std::string &name, const std::string &bytes) {
        std::ofstream(dir / name, std::ios::binary) << bytes;
        return (dir / name).string();
    };
    const auto read = [](const std::string &path, const TextInputOptions &text,
                         std::vector<std::string> *errors = nullptr) {
        auto reader = open_incident_reader(path, IncidentFormat::auto_detect, text);
        std::vector<InputRecord> out;
        while (true) {
            try {
                auto r = reader->next();
                if (!r) {
                    break;
                }
                out.push_back(std::move(*r));
            } catch (const InputError &e) {
                if (errors != nullptr) {
                    errors->push_back(e.what());
                }
            }
        }
        if (errors != nullptr && !reader->hint().empty()) {
            errors->push_back("hint: " + reader->hint());
        }
        return out;
    };
    const std::string header = "id,event_date,location_text,lon,lat\n";
    const std::string row = "X-1,2025-11-26," + k_name_cp1251 + ",69.5,37.8\n";

    SECTION("cp1251 with --encoding") {
        const auto path = write("cp1251.csv", header + row);
        const auto records = read(path, {"cp1251", 0});
        REQUIRE(records.size() == 1);
        CHECK(records[0].incident.location_text == k_name_utf8);
    }
    SECTION("cp1251 without: every row rejected, then a hint") {
        const auto path = write("cp1251.csv", header + row + row);
        std::vector<std::string> errors;
        CHECK(read(path, {}, &errors).empty());
        REQUIRE(errors.size() == 3);
        CHECK(errors[0] == path + ":2: field 'location_text': invalid UTF-8 at byte 0");
        CHECK(errors[2].find("--encoding cp1251") != std::string::npos);
    }
    SECTION("one bad row among good ones: no hint") {
        const auto path = write("mixed.csv", header + row + "X-2,2025-11-26,Panj,69.5,37.8\n" +
                                                 "X-3,2025-11-26,Panj,69.5,37.8\n");
        std::vector<std::string> errors;
        CHECK(read(path, {}, &errors).size() == 2);
        CHECK(errors.size() == 1);
    }
    SECTION("semicolons and CR-only line ends") {
        const auto path = write("semi.csv", "id;event_date;notes;lon;lat\r"
                                            "S-1;2025-11-26;\"a;b, c\";69.5;37.8\r"
                                            "S-2;2025-11-27;x;70,1;37.8\r");
        std::vector<std::string> errors;
        const auto records = read(path, {}, &errors);
        REQUIRE(records.size() == 1);
        CHECK(records[0].incident.notes == "a;b, c");
        CHECK(records[0].line == 2);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].find(path + ":3: field 'lon'") == 0);
    }
    SECTION("a header and no rows: one error, not a silent 0") {
        const auto path = write("header.csv", header);
        std::vector<std::string> errors;
        CHECK(read(path, {}, &errors).empty());
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == path + ":1: no data rows: the file has a header line but no records");
    }
    SECTION("UTF-16 GeoJSON and CSV need the option") {
        const auto path = write("u16.csv", utf16le(u"id,event_date\r\nU-1,2025-11-26\r\n", true));
        CHECK_THROWS_AS(open_incident_reader(path, IncidentFormat::auto_detect), InputError);
        CHECK(read(path, {"UTF-16", 0}).size() == 1);
        CHECK_THROWS_AS(open_incident_reader(path, IncidentFormat::auto_detect, {"nope", 0}),
                        UsageError);
    }
}

TEST_CASE("locate rows: one text rule for pass-through columns, coordinates in range",
          "[placement][text]") {
    const std::vector<std::string> header{"name", "Longitude", "lat"};
    const auto columns = find_locate_columns(header, "", "", {"p.csv", 1, 0, ""});
    CHECK(columns.lon == 1);
    CHECK(columns.lat == 2);
    CHECK_THROWS_WITH(find_locate_columns({"name", "lat"}, "", "", {"p.csv", 1, 0, ""}),
                      Catch::Contains("no longitude column"));
    CHECK_THROWS_WITH(find_locate_columns({"n\xff", "lon", "lat"}, "", "", {"p.csv", 1, 0, ""}),
                      Catch::Contains("invalid UTF-8 at byte 1"));
    CHECK(find_locate_columns({"a", "b"}, "b", "a", {}).lon == 1);

    double lon = 0;
    double lat = 0;
    CHECK_FALSE(parse_locate_row({"Panj", "69.1", "37.2"}, header, columns, lon, lat));
    CHECK(lon == 69.1);
    CHECK(lat == 37.2);
    auto e = parse_locate_row({"Pa\xffnj", "69.1", "37.2"}, header, columns, lon, lat);
    REQUIRE(e);
    CHECK(e->message == "invalid UTF-8 at byte 2");
    CHECK(e->field == "name");
    CHECK(e->column == 1);
    CHECK_FALSE(e->coordinates);
    e = parse_locate_row({std::string("a\0b", 3), "69.1", "37.2"}, header, columns, lon, lat);
    REQUIRE(e);
    CHECK(e->message == "NUL at byte 1");
    e = parse_locate_row({"x", "69.1", "97.2"}, header, columns, lon, lat);
    REQUIRE(e);
    CHECK(e->field == "lat");
    CHECK(e->coordinates);
    e = parse_locate_row({"x", "nan", "37"}, header, columns, lon, lat);
    REQUIRE(e);
    CHECK(e->message.find("NaN") != std::string::npos);
    e = parse_locate_row({"x", "1"}, header, columns, lon, lat);
    REQUIRE(e);
    CHECK(e->message == "expected 3 fields, found 2");
}

TEST_CASE("update config: [inputs] encoding and delimiter and the text rule for the file",
          "[schedule][text]") {
    const std::string base = "store = \"s.gpkg\"\n[export]\ndir = \"out\"\n";
    const auto c = parse_update_config(
        base + "[inputs]\npaths = [\"in\"]\nencoding = \"cp1251\"\ndelimiter = \";\"\n", "/tmp",
        "u.toml");
    CHECK(c.input_text.encoding == "cp1251");
    CHECK(c.input_text.delimiter == ';');
    CHECK(parse_update_config(base, "/tmp", "u.toml").input_text.delimiter == 0);
    CHECK_THROWS_WITH(
        parse_update_config(base + "[inputs]\nencoding = \"nope\"\n", "/tmp", "u.toml"),
        Catch::Contains("key 'inputs.encoding'") && Catch::Contains("unknown encoding"));
    CHECK_THROWS_WITH(parse_update_config(base + "[inputs]\ndelimiter = \":\"\n", "/tmp", "u.toml"),
                      Catch::Contains("key 'inputs.delimiter'"));
    CHECK_THROWS_WITH(
        parse_update_config(base + "[inputs]\npaths = [\"a\\u0000b\"]\n", "/tmp", "u.toml"),
        Catch::Equals("u.toml:5: field 'inputs.paths': NUL at byte 1"));
    CHECK_THROWS_WITH(parse_update_config(base + "# caf\xE9\n", "/tmp", "u.toml"),
                      Catch::Equals("u.toml:4: invalid UTF-8 at byte 5"));
}
