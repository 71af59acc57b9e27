#pragma once
/// @file
/// The incident schema as data: one descriptor per Incident field, in the canonical column
/// order used by the native CSV, the GeoPackage/PostGIS tables and every export. Backends
/// and writers iterate incident_fields() and use get_field()/set_field() instead of
/// hand-listing columns, so a field added to Incident appears everywhere at once.

#include <borderwatch/incidents/incident.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace borderwatch {

/// Storage type of a field. Dates and date-times are ISO 8601 text in memory and in text
/// formats ("YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" in UTC) and typed columns where the format
/// has them (GeoPackage DATE / DATETIME, PostgreSQL date / timestamptz); an empty one is
/// NULL there. Enums are text (see to_string(DatePrecision) / to_string(CoordinateOrigin)).
enum class FieldType : std::uint8_t { text, integer, real, date, datetime };

/// True for the types whose values are text in memory (text, date, datetime).
[[nodiscard]] constexpr bool is_text_type(FieldType type) noexcept {
    return type == FieldType::text || type == FieldType::date || type == FieldType::datetime;
}

/// One column of the incident schema.
struct IncidentField {
    std::string_view name; ///< column name (snake_case, ACLED-like where one exists)
    FieldType type;
    bool derived;                 ///< set by placement, not read from input
    std::string_view description; ///< one line, for docs and `--help`
};

/// Every field of Incident in canonical order ("id" first, "updated_at" last).
[[nodiscard]] const std::vector<IncidentField> &incident_fields();

/// Index of the field called @p name in incident_fields(), or nullopt.
[[nodiscard]] std::optional<std::size_t> incident_field_index(std::string_view name);

/// A field value: monostate = NULL (empty optional or empty enum), else by FieldType.
/// Empty strings are text values "", not NULL.
using FieldValue = std::variant<std::monostate, std::int64_t, double, std::string>;

/// Value of field @p index of @p incident. @pre index < incident_fields().size()
[[nodiscard]] FieldValue get_field(const Incident &incident, std::size_t index);

/// Make @p incident equal to a default Incident, keeping the capacity of its strings: for
/// loops that reuse one Incident per slot instead of allocating every row's text again.
void reset_incident(Incident &incident) noexcept;

/// Set field @p index from @p value (integer/real converted as needed; text enums parsed).
/// @throws InputError (without location) when the value does not fit the field
void set_field(Incident &incident, std::size_t index, const FieldValue &value);

/// Field value as text: "" for NULL, shortest round-trip for reals.
[[nodiscard]] std::string field_text(const FieldValue &value);

/// "day" | "week" | "month" | "range" | "year".
[[nodiscard]] std::string_view to_string(DatePrecision precision) noexcept;
/// Parse a DatePrecision name or its code 1..5. @return nullopt when unknown
[[nodiscard]] std::optional<DatePrecision> parse_date_precision(std::string_view text) noexcept;
/// "" (none) | "given" | "gazetteer".
[[nodiscard]] std::string_view to_string(CoordinateOrigin origin) noexcept;
/// Parse "", "none", "given", "gazetteer". @return nullopt when unknown
[[nodiscard]] std::optional<CoordinateOrigin>
parse_coordinate_origin(std::string_view text) noexcept;

/// True if @p flags ("|"-separated, see Incident::flags) contains @p flag.
[[nodiscard]] bool has_flag(std::string_view flags, std::string_view flag) noexcept;
/// Add @p flag to @p flags unless present (keeps "|"-separated, sorted order).
void add_flag(std::string &flags, std::string_view flag);

/// Flag set when a row's given coordinates are more than 25 km from where its location
/// text resolves.
inline constexpr std::string_view k_flag_location_mismatch = "location_mismatch_25km";
/// Flag set when the gazetteer marked the resolution ambiguous (the top candidate is used).
inline constexpr std::string_view k_flag_ambiguous = "location_ambiguous";
/// Flag set when the location text did not resolve and the place comes from the admin-2 /
/// admin-1 column instead (coarser).
inline constexpr std::string_view k_flag_location_from_admin = "location_from_admin";
/// Flag set when given coordinates lie far from the border while the same point with lon and
/// lat exchanged lies near it (lonlat_swap_warning(), the rule `locate` warns by). The stored
/// coordinates stay as given.
inline constexpr std::string_view k_flag_lonlat_swapped = "lonlat_look_swapped";

} // namespace borderwatch
