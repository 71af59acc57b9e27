#include <borderwatch/core/escape.hpp>

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
