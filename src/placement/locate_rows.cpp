// Rows of `locate --input` (see placement/locate_rows.hpp).
#include <borderwatch/placement/locate_rows.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/utf8.hpp>

#include <cmath>

namespace borderwatch {

LocateColumns find_locate_columns(const std::vector<std::string> &header,
                                  const std::string &lon_name, const std::string &lat_name,
                                  const SourceLocation &where) {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (const auto issue = find_text_issue(header[i])) {
            throw InputError({where.file, where.line, i + 1, "header"},
                             describe_text_issue(*issue));
        }
    }
    const auto lon = lon_name.empty() ? find_column(header, {"lon", "longitude", "x"})
                                      : find_column(header, {lon_name});
    const auto lat = lat_name.empty() ? find_column(header, {"lat", "latitude", "y"})
                                      : find_column(header, {lat_name});
    if (!lon || !lat) {
        const std::string expected =
            !lon ? (lon_name.empty() ? "lon, longitude or x" : "'" + lon_name + "'")
                 : (lat_name.empty() ? "lat, latitude or y" : "'" + lat_name + "'");
        throw InputError({where.file, where.line, 0, ""},
                         std::string("no ") + (!lon ? "longitude" : "latitude") +
                             " column: expected " + expected + " in the header");
    }
    return {*lon, *lat};
}

std::optional<std::string> check_coordinate(std::string_view text, bool is_lat, double &value) {
    const auto parsed = parse_double(text);
    if (!parsed) {
        return "value '" + std::string(text) + "' is not a number";
    }
    value = *parsed;
    if (std::isnan(value)) {
        return "value '" + std::string(text) + "' is not a number (NaN)";
    }
    const double limit = is_lat ? 90.0 : 180.0;
    if (!std::isfinite(value) || value < -limit || value > limit) {
        return "value '" + std::string(text) + "' is outside [" +
               (is_lat ? std::string("-90, 90") : std::string("-180, 180")) + "]";
    }
    return std::nullopt;
}

std::optional<LocateRowError> parse_locate_row(const std::vector<std::string> &fields,
                                               const std::vector<std::string> &header,
                                               const LocateColumns &columns, double &lon,
                                               double &lat) {
    if (fields.size() != header.size()) {
        return LocateRowError{"expected " + std::to_string(header.size()) + " fields, found " +
                                  std::to_string(fields.size()),
                              "", 0, false};
    }
    // Pass-through columns reach every output unchanged: the one text rule applies to all.
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (const auto issue = find_text_issue(fields[i])) {
            return LocateRowError{describe_text_issue(*issue), header[i], i + 1, false,
                                  issue->kind == TextIssueKind::invalid_utf8};
        }
    }
    if (auto e = check_coordinate(fields[columns.lon], false, lon)) {
        return LocateRowError{std::move(*e), header[columns.lon], columns.lon + 1, true};
    }
    if (auto e = check_coordinate(fields[columns.lat], true, lat)) {
        return LocateRowError{std::move(*e), header[columns.lat], columns.lat + 1, true};
    }
    return std::nullopt;
}

} // namespace borderwatch
