#pragma once
/// @file
/// The one way borderwatch parses JSON: nlohmann's DOM with a nesting limit. The parser
/// itself is iterative, but copying, dumping and walking the DOM recurse, so a document
/// nested 100,000 levels deep is a stack overflow waiting in whatever step touches it next.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace borderwatch {

/// Deeper than any real GeoJSON (a MultiPolygon's coordinates are 4 levels inside a
/// Feature inside a FeatureCollection) or config, far below what the stack can recurse.
inline constexpr std::size_t kMaxJsonDepth = 128;

/// Where a JSON text first nests deeper than `max_depth`: 1-based line and column, or
/// line 0 when it does not. Strings are skipped, so brackets inside them do not count.
struct JsonDepthViolation {
    std::size_t line = 0;
    std::size_t column = 0;
    [[nodiscard]] explicit operator bool() const noexcept { return line != 0; }
};
[[nodiscard]] JsonDepthViolation find_json_depth_violation(std::string_view text,
                                                           std::size_t max_depth = kMaxJsonDepth);

/// Parse `text`, named `source` in messages. Throws InputError (with line and column) for
/// text that is not JSON or nests deeper than `max_depth`.
[[nodiscard]] nlohmann::json parse_json(std::string_view text, const std::string &source,
                                        bool allow_comments = false,
                                        std::size_t max_depth = kMaxJsonDepth);

/// Read the whole stream and parse it as above.
[[nodiscard]] nlohmann::json parse_json(std::istream &in, const std::string &source,
                                        bool allow_comments = false,
                                        std::size_t max_depth = kMaxJsonDepth);

/// True when @p value is an object whose member "type" is the string @p type; false for
/// anything else. Safe on untrusted JSON (value("type", "") throws on a non-string member:
/// found by fuzzing).
[[nodiscard]] bool json_type_is(const nlohmann::json &value, std::string_view type);

} // namespace borderwatch
