#pragma once
/// @file
/// The canonical borders of `<geodata>/borders.geojson`. read_canonical_borders() is the one
/// reader of that file: the border engine, the gazetteer and the export all use it.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace borderwatch {

/// One line of `<geodata>/borders.geojson`, as read_canonical_borders() gives it.
struct CanonicalBorder {
    std::string id;         ///< "TJK-AFG"
    std::string left;       ///< ISO3 on the left of the line's direction
    std::string right;      ///< ISO3 on the right
    std::string source;     ///< attribution
    std::string start_name; ///< e.g. "AFG-TJK-UZB tripoint"
    std::string end_name;
    /// The line parts as stored ({lon, lat} degrees; one part for a LineString).
    std::vector<std::vector<std::array<double, 2>>> parts;
};

/// Every line of `<geodata>/borders.geojson` (@p geodata empty: geodata_dir()), in file order.
/// Served from the geodata cache when it is valid (see README, "Caching").
/// @throws DataError if the file is missing, GdalError if it cannot be read
[[nodiscard]] std::vector<CanonicalBorder>
read_canonical_borders(const std::filesystem::path &geodata = {});

} // namespace borderwatch
