#pragma once
// The geodata layers as the cache stores them: a polygon layer (its requested fields per
// feature and its point-in-polygon index) and the canonical border lines. Each function
// reads the source (GeoJSON, io/vector_features.hpp) only when the cache has no valid copy.

#include <borderwatch/geodata/borders.hpp>

#include "geodata/detail/polygon_grid.hpp"
#include "geodata/geodata_cache.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace borderwatch::detail {

struct PolygonLayer {
    std::vector<std::vector<std::string>> fields; ///< per feature, the requested fields
    std::unique_ptr<PolygonGrid> grid;            ///< owner k = feature k
};

/// The polygon layer @p path with string fields @p field_names.
/// @throws DataError if @p path is missing or is not GeoJSON as expected
[[nodiscard]] PolygonLayer load_polygon_layer(const CacheSettings &settings,
                                              const std::filesystem::path &path,
                                              const std::vector<std::string> &field_names,
                                              CacheOutcome *outcome = nullptr);

/// The lines of borders.geojson at @p path.
/// @throws DataError if @p path is missing or is not GeoJSON as expected
[[nodiscard]] std::vector<CanonicalBorder> load_canonical_borders(const CacheSettings &settings,
                                                                  const std::filesystem::path &path,
                                                                  CacheOutcome *outcome = nullptr);

} // namespace borderwatch::detail
