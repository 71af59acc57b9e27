#include <borderwatch/core/json.hpp>

#include <algorithm>
#include <istream>
#include <iterator>

#include <nlohmann/json.hpp>

#include <borderwatch/core/error.hpp>

namespace borderwatch {

JsonDepthViolation find_json_depth_violation(std::string_view text, std::size_t max_depth) {
    std::size_t depth = 0;
    std::size_t line = 1;
    std::size_t line_start = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i; // the escaped character cannot end the string
            } else if (c == '"') {
                in_string = false;
            } else if (c == '\n') {
                ++line; // not valid JSON, but keep the position honest for the parser's error
                line_start = i + 1;
            }
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            if (++depth > max_depth) {
                return {line, i - line_start + 1};
            }
            break;
        case ']':
        case '}':
            if (depth > 0) {
                --depth;
            }
            break;
        case '\n':
            ++line;
            line_start = i + 1;
            break;
        default:
            break;
        }
    }
    return {};
}

nlohmann::json parse_json(std::string_view text, const std::string &source, bool allow_comments,
                          std::size_t max_depth) {
    if (const auto v = find_json_depth_violation(text, max_depth)) {
        throw InputError(SourceLocation{source, v.line, v.column, {}},
                         "JSON nested deeper than " + std::to_string(max_depth) +
                             " levels; refusing to read it");
    }
    try {
        return nlohmann::json::parse(text.begin(), text.end(), nullptr, true, allow_comments);
    } catch (const nlohmann::json::parse_error &e) {
        // nlohmann reports a byte offset; turn it into the line the user can open.
        std::size_t line = 1;
        const auto end = std::min<std::size_t>(e.byte, text.size());
        for (std::size_t i = 0; i < end; ++i) {
            line += text[i] == '\n' ? 1 : 0;
        }
        throw InputError(SourceLocation{source, line, 0, {}},
                         std::string("not valid JSON: ") + e.what());
    } catch (const nlohmann::json::exception &e) {
        // Not a syntax error but a value nlohmann cannot hold (406: a number such as 1e999
        // overflows a double); it gives no position. Found by fuzz_geojson_input.
        throw InputError(SourceLocation{source, 0, 0, {}},
                         std::string("not valid JSON: ") + e.what());
    }
}

nlohmann::json parse_json(std::istream &in, const std::string &source, bool allow_comments,
                          std::size_t max_depth) {
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) {
        throw IoError("cannot read '" + source + "'");
    }
    return parse_json(text, source, allow_comments, max_depth);
}

bool json_type_is(const nlohmann::json &value, std::string_view type) {
    if (!value.is_object()) {
        return false;
    }
    const auto it = value.find("type");
    return it != value.end() && it->is_string() && it->get_ref<const std::string &>() == type;
}

} // namespace borderwatch
