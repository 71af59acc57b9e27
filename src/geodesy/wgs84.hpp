#pragma once
// PROJ's geodesic routines and the one shared, read-only WGS84 geod_geodesic. The routines
// are taken from libproj when first needed (dlopen): loading PROJ and the ~40 libraries it
// depends on costs ~20 ms, so commands that never measure a geodesic (resolve, info) start
// without it. geod_init runs once; afterwards the struct is only read, so it can be used from
// many threads at once.

#include <geodesic.h>

namespace borderwatch::detail {

/// PROJ's geod_* functions (geodesic.h), the very ones the library exports.
struct GeodesicRoutines {
    decltype(&::geod_init) init;
    decltype(&::geod_inverse) inverse;
    decltype(&::geod_direct) direct;
    decltype(&::geod_geninverse) geninverse;
    decltype(&::geod_inverseline) inverseline;
    decltype(&::geod_lineinit) lineinit;
    decltype(&::geod_position) position;
};

/// The routines, loaded on the first call (thread-safe). A libproj that cannot be loaded is
/// a broken installation: the process stops with a message naming the library.
[[nodiscard]] const GeodesicRoutines &geod() noexcept;

/// WGS84 ellipsoid for PROJ's geod_* functions.
[[nodiscard]] const geod_geodesic &wgs84_geodesic() noexcept;

/// First eccentricity squared of WGS84.
inline constexpr double wgs84_e2 = (1.0 / 298.257223563) * (2.0 - 1.0 / 298.257223563);
/// Semi-minor axis of WGS84, metres.
inline constexpr double wgs84_b_m = 6378137.0 * (1.0 - 1.0 / 298.257223563);

/// Azimuth normalised to [0, 360).
[[nodiscard]] double normalize_azimuth_deg(double azimuth_deg) noexcept;

} // namespace borderwatch::detail
