#pragma once
// Distance-band polygons: geodesic buffers of the border on each side, clipped to the
// countries on its left and right.

#include <borderwatch/export/export.hpp>

#include "export/detail/geodata_read.hpp"

#include <string>
#include <vector>

namespace borderwatch::detail {

struct BandPolygon {
    std::string side; ///< ISO3
    DistanceBand band;
    Geometry geometry; ///< multi_polygon, lon/lat
};

/// Buffers of the border at each band's max_km, built piecewise in ellipsoidal azimuthal
/// equidistant projections centred on stretches of at most @p chunk_km of the border
/// (so the projection's scale error stays below ~1e-4 at 50 km), unioned in lon/lat and
/// clipped to the left and right country polygons. Bands are disjoint rings; the open band
/// (no max_km) is the rest of the country.
/// @throws GeometryError on GEOS failure
[[nodiscard]] std::vector<BandPolygon>
build_band_polygons(const BorderGeometry &border, const std::vector<DistanceBand> &bands,
                    const std::vector<ReferenceFeature> &countries, double chunk_km = 100);

} // namespace borderwatch::detail
