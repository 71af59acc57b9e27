#include <catch2/catch.hpp>

#include <borderwatch/core/utf8.hpp>

using namespace borderwatch;
using namespace std::string_literals;

TEST_CASE("find_text_issue accepts valid UTF-8 with TAB/LF/CR", "[core][utf8]") {
    CHECK_FALSE(find_text_issue(""));
    CHECK_FALSE(find_text_issue("plain ascii\twith\ttabs\r\nand lines"));
    CHECK_FALSE(find_text_issue("Київ, Zürich, 北京, \xF0\x9F\x98\x80"));
    CHECK_FALSE(find_text_issue("\xEF\xBF\xBD")); // U+FFFD itself is fine
}

TEST_CASE("find_text_issue reports the first issue with its byte offset", "[core][utf8]") {
    const auto invalid = find_text_issue("ab\xFF"
                                         "cd");
    REQUIRE(invalid);
    CHECK(invalid->byte == 2);
    CHECK(invalid->kind == TextIssueKind::invalid_utf8);
    CHECK(describe_text_issue(*invalid) == "invalid UTF-8 at byte 2");

    const auto nul = find_text_issue("abc\0def"s);
    REQUIRE(nul);
    CHECK(nul->byte == 3);
    CHECK(nul->kind == TextIssueKind::nul);
    CHECK(describe_text_issue(*nul) == "NUL at byte 3");

    const auto control = find_text_issue("x\x01y");
    REQUIRE(control);
    CHECK(control->byte == 1);
    CHECK(control->kind == TextIssueKind::control_character);
    CHECK(describe_text_issue(*control) == "control character U+0001 at byte 1");

    const auto fffe = find_text_issue("ok\xEF\xBF\xBE");
    REQUIRE(fffe);
    CHECK(describe_text_issue(*fffe) == "control character U+FFFE at byte 2");
}

TEST_CASE("find_text_issue rejects overlongs, surrogates, truncation", "[core][utf8]") {
    CHECK(find_text_issue("\xC0\xAF"));         // overlong '/'
    CHECK(find_text_issue("\xE0\x80\xAF"));     // overlong
    CHECK(find_text_issue("\xED\xA0\x80"));     // UTF-8-encoded surrogate U+D800
    CHECK(find_text_issue("\xF4\x90\x80\x80")); // above U+10FFFF
    const auto truncated = find_text_issue("ab\xE2\x82");
    REQUIRE(truncated);
    CHECK(truncated->byte == 2);
    CHECK(find_text_issue("\xE2\x82"
                          "A")); // bad continuation
}

TEST_CASE("sanitize_text replaces bad sequences and drops illegal controls", "[core][utf8]") {
    CHECK(sanitize_text("Київ") == "Київ");
    CHECK(sanitize_text("a\xFF"
                        "b") == "a\xEF\xBF\xBD"
                                "b");
    CHECK(sanitize_text("a\0b\x01"
                        "c"s) == "abc");
    CHECK(sanitize_text("t\tl\nr\r") == "t\tl\nr\r");
    CHECK(sanitize_text("\xED\xA0\x80x") == "\xEF\xBF\xBDx");
    CHECK(sanitize_text("\xEF\xBF\xBF") == "\xEF\xBF\xBD");
    CHECK_FALSE(find_text_issue(sanitize_text("\xC0\xAF\xE2\x82\xF4\x90\x80\x80\x00z"s)));
}
