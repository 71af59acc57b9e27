#include <borderwatch/core/utf8.hpp>

#include <cstdint>
#include <cstdio>

namespace borderwatch {

namespace {

struct Decoded {
    char32_t code_point = 0;
    std::size_t length = 0; ///< bytes consumed; 0 means malformed (consume one byte)
};

/// Decode one sequence at @p pos (RFC 3629: no overlongs, nothing above U+10FFFF).
/// Surrogates decode normally; the caller classifies them.
Decoded decode(std::string_view text, std::size_t pos) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const std::uint8_t lead = byte(pos);
    if (lead < 0x80) {
        return {lead, 1};
    }
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        cp = lead & 0x1F;
        min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        cp = lead & 0x0F;
        min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        cp = lead & 0x07;
        min = 0x10000;
    } else {
        return {};
    }
    if (pos + length > text.size()) {
        return {};
    }
    for (std::size_t i = 1; i < length; ++i) {
        const std::uint8_t next = byte(pos + i);
        if ((next & 0xC0) != 0x80) {
            return {};
        }
        cp = (cp << 6) | (next & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF) {
        return {};
    }
    return {cp, length};
}

bool is_surrogate(char32_t cp) noexcept {
    return cp >= 0xD800 && cp <= 0xDFFF;
}
bool is_illegal_control(char32_t cp) noexcept {
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF;
}

constexpr std::string_view replacement = "\xEF\xBF\xBD";

} // namespace

std::optional<TextIssue> find_text_issue(std::string_view text) noexcept {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto c = static_cast<std::uint8_t>(text[pos]);
        if (c >= 0x20 && c < 0x80) { // fast path: printable ASCII
            ++pos;
            continue;
        }
        const Decoded d = decode(text, pos);
        if (d.length == 0 || is_surrogate(d.code_point)) {
            return TextIssue{pos, TextIssueKind::invalid_utf8, 0};
        }
        if (d.code_point == 0) {
            return TextIssue{pos, TextIssueKind::nul, 0};
        }
        if (is_illegal_control(d.code_point)) {
            return TextIssue{pos, TextIssueKind::control_character, d.code_point};
        }
        pos += d.length;
    }
    return std::nullopt;
}

std::string describe_text_issue(const TextIssue &issue) {
    const std::string at = " at byte " + std::to_string(issue.byte);
    switch (issue.kind) {
    case TextIssueKind::nul:
        return "NUL" + at;
    case TextIssueKind::control_character: {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(issue.code_point));
        return std::string("control character ") + buffer + at;
    }
    case TextIssueKind::invalid_utf8:
        break;
    }
    return "invalid UTF-8" + at;
}

std::string sanitize_text(std::string_view text) {
    if (!find_text_issue(text)) {
        return std::string(text);
    }
    std::string out;
    out.reserve(text.size() + 8);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const Decoded d = decode(text, pos);
        if (d.length == 0) {
            out += replacement;
            ++pos;
            continue;
        }
        if (is_surrogate(d.code_point) || d.code_point == 0xFFFE || d.code_point == 0xFFFF) {
            out += replacement;
        } else if (!is_illegal_control(d.code_point)) {
            out.append(text.substr(pos, d.length));
        }
        pos += d.length;
    }
    return out;
}

std::string encoding_hint(std::string_view file, std::size_t invalid_utf8, std::size_t records) {
    if (invalid_utf8 == 0 || invalid_utf8 * 10 < records * 9) {
        return {};
    }
    return std::string(file) + ": " + std::to_string(invalid_utf8) + " of " +
           std::to_string(records) +
           " rows are not valid UTF-8: the file is probably in another encoding; read it with "
           "--encoding NAME (e.g. --encoding cp1251 for Cyrillic Windows text, --encoding "
           "windows-1252 for Western European)";
}

} // namespace borderwatch
