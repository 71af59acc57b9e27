#pragma once
/// @file
/// The incident selection as the user writes it (command-line options of `query`, `stats`
/// and `export`, the [filter] table of an `update` config), and its translation to a store
/// QueryFilter: admin names and --near places are resolved through the gazetteer.
/// Module `query`: above store and gazetteer, below the commands, export and schedule (it
/// lived in export, which `stats` and `query` had no reason to depend on).

#include <borderwatch/store/store.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace borderwatch {

/// Filters as written by the user; empty / nullopt = no restriction (see QueryFilter).
struct FilterSpec {
    std::optional<double> within_km;
    std::optional<double> beyond_km;
    std::string side;                ///< ISO3 or country name, any case
    std::vector<std::string> admin1; ///< names in any spelling ("Khatlon")
    std::vector<std::string> admin2; ///< names in any spelling ("Khatron")
    std::string near;                ///< "LON,LAT" or a place name
    std::optional<double> near_km;   ///< radius for near (default 25 km)
    std::string bbox;                ///< "W,S,E,N" degrees
    std::string from_date;           ///< YYYY-MM-DD, YYYY-MM or YYYY
    std::string to_date;
    std::vector<std::string> event_types;
    std::optional<int> min_fatalities;
    std::optional<int> precision_max;

    [[nodiscard]] bool empty() const noexcept;
    /// One line, e.g. "side=TJK within_km=10 from=2025-01-01"; "" when empty. Stable order.
    [[nodiscard]] std::string describe() const;
};

/// The ISO3 code of a border country given by ISO3 or name in any case ("tajikistan" -> "TJK").
/// @throws UsageError listing the accepted values
[[nodiscard]] std::string normalize_side(const std::string &side);

/// Check values that need no data (ranges, bbox syntax, dates). @throws UsageError
void validate_filter_spec(const FilterSpec &spec);

/// Translate to a QueryFilter. Admin names resolve through the gazetteer in @p geodata
/// (empty = geodata_dir()) to official names (a name that resolves to nothing is kept as
/// given, so exact official names always work); "near" accepts "LON,LAT" or a place name.
/// An ambiguous --near place ("Ishkashim": towns on both banks) is resolved to the best
/// candidate; if @p warnings is given, a line saying which place was used and which others
/// matched almost as well is appended to it (the caller prints it on stderr).
/// @throws UsageError for unusable values or an unknown --near place
[[nodiscard]] QueryFilter resolve_filter_spec(const FilterSpec &spec,
                                              const std::filesystem::path &geodata = {},
                                              std::vector<std::string> *warnings = nullptr);

} // namespace borderwatch
