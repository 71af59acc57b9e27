#pragma once
// Small ECEF vector helpers on the WGS84 ellipsoid, shared by the geodesy routines and the
// border engine's search (inline: they are on its hot path).

#include <borderwatch/geodesy/geodesic.hpp>

#include "geodesy/wgs84.hpp"

#include <array>
#include <cmath>

namespace borderwatch::detail {

using Vec = std::array<double, 3>;

inline constexpr double inv_a2 = 1.0 / (wgs84_a_m * wgs84_a_m);
inline constexpr double inv_b2 = 1.0 / (wgs84_b_m * wgs84_b_m);
/// Second eccentricity squared.
inline constexpr double wgs84_ep2 = wgs84_e2 / (1.0 - wgs84_e2);

inline double dot(const Vec &x, const Vec &y) {
    return x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
}
inline Vec sub(const Vec &x, const Vec &y) {
    return {x[0] - y[0], x[1] - y[1], x[2] - y[2]};
}
inline Vec add_scaled(const Vec &x, double s, const Vec &y) {
    return {x[0] + s * y[0], x[1] + s * y[1], x[2] + s * y[2]};
}
inline Vec cross(const Vec &x, const Vec &y) {
    return {x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]};
}
inline Vec normalized(const Vec &x) {
    const double len = std::sqrt(dot(x, x));
    return len > 0.0 ? Vec{x[0] / len, x[1] / len, x[2] / len} : x;
}
/// Unit ellipsoid normal through (or near) a point: the gradient of x^2/a^2 + z^2/b^2.
inline Vec surface_normal(const Vec &x) {
    return normalized({x[0] * inv_a2, x[1] * inv_a2, x[2] * inv_b2});
}

/// A direction's components in the tangent plane of the surface normal n (unit): east and
/// north; cos_phi2 = cos^2 of n's latitude. Undefined at a pole (cos_phi2 == 0).
struct EastNorth {
    double east;
    double north;
    double cos_phi2;
};
inline EastNorth east_north(const Vec &n, const Vec &d) {
    const double cos_phi2 = n[0] * n[0] + n[1] * n[1];
    const double cos_phi = std::sqrt(cos_phi2);
    return {(-n[1] * d[0] + n[0] * d[1]) / cos_phi,
            (-n[2] * n[0] * d[0] - n[2] * n[1] * d[1] + cos_phi2 * d[2]) / cos_phi, cos_phi2};
}

/// Angle (radians) from the normal section at a surface point (unit normal n) in the
/// direction @p en to the geodesic of length @p s leaving there, to first order:
/// psi = -e'^2 s^2 cos^2(phi) sin(2 alpha) / (12 N^2).
inline double geodesic_angle_first_order(const Vec &n, const EastNorth &en, double s) {
    const double h2 = en.east * en.east + en.north * en.north;
    const double n2 = wgs84_a_m * wgs84_a_m / (1.0 - wgs84_e2 * n[2] * n[2]);
    return -wgs84_ep2 * s * s * en.cos_phi2 * (2.0 * en.east * en.north / h2) / (12.0 * n2);
}

} // namespace borderwatch::detail
