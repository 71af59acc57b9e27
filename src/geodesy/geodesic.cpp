#include <borderwatch/geodesy/geodesic.hpp>

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
