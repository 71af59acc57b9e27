#pragma once
// The one shared, read-only WGS84 geod_geodesic (PROJ). geod_init runs once; afterwards the
// struct is only read, so it can be used from many threads at once.

#include <geodesic.h>

namespace borderwatch::detail {

/// WGS84 ellipsoid for PROJ's geod_* functions.
[[nodiscard]] const geod_geodesic &wgs84_geodesic() noexcept;

/// First eccentricity squared of WGS84.
inline constexpr double wgs84_e2 = (1.0 / 298.257223563) * (2.0 - 1.0 / 298.257223563);
/// Semi-minor axis of WGS84, metres.
inline constexpr double wgs84_b_m = 6378137.0 * (1.0 - 1.0 / 298.257223563);

/// Azimuth normalised to [0, 360).
[[nodiscard]] double normalize_azimuth_deg(double azimuth_deg) noexcept;

} // namespace borderwatch::detail
