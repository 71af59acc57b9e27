#pragma once
/// @file
/// The rows of `borderwatch locate --input`: finding the lon/lat columns in the header and
/// checking each data row (field count, the core/utf8 text rule for every pass-through
/// column, coordinates that are numbers in range). Library code so the fuzz target and the
/// command share it.

#include <borderwatch/core/error.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// Where the coordinates are in a locate input's rows (0-based columns).
struct LocateColumns {
    std::size_t lon = 0;
    std::size_t lat = 0;
};

/// The lon/lat columns of @p header: @p lon_name / @p lat_name when given, else lon,
/// longitude or x and lat, latitude or y (ASCII case-insensitive). Header names must be valid
/// text (core/utf8).
/// @param where file and line of the header, for errors
/// @throws InputError naming what was expected, or the bad header field
[[nodiscard]] LocateColumns find_locate_columns(const std::vector<std::string> &header,
                                                const std::string &lon_name,
                                                const std::string &lat_name,
                                                const SourceLocation &where);

/// Why a data row was rejected (the caller adds FILE:LINE).
struct LocateRowError {
    std::string message;
    std::string field;         ///< the column's name, "" for the row as a whole
    std::size_t column = 0;    ///< 1-based, 0 for the row as a whole
    bool coordinates = false;  ///< a lon/lat value was wrong (worth a swapped-columns check)
    bool invalid_utf8 = false; ///< a field was not UTF-8 (for core/utf8 encoding_hint())
};

/// One coordinate: a number, not NaN, inside [-180, 180] (lon) or [-90, 90] (lat).
/// @return the message on failure ("value 'x' is not a number", ...), else nullopt and @p value
[[nodiscard]] std::optional<std::string> check_coordinate(std::string_view text, bool is_lat,
                                                          double &value);

/// Check one data row: as many fields as the header, every field valid text (the core/utf8
/// rule: "invalid UTF-8 at byte N", "NUL at byte N" ...), then lon and lat.
/// @return the first problem, or nullopt with @p lon and @p lat set
[[nodiscard]] std::optional<LocateRowError> parse_locate_row(const std::vector<std::string> &fields,
                                                             const std::vector<std::string> &header,
                                                             const LocateColumns &columns,
                                                             double &lon, double &lat);

} // namespace borderwatch
