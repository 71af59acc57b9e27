#pragma once
// Geometries that cross the antimeridian, cut in two so that no part's representation crosses
// it (RFC 7946 3.1.9; QGIS, GDAL and Leaflet draw lon/lat as a plane, where a step from 179
// to -179 degrees spans the whole map). World mode meets them: connectors from Chukotka to
// the USA-CAN boundary, uncertainty circles around Fiji.

#include <borderwatch/export/feature.hpp>

#include <vector>

namespace borderwatch::detail {

/// The parts of a line of positions in [-180, 180]: a new part wherever a step crosses the
/// antimeridian (|d lon| > 180), both ends on it at the latitude interpolated in the
/// unwrapped longitude (steps are short: densify first). Parts of one distinct position are
/// dropped; a line that crosses nothing is one part.
[[nodiscard]] std::vector<std::vector<LonLat>>
cut_line_at_antimeridian(const std::vector<LonLat> &line);

/// The rings of a closed ring of positions in [-180, 180] (a small region: a circle of up to
/// a few hundred km, not around a pole) on either side of the antimeridian: the ring
/// unwrapped to be continuous, then clipped at +-180 and the far part shifted back by 360.
/// A ring that crosses nothing is returned as it is.
[[nodiscard]] std::vector<std::vector<LonLat>>
cut_ring_at_antimeridian(const std::vector<LonLat> &ring);

} // namespace borderwatch::detail
