#pragma once
/// @file
/// Geodesics on the WGS84 ellipsoid (Karney's algorithms through PROJ's geod_* functions)
/// and the few exact helpers the border engine builds on. Degrees in, metres out.

#include <array>
#include <optional>
#include <vector>

namespace borderwatch {

/// WGS84 semi-major axis, metres.
inline constexpr double wgs84_a_m = 6378137.0;
/// WGS84 flattening.
inline constexpr double wgs84_f = 1.0 / 298.257223563;

/// Result of the inverse geodesic problem.
struct GeodesicInverse {
    double distance_m = 0.0;   ///< geodesic distance, metres
    double azimuth1_deg = 0.0; ///< azimuth at the first point, degrees (-180, 180]
    double azimuth2_deg = 0.0; ///< forward azimuth at the second point, degrees (-180, 180]
};

/// Exact inverse problem between two points (lon/lat degrees). Thread-safe.
[[nodiscard]] GeodesicInverse geodesic_inverse(double lon1_deg, double lat1_deg, double lon2_deg,
                                               double lat2_deg) noexcept;

/// Exact direct problem: the point {lon, lat} (degrees) reached from (lon, lat) after
/// @p distance_m metres at @p azimuth_deg. Thread-safe.
[[nodiscard]] std::array<double, 2> geodesic_direct(double lon_deg, double lat_deg,
                                                    double azimuth_deg, double distance_m) noexcept;

/// The geodesic circle of @p radius_m metres around (lon, lat) as a closed ring of {lon, lat}
/// degrees: @p segments points at azimuths 0, 360/segments, ... degrees (clockwise from north),
/// each reached by the exact direct problem, then the first point again. The ring's edges are
/// chords: midway between vertices it lies inside the circle by r (1 - cos(180°/segments)),
/// 0.1 % of r for 72 segments. @pre radius_m > 0, segments >= 3
[[nodiscard]] std::vector<std::array<double, 2>>
geodesic_circle(double lon_deg, double lat_deg, double radius_m, int segments = 72);

/// The geodesic from (lon1, lat1) to (lon2, lat2) as {lon, lat} degrees: both ends and the
/// exact points between them at equal steps of at most @p max_step_m metres, but never more
/// than @p max_steps steps (a long geodesic drawn as straight lon/lat segments leaves its path:
/// 5,000 km as one segment passes hundreds of km off it). Longitudes in [-180, 180].
/// @pre max_step_m > 0, max_steps >= 1
[[nodiscard]] std::vector<std::array<double, 2>> geodesic_path(double lon1_deg, double lat1_deg,
                                                               double lon2_deg, double lat2_deg,
                                                               double max_step_m, int max_steps);

/// Geodesic length of a polyline given as {lon, lat} degrees, metres (sum of exact edges).
[[nodiscard]] double geodesic_polyline_length_m(const std::vector<std::array<double, 2>> &lonlat);

/// Earth-centred earth-fixed coordinates of a point on the ellipsoid surface (h = 0), metres.
[[nodiscard]] std::array<double, 3> ecef_from_geodetic(double lon_deg, double lat_deg) noexcept;

/// {lon, lat} in degrees of an ECEF point that lies on the ellipsoid surface (exact for such
/// points: tan(lat) = z / ((1 - e^2) p)); for points off the surface it returns the
/// geocentric-normal approximation, accurate to ~1e-9 deg for heights below 1 m.
[[nodiscard]] std::array<double, 2>
geodetic_from_surface_ecef(const std::array<double, 3> &xyz) noexcept;

/// A geodesic between two surface points given in ECEF, in closed form (no iteration): its
/// length is that of the normal section at the first point (the curve the plane holding its
/// normal and the second point cuts from the ellipsoid; scaled to a sphere, a circle arc,
/// integrated by 3-point Gauss-Legendre), which is longer than the geodesic by
/// ~e^4 s^5 / (360 N^4): 0.08 mm at 1,000 km. The azimuths are the normal sections' own
/// corrected by the angle between them and the geodesic to second order in s / N: within
/// 5e-6 degrees at 1,000 km (the closed-form near path's bearings: 1.1e-5 at 120 km).
/// Checked against geod_inverse in tests/unit/test_geodesy.cpp; 4.5 times faster than it
/// (tests/bench/bench_locate.cpp). The border engine uses it for far vertex feet.
struct ShortGeodesic {
    double distance_m = 0.0;       ///< metres
    double azimuth1_deg = 0.0;     ///< at the first point towards the second, degrees [0, 360)
    double back_azimuth_deg = 0.0; ///< at the second point towards the first, degrees [0, 360)
};

/// Longest chord for which short_geodesic() is within 0.1 mm of the exact distance.
inline constexpr double short_geodesic_max_m = 1.0e6;

/// short_geodesic() of two surface points 1 m to short_geodesic_max_m apart (chord), neither
/// within 1e-9 radians of a pole; std::nullopt otherwise (use the exact inverse then).
[[nodiscard]] std::optional<ShortGeodesic>
short_geodesic(const std::array<double, 3> &a_ecef, const std::array<double, 3> &b_ecef) noexcept;

/// Nearest point of a geodesic edge A->B to a point P, found by exact Newton iteration on
/// geod_* geodesics (the geodesic P->F meets the edge at a right angle, or F is an end).
struct EdgeFoot {
    double distance_m = 0.0;  ///< geodesic distance P->F, metres
    double along_m = 0.0;     ///< distance along the edge from A to F, metres
    double lon_deg = 0.0;     ///< F
    double lat_deg = 0.0;     ///< F
    double azimuth_deg = 0.0; ///< azimuth at P towards F, degrees [0, 360)
};

/// Exact nearest point on the geodesic edge A->B (lon/lat degrees) to P.
/// @param initial_along_m starting guess along the edge (clamped), or a negative value for
///        none (the chord projection is used)
[[nodiscard]] EdgeFoot nearest_on_geodesic_edge(double lon_a, double lat_a, double lon_b,
                                                double lat_b, double lon_p, double lat_p,
                                                double initial_along_m = -1.0) noexcept;

/// A geodesic edge given by its start, the azimuth there and its length (as an index keeps
/// them), so solving on it needs no inverse problem first.
struct GeodesicEdge {
    double lon_a = 0.0;         ///< start A, degrees
    double lat_a = 0.0;         ///< start A, degrees
    double azimuth_a_deg = 0.0; ///< azimuth at A towards B, degrees
    double length_m = 0.0;      ///< geodesic length A->B, metres
};

/// nearest_on_geodesic_edge() on an edge given as a GeodesicEdge.
/// @param initial_along_m starting guess along the edge (clamped to [0, length])
[[nodiscard]] EdgeFoot nearest_on_geodesic_edge(const GeodesicEdge &edge, double lon_p,
                                                double lat_p, double initial_along_m) noexcept;

} // namespace borderwatch
