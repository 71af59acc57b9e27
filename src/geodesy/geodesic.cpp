#include <borderwatch/geodesy/geodesic.hpp>

#include "geodesy/ecef.hpp"
#include "geodesy/wgs84.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace borderwatch {

namespace detail {

const geod_geodesic &wgs84_geodesic() noexcept {
    static const geod_geodesic geodesic = [] {
        geod_geodesic g{};
        geod().init(&g, wgs84_a_m, wgs84_f);
        return g;
    }();
    return geodesic;
}

double normalize_azimuth_deg(double azimuth_deg) noexcept {
    double a = std::fmod(azimuth_deg, 360.0);
    if (a < 0.0) {
        a += 360.0;
    }
    if (a >= 360.0) { // fmod of a tiny negative number plus 360 can round to 360
        a = 0.0;
    }
    return a;
}

} // namespace detail

namespace {
constexpr double deg = std::numbers::pi / 180.0;
} // namespace

GeodesicInverse geodesic_inverse(double lon1_deg, double lat1_deg, double lon2_deg,
                                 double lat2_deg) noexcept {
    GeodesicInverse r;
    detail::geod().inverse(&detail::wgs84_geodesic(), lat1_deg, lon1_deg, lat2_deg, lon2_deg,
                           &r.distance_m, &r.azimuth1_deg, &r.azimuth2_deg);
    return r;
}

std::array<double, 2> geodesic_direct(double lon_deg, double lat_deg, double azimuth_deg,
                                      double distance_m) noexcept {
    double lat2 = 0.0;
    double lon2 = 0.0;
    detail::geod().direct(&detail::wgs84_geodesic(), lat_deg, lon_deg, azimuth_deg, distance_m,
                          &lat2, &lon2, nullptr);
    return {lon2, lat2};
}

std::vector<std::array<double, 2>> geodesic_circle(double lon_deg, double lat_deg, double radius_m,
                                                   int segments) {
    std::vector<std::array<double, 2>> ring;
    ring.reserve(static_cast<std::size_t>(segments) + 1);
    for (int i = 0; i < segments; ++i) {
        ring.push_back(geodesic_direct(
            lon_deg, lat_deg, 360.0 * static_cast<double>(i) / static_cast<double>(segments),
            radius_m));
    }
    ring.push_back(ring.front());
    return ring;
}

std::vector<std::array<double, 2>> geodesic_path(double lon1_deg, double lat1_deg, double lon2_deg,
                                                 double lat2_deg, double max_step_m,
                                                 int max_steps) {
    const auto &routines = detail::geod();
    geod_geodesicline line{};
    routines.inverseline(&line, &detail::wgs84_geodesic(), lat1_deg, lon1_deg, lat2_deg, lon2_deg,
                         GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_DISTANCE_IN);
    const double length = line.s13;
    const int steps =
        std::clamp(static_cast<int>(std::ceil(length / max_step_m)), 1, std::max(1, max_steps));
    std::vector<std::array<double, 2>> path;
    path.reserve(static_cast<std::size_t>(steps) + 1);
    path.push_back({lon1_deg, lat1_deg});
    for (int i = 1; i < steps; ++i) {
        double lat = 0.0;
        double lon = 0.0;
        routines.position(&line, length * static_cast<double>(i) / static_cast<double>(steps), &lat,
                          &lon, nullptr);
        path.push_back({lon, lat}); // geod_position gives lon in [-180, 180] (no GEOD_LONG_UNROLL)
    }
    path.push_back({lon2_deg, lat2_deg});
    return path;
}

double geodesic_polyline_length_m(const std::vector<std::array<double, 2>> &lonlat) {
    double total = 0.0;
    for (std::size_t i = 1; i < lonlat.size(); ++i) {
        total += geodesic_inverse(lonlat[i - 1][0], lonlat[i - 1][1], lonlat[i][0], lonlat[i][1])
                     .distance_m;
    }
    return total;
}

std::array<double, 3> ecef_from_geodetic(double lon_deg, double lat_deg) noexcept {
    const double phi = lat_deg * deg;
    const double lam = lon_deg * deg;
    const double sphi = std::sin(phi);
    const double cphi = std::cos(phi);
    const double n = wgs84_a_m / std::sqrt(1.0 - detail::wgs84_e2 * sphi * sphi);
    return {n * cphi * std::cos(lam), n * cphi * std::sin(lam),
            n * (1.0 - detail::wgs84_e2) * sphi};
}

std::array<double, 2> geodetic_from_surface_ecef(const std::array<double, 3> &xyz) noexcept {
    const double p = std::sqrt(xyz[0] * xyz[0] + xyz[1] * xyz[1]); // no overflow possible here
    const double lat = std::atan2(xyz[2], (1.0 - detail::wgs84_e2) * p) / deg;
    const double lon = std::atan2(xyz[1], xyz[0]) / deg;
    return {lon, lat};
}

namespace {

/// Azimuth (radians) at the surface point @p x of the normal section towards @p y, corrected
/// to the geodesic's by psi (see ShortGeodesic), @p s the distance between them. False near a
/// pole (no east and north there).
/// psi = -e'^2 x^2 cos^2(phi) sin(2 alpha) / 12 + e'^2 x^3 sin(phi) cos(phi) sin(alpha) / 24,
/// x = s / N: the first two terms of the series in x (the second's coefficient also found by
/// a least-squares fit of the first's residual against geod_inverse: 0.0418). Error < 5e-6
/// degrees at 1,000 km (first term alone: 3.1e-5).
bool geodesic_azimuth(const detail::Vec &x, const detail::Vec &y, double s, double &azimuth) {
    const detail::Vec n = detail::surface_normal(x);
    if (std::sqrt(n[0] * n[0] + n[1] * n[1]) < 1e-9) {
        return false;
    }
    const detail::EastNorth en = detail::east_north(n, detail::sub(y, x));
    const double h = std::sqrt(en.east * en.east + en.north * en.north);
    if (!(h > 0.0)) {
        return false;
    }
    const double n2 = wgs84_a_m * wgs84_a_m / (1.0 - detail::wgs84_e2 * n[2] * n[2]); // N^2
    const double x2 = s * s / n2;                                                     // (s/N)^2
    azimuth = std::atan2(en.east, en.north) + detail::geodesic_angle_first_order(n, en, s) +
              detail::wgs84_ep2 * x2 * std::sqrt(x2) * n[2] * std::sqrt(en.cos_phi2) *
                  (en.east / h) / 24.0;
    return true;
}

} // namespace

std::optional<ShortGeodesic> short_geodesic(const std::array<double, 3> &a_ecef,
                                            const std::array<double, 3> &b_ecef) noexcept {
    using detail::cross;
    using detail::dot;
    using detail::Vec;
    constexpr double a2 = wgs84_a_m * wgs84_a_m;
    constexpr double b2 = detail::wgs84_b_m * detail::wgs84_b_m;
    constexpr double squash = detail::wgs84_b_m / wgs84_a_m;
    const Vec chord{b_ecef[0] - a_ecef[0], b_ecef[1] - a_ecef[1], b_ecef[2] - a_ecef[2]};
    const double c2 = dot(chord, chord);
    if (!(c2 >= 1.0 && c2 <= short_geodesic_max_m * short_geodesic_max_m)) {
        return std::nullopt;
    }
    // The normal section's plane (normal m) through A; with z scaled by a/b the ellipsoid is
    // the sphere of radius a and the plane (normal m', same offset) cuts it in a circle.
    const Vec m = cross({a_ecef[0] / a2, a_ecef[1] / a2, a_ecef[2] / b2}, chord);
    const Vec ms{m[0], m[1], m[2] * squash};
    const double ms_len = std::sqrt(dot(ms, ms));
    if (!(ms_len > 0.0)) {
        return std::nullopt;
    }
    const Vec mh{ms[0] / ms_len, ms[1] / ms_len, ms[2] / ms_len};
    const double offset = dot(m, a_ecef) / ms_len; // the plane's distance from the centre
    const Vec centre{mh[0] * offset, mh[1] * offset, mh[2] * offset};
    const Vec u{a_ecef[0] - centre[0], a_ecef[1] - centre[1], a_ecef[2] / squash - centre[2]};
    const Vec w{b_ecef[0] - centre[0], b_ecef[1] - centre[1], b_ecef[2] / squash - centre[2]};
    const double radius = std::sqrt(dot(u, u));
    const Vec uh{u[0] / radius, u[1] / radius, u[2] / radius};
    const Vec vh = cross(mh, uh); // in the plane, a quarter turn from A
    const double theta = std::atan2(dot(w, vh), dot(w, uh));
    // Along the circle the unit tangent is -sin(t) uh + cos(t) vh; unscaled, the speed is
    // radius * sqrt(1 - e^2 z(t)^2) with z(t) its third component. 3-point Gauss-Legendre on
    // [0, theta] (the integrand is within e^2 of 1 and smooth: error < 1e-8 m at 1,000 km).
    constexpr double node = 0.7745966692414833770; // sqrt(3/5)
    const double half = 0.5 * std::fabs(theta);
    const double sin_h = std::sin(half);
    const double cos_h = std::cos(half);
    const double sin_o = std::sin(half * node);
    const double cos_o = std::cos(half * node);
    const double sign = theta < 0.0 ? -1.0 : 1.0;
    auto speed = [&](double sin_t, double cos_t) {
        const double z = -sin_t * sign * uh[2] + cos_t * vh[2];
        return std::sqrt(1.0 - detail::wgs84_e2 * z * z);
    };
    const double integral =
        (5.0 * speed(sin_h * cos_o - cos_h * sin_o, cos_h * cos_o + sin_h * sin_o) +
         8.0 * speed(sin_h, cos_h) +
         5.0 * speed(sin_h * cos_o + cos_h * sin_o, cos_h * cos_o - sin_h * sin_o)) /
        9.0;
    ShortGeodesic g;
    g.distance_m = radius * half * integral;
    double azimuth1 = 0.0;
    double back = 0.0;
    if (!geodesic_azimuth(a_ecef, b_ecef, g.distance_m, azimuth1) ||
        !geodesic_azimuth(b_ecef, a_ecef, g.distance_m, back)) {
        return std::nullopt;
    }
    g.azimuth1_deg = detail::normalize_azimuth_deg(azimuth1 / deg);
    g.back_azimuth_deg = detail::normalize_azimuth_deg(back / deg);
    return g;
}

namespace {

/// Newton iteration for the foot of P on @p line (length @p length) from @p along: d'(s) =
/// -cos(beta), where beta is the angle at the foot between the edge and the geodesic to P;
/// d''(s) = sin^2(beta) M/m, so the step is m12 cos(beta) / M (quadratic convergence).
EdgeFoot newton_foot(const geod_geodesicline &line, double length, double lat_p, double lon_p,
                     double along) noexcept {
    const geod_geodesic &g = detail::wgs84_geodesic();
    const auto &routines = detail::geod();
    EdgeFoot foot;
    for (int iteration = 0; iteration < 40; ++iteration) {
        double lat_f = 0.0;
        double lon_f = 0.0;
        double azi_edge = 0.0;
        routines.position(&line, along, &lat_f, &lon_f, &azi_edge);
        double s12 = 0.0;
        double azi1 = 0.0;
        double azi2 = 0.0;
        double m12 = 0.0;
        double big_m12 = 0.0;
        double big_m21 = 0.0;
        routines.geninverse(&g, lat_f, lon_f, lat_p, lon_p, &s12, &azi1, &azi2, &m12, &big_m12,
                            &big_m21, nullptr);
        foot.distance_m = s12;
        foot.along_m = along;
        foot.lon_deg = lon_f;
        foot.lat_deg = lat_f;
        foot.azimuth_deg = s12 > 0.0 ? detail::normalize_azimuth_deg(azi2 + 180.0) : 0.0;
        if (s12 == 0.0 || length == 0.0) {
            break;
        }
        const double cos_beta = std::cos((azi1 - azi_edge) * deg);
        const double step = m12 * cos_beta / big_m12;
        const double next = std::clamp(along + step, 0.0, length);
        const double moved = std::abs(next - along);
        if (moved < 1e-9) {
            break;
        }
        if (moved <= 1e-9 * s12) {
            // The last step, applied without another inverse: after it the foot is off by
            // ~step^2 / s (< 1e-12 m); the distance changes by ~step^2 / (2 s) and the
            // azimuth at P by < step / s (1e-9 rad), so both are kept.
            routines.position(&line, next, &lat_f, &lon_f, nullptr);
            foot.along_m = next;
            foot.lon_deg = lon_f;
            foot.lat_deg = lat_f;
            break;
        }
        along = next;
    }
    return foot;
}

} // namespace

EdgeFoot nearest_on_geodesic_edge(double lon_a, double lat_a, double lon_b, double lat_b,
                                  double lon_p, double lat_p, double initial_along_m) noexcept {
    const geod_geodesic &g = detail::wgs84_geodesic();
    geod_geodesicline line{};
    detail::geod().inverseline(&line, &g, lat_a, lon_a, lat_b, lon_b,
                               GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH | GEOD_DISTANCE_IN);
    const double length = line.s13;

    double along = 0.0;
    if (initial_along_m >= 0.0) {
        along = std::min(initial_along_m, length);
    } else if (length > 0.0) {
        // Chord projection in ECEF as the starting guess.
        const auto a = ecef_from_geodetic(lon_a, lat_a);
        const auto b = ecef_from_geodetic(lon_b, lat_b);
        const auto p = ecef_from_geodetic(lon_p, lat_p);
        double ab2 = 0.0;
        double apab = 0.0;
        for (int k = 0; k < 3; ++k) {
            ab2 += (b[k] - a[k]) * (b[k] - a[k]);
            apab += (p[k] - a[k]) * (b[k] - a[k]);
        }
        along = std::clamp(apab / ab2, 0.0, 1.0) * length;
    }
    return newton_foot(line, length, lat_p, lon_p, along);
}

EdgeFoot nearest_on_geodesic_edge(const GeodesicEdge &edge, double lon_p, double lat_p,
                                  double initial_along_m) noexcept {
    geod_geodesicline line{};
    detail::geod().lineinit(&line, &detail::wgs84_geodesic(), edge.lat_a, edge.lon_a,
                            edge.azimuth_a_deg,
                            GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH | GEOD_DISTANCE_IN);
    return newton_foot(line, edge.length_m, lat_p, lon_p,
                       std::clamp(initial_along_m, 0.0, edge.length_m));
}

} // namespace borderwatch
