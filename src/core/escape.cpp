#include <borderwatch/core/escape.hpp>

#include <array>

namespace borderwatch {

void append_json_escaped(std::string &out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(text.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xf]);
        }
    }
    out.append(text.data() + run, text.size() - run);
}

void append_xml_escaped(std::string &out, std::string_view text) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool special = c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' ||
                             (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
        if (!special) {
            continue;
        }
        out.append(text.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            break; // not representable in XML 1.0: dropped
        }
    }
    out.append(text.data() + run, text.size() - run);
}

namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?  — the whole cell.
bool is_plain_number(std::string_view s) noexcept {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
    }
    std::size_t digits = 0;
    while (i < s.size() && is_digit(s[i])) {
        ++i;
        ++digits;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && is_digit(s[i])) {
            ++i;
            ++digits;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            ++i;
        }
        const std::size_t start = i;
        while (i < s.size() && is_digit(s[i])) {
            ++i;
        }
        if (i == start) {
            return false;
        }
    }
    return i == s.size();
}

} // namespace

bool csv_formula_risk(std::string_view cell) noexcept {
    if (cell.empty()) {
        return false;
    }
    switch (cell.front()) {
    case '=':
    case '@':
    case '\t':
    case '\r':
        return true;
    case '+':
    case '-':
        return !is_plain_number(cell);
    default:
        return false;
    }
}

namespace {

/// Bytes that make a CSV cell quoted whatever the separator: the quote, CR and LF.
constexpr std::array<bool, 256> csv_quote_bytes = [] {
    std::array<bool, 256> bytes{};
    bytes['"'] = bytes['\n'] = bytes['\r'] = true;
    return bytes;
}();

/// True when @p cell holds @p separator, a quote, CR or LF.
bool csv_has_special(std::string_view cell, char separator) noexcept {
    bool found = false;
    for (const char c : cell) { // no early exit: most cells have none, and this vectorises
        found |= csv_quote_bytes[static_cast<unsigned char>(c)] || c == separator;
    }
    return found;
}

bool csv_edge_space(std::string_view cell) noexcept {
    return !cell.empty() && (cell.front() == ' ' || cell.back() == ' ');
}

} // namespace

bool csv_field_is_plain(std::string_view cell, char separator, CsvFormulas formulas) noexcept {
    return !(formulas == CsvFormulas::neutralise && csv_formula_risk(cell)) &&
           !csv_edge_space(cell) && !csv_has_special(cell, separator);
}

void append_csv_field(std::string &out, std::string_view cell, char separator,
                      CsvFormulas formulas) {
    const bool neutralise = formulas == CsvFormulas::neutralise && csv_formula_risk(cell);
    if (!neutralise && !csv_edge_space(cell) && !csv_has_special(cell, separator)) {
        out.append(cell);
        return;
    }
    out.push_back('"');
    if (neutralise) {
        out.push_back('\'');
    }
    std::size_t run = 0;
    for (std::size_t i = 0; i < cell.size(); ++i) {
        if (cell[i] == '"') {
            out.append(cell.data() + run, i + 1 - run); // through the quote, then double it
            run = i;
        }
    }
    out.append(cell.data() + run, cell.size() - run);
    out.push_back('"');
}

std::string json_quoted(std::string_view text) {
    std::string out = "\"";
    append_json_escaped(out, text);
    out += '"';
    return out;
}

namespace {

// SQL quoting: the quote character around, and doubled inside.
std::string sql_quoted(std::string_view text, char quote) {
    std::string out(1, quote);
    for (const char c : text) {
        out += c;
        if (c == quote) {
            out += quote;
        }
    }
    out += quote;
    return out;
}

} // namespace

std::string sql_identifier(std::string_view text) {
    return sql_quoted(text, '"');
}

std::string sql_literal(std::string_view text) {
    return sql_quoted(text, '\'');
}

} // namespace borderwatch
