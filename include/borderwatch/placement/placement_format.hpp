#pragma once
/// @file
/// The output columns of a Placement and their fixed text form, shared by every writer so
/// `locate`, exports and stores print the same digits: distance 3 decimals (mm), lon/lat 7
/// decimals (~1 cm), chainage 6 decimals (mm), bearing 3 decimals.

#include <borderwatch/placement/border_engine.hpp>

#include <array>
#include <string>
#include <string_view>

namespace borderwatch {

/// Column names appended by `borderwatch locate`, in output order.
inline constexpr std::array<std::string_view, 8> placement_columns{
    "border_distance_m", "nearest_lon", "nearest_lat", "chainage_km", "side", "admin1", "admin2",
    "bearing_deg"};

/// Columns appended after placement_columns for a border of several parts (lines) and in
/// world mode: the border of the nearest point ("USA-CAN") and the 1-based part holding it
/// (chainage_km is then along that part); in world mode also own_border_distance_m (empty
/// text, JSON null, when it has no value), neighbour and nearest_country.
inline constexpr std::array<std::string_view, 5> placement_part_columns{
    "border_id", "part", "own_border_distance_m", "neighbour", "nearest_country"};

/// How many placement columns `locate` writes for @p info: 8 (placement_columns); 10 with
/// border_id and part when the border has several parts; 13 in world mode.
[[nodiscard]] std::size_t placement_column_count(const BorderInfo &info) noexcept;

/// Name of placement column @p index (< 13): placement_columns, then placement_part_columns.
[[nodiscard]] constexpr std::string_view placement_column_name(std::size_t index) noexcept {
    return index < placement_columns.size()
               ? placement_columns[index]
               : placement_part_columns[index - placement_columns.size()];
}

/// Whether placement column @p index holds a number (else text).
[[nodiscard]] constexpr bool placement_column_is_number(std::size_t index) noexcept {
    return index != 4 && index != 5 && index != 6 && index != 8 && index != 11 && index != 12;
}

/// Fixed-point text with exactly @p decimals digits ("12.500"); -0 prints as "0.000";
/// non-finite values print as "nan"/"inf"/"-inf".
[[nodiscard]] std::string format_fixed_exact(double value, int decimals);

/// The fields of a Placement as text without allocating (hot loops): the views point
/// into the buffer or into the Placement's strings. All thirteen are filled; a writer uses
/// the first placement_column_count().
struct PlacementText {
    std::array<std::string_view, 13> fields;
    std::array<char, 160> buffer; ///< the numbers' digits
};

/// Fill @p text from @p p (valid while both live, and @p text is not copied).
void format_placement_into(const Placement &p, PlacementText &text);

/// The eight fields of @p p as text, in placement_columns order.
[[nodiscard]] std::array<std::string, 8> format_placement(const Placement &p);

} // namespace borderwatch
