// Geometry of the border engine. See border_index.hpp for the data layout.
//
// Fast path, per point P (ECEF on the ellipsoid):
//  1. nearest-first search of the 4-wide BVH (float boxes, then each leaf's float chords)
//     for the sub-segments whose foot point F is nearest in 3D, starting from the hint
//     grid's bound for P's cell;
//  2. F on a sub-segment: chord parameter t = (P-A).u with u built from w = (B-A) minus its
//     component along the midpoint normal (removes the height/sagitta bias, so points on the
//     line map to themselves), clamped to [0, 1], then moved along the midpoint normal onto
//     the ellipsoid (one Newton step, error < 1e-11 m for sub-segments <= 500 m);
//  3. geodesic distance from the chord c = |P - F| by the circular-arc series
//     s = c (1 + k^2/24 + 3 k^4/640), k = c / rho, rho the normal-section radius at the
//     chord midpoint in the chord's azimuth (Euler). Beyond closed_form_max_m the foot gets
//     one exact Newton step on the geod_* geodesic F->P (which also gives the distance);
//     beyond newton_max_m the candidates' edges are solved exactly (nearest_far).
// The thresholds and the sub-segment length were checked against exact minimisation
// (tests/unit/test_border_engine.cpp, "fast path agrees with exact minimisation", "far feet").

#include "placement/detail/border_index.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/parallel.hpp>
#include <borderwatch/geodesy/geodesic.hpp>

#include "geodesy/ecef.hpp"
#include "geodesy/wgs84.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <thread>
#include <vector>

namespace borderwatch::detail {

namespace {

constexpr double deg = std::numbers::pi / 180.0;
/// Smallest normal-section radius of curvature of WGS84 (meridian, at the equator).
constexpr double r_min_m = wgs84_a_m * (1.0 - wgs84_e2);
/// Up to this chord length the closed-form path is used alone (series distance: < 5e-6 m
/// error at 200 km; foot azimuth after the psi correction: < 0.1 mm along the line at 120 km).
constexpr double closed_form_max_m = 120000.0;
/// Up to this chord length a far foot is the closed-form one plus one exact Newton step
/// (closed-form foot within ~4 mm along the line, series ranking within 0.2 mm); beyond it
/// every candidate edge is solved exactly.
constexpr double newton_max_m = 400000.0;
/// A vertex foot is decided in closed form (short_geodesic) when the direction towards the
/// point makes a cosine beyond this with each edge's direction there: over 100 times the
/// azimuth's error (< 5e-6 degrees, 9e-8 rad, at 1,000 km), so the decision is the exact one.
constexpr double closed_form_corner_cos = 1e-5;
/// Beyond these distances the foot is refined (tangent at the foot; geodesic azimuth).
constexpr double refine_min_m = 1000.0;
constexpr double azimuth_correction_min_m = 5000.0;
constexpr std::uint32_t leaf_size = 8; // <= the 8 lanes of LeafChords
constexpr std::uint32_t bvh_width = 4;
/// Hint grid: cell size, margin around the line's lon/lat box, and most cells.
constexpr double hint_step_deg_default = 0.05;
constexpr double hint_margin_deg = 1.0;
constexpr double hint_max_cells = 20000.0;

/// Maximum distance of a geodesic sub-arc of chord length @p len from its chord, plus slack.
constexpr double sagitta_bound(double len) {
    return len * len / (8.0 * r_min_m) * 1.01 + 1e-3 + 1e-6 * len;
}

/// Four float lanes (GCC/Clang vector extension: SSE2 on x86-64, NEON on ARM).
using Float4 = float __attribute__((vector_size(16)));

/// The query point relative to the node-box origin, broadcast to four float lanes.
struct BoxQuery {
    Float4 x, y, z;
};

inline BoxQuery box_query(const Vec &p, const Vec &origin) {
    const auto x = static_cast<float>(p[0] - origin[0]);
    const auto y = static_cast<float>(p[1] - origin[1]);
    const auto z = static_cast<float>(p[2] - origin[2]);
    return {Float4{x, x, x, x}, Float4{y, y, y, y}, Float4{z, z, z, z}};
}

inline Float4 load4(const std::array<float, 4> &v) {
    Float4 r;
    std::memcpy(&r, v.data(), sizeof r);
    return r;
}

/// Squared distances from the query point to the node's four child boxes (0 inside; +inf
/// for an empty slot). Float rounding is covered by the boxes' padding and loose_bound().
inline std::array<float, 4> box_distances2(const BvhNode &node, const BoxQuery &q) {
    const Float4 zero{0.0F, 0.0F, 0.0F, 0.0F};
    auto axis = [&](const std::array<float, 4> &lo, const std::array<float, 4> &hi,
                    const Float4 &p) {
        const Float4 below = load4(lo) - p;
        const Float4 above = p - load4(hi);
        const Float4 d = (below > zero ? below : zero) + (above > zero ? above : zero);
        return d * d;
    };
    const Float4 d2 = axis(node.lo_x, node.hi_x, q.x) + axis(node.lo_y, node.hi_y, q.y) +
                      axis(node.lo_z, node.hi_z, q.z);
    std::array<float, 4> out{};
    std::memcpy(out.data(), &d2, sizeof d2);
    return out;
}

/// Squared distances from the query point to a leaf's eight float chords (lanes past the
/// leaf's count are meaningless). Within ~0.5 m of the double value for points < 2,000 km
/// from the origin (lane_slack_m covers that and the sagitta).
inline std::array<float, 8> chord_distances2(const LeafChords &l, const BoxQuery &q) {
    std::array<float, 8> out{};
    const Float4 zero{0.0F, 0.0F, 0.0F, 0.0F};
    const Float4 one{1.0F, 1.0F, 1.0F, 1.0F};
    for (std::size_t half = 0; half < 2; ++half) {
        auto lane = [&](const std::array<float, 8> &v) {
            Float4 r;
            std::memcpy(&r, v.data() + 4 * half, sizeof r);
            return r;
        };
        const Float4 dx = lane(l.dx);
        const Float4 dy = lane(l.dy);
        const Float4 dz = lane(l.dz);
        const Float4 px = q.x - lane(l.ax);
        const Float4 py = q.y - lane(l.ay);
        const Float4 pz = q.z - lane(l.az);
        Float4 t = (px * dx + py * dy + pz * dz) * lane(l.inv_dd);
        t = t > zero ? t : zero;
        t = t < one ? t : one;
        const Float4 ex = px - t * dx;
        const Float4 ey = py - t * dy;
        const Float4 ez = pz - t * dz;
        const Float4 d2 = ex * ex + ey * ey + ez * ez;
        std::memcpy(out.data() + 4 * half, &d2, sizeof d2);
    }
    return out;
}

/// A squared distance bound loosened by the relative error of the float box distances.
inline double loose_bound(double d2) {
    return d2 * (1.0 + 1e-6);
}

/// loose_bound() as the bit pattern of a float (+inf stays +inf).
inline std::uint32_t box_bound_bits(double d2) {
    return std::bit_cast<std::uint32_t>(static_cast<float>(loose_bound(d2)));
}

/// The largest sagitta of a sub-segment (how far its arc leaves its chord), metres: a chord
/// foot this much beyond reach may still project to a foot within it.
constexpr double reach_slack_m = sagitta_bound(max_segment_m);

/// Slack of the float chord distances (metres): float rounding of the lanes and the query
/// point (< 1 m anywhere on Earth, the lanes being relative to the origin) plus the sagitta;
/// lane_reach() adds the relative rounding of the float squared distance (< 2e-7 of it).
constexpr double lane_slack_m = 1.0 + sagitta_bound(max_segment_m);

inline double lane_reach2(double thr) {
    const double r = thr * (1.0 + 2e-7) + lane_slack_m;
    return r * r;
}

/// Padding of the float boxes (metres): covers rounding the query point to float.
constexpr double box_padding_m = 0.5;

/// Foot of P on a sub-segment: chord parameter t and the point on the ellipsoid. Returns
/// false, skipping the projection onto the ellipsoid, when the chord foot is already beyond
/// @p reach2 (squared): the projection moves it by at most the sagitta (reach_slack_m).
inline bool segment_foot(const Segment &s, const Vec &p, double reach2, Vec &f, double &t) {
    const Vec ap = sub(p, s.a);
    t = dot(ap, s.u);
    if (t <= 0.0) {
        t = 0.0;
        f = s.a;
        return true;
    }
    if (t >= 1.0) {
        t = 1.0;
        f = add_scaled(s.a, 1.0, s.d);
        return true;
    }
    const Vec q = add_scaled(s.a, t, s.d);
    const Vec pq = sub(p, q);
    if (dot(pq, pq) > reach2) {
        return false;
    }
    const double g = (q[0] * q[0] + q[1] * q[1]) * inv_a2 + q[2] * q[2] * inv_b2 - 1.0;
    const double gn = 2.0 * ((q[0] * s.n[0] + q[1] * s.n[1]) * inv_a2 + q[2] * s.n[2] * inv_b2);
    f = add_scaled(q, -g / gn, s.n);
    return true;
}

/// The point of the sub-arc at chord parameter t (moved onto the ellipsoid along n).
inline Vec point_on_segment(const Segment &s, double t) {
    if (t <= 0.0) {
        return s.a;
    }
    if (t >= 1.0) {
        return add_scaled(s.a, 1.0, s.d);
    }
    const Vec q = add_scaled(s.a, t, s.d);
    const double g = (q[0] * q[0] + q[1] * q[1]) * inv_a2 + q[2] * q[2] * inv_b2 - 1.0;
    const double gn = 2.0 * ((q[0] * s.n[0] + q[1] * s.n[1]) * inv_a2 + q[2] * s.n[2] * inv_b2);
    return add_scaled(q, -g / gn, s.n);
}

/// Geodesic length of the normal-section arc with chord P-F (series in c / rho).
inline double series_distance(const Vec &p, const Vec &f, double c) {
    if (c == 0.0) {
        return 0.0;
    }
    const Vec mid{0.5 * (p[0] + f[0]), 0.5 * (p[1] + f[1]), 0.5 * (p[2] + f[2])};
    const Vec n = surface_normal(mid);
    const double cos_phi = std::sqrt(n[0] * n[0] + n[1] * n[1]);
    const double sin2 = n[2] * n[2];
    const double w2 = 1.0 - wgs84_e2 * sin2;
    const double radius_n = wgs84_a_m / std::sqrt(w2);
    const double radius_m = radius_n * (1.0 - wgs84_e2) / w2;
    double inv_rho = 1.0 / radius_n;
    if (cos_phi > 1e-12) {
        const Vec dv = sub(f, p);
        const double de = (-n[1] * dv[0] + n[0] * dv[1]) / cos_phi;
        const double dn =
            (-n[2] * n[0] * dv[0] - n[2] * n[1] * dv[1] + cos_phi * cos_phi * dv[2]) / cos_phi;
        const double h2 = de * de + dn * dn;
        if (h2 > 0.0) {
            inv_rho = (dn * dn / radius_m + de * de / radius_n) / h2;
        }
    }
    const double k2 = c * c * inv_rho * inv_rho;
    return c * (1.0 + k2 / 24.0 + 3.0 * k2 * k2 / 640.0);
}

/// Azimuth at P (lon/lat given as sin/cos) of the direction towards F, degrees [0, 360).
inline double azimuth_towards(const Vec &p, const Vec &f, double sin_phi, double cos_phi,
                              double sin_lam, double cos_lam) {
    const Vec dv = sub(f, p);
    const double de = -sin_lam * dv[0] + cos_lam * dv[1];
    const double dn = -sin_phi * cos_lam * dv[0] - sin_phi * sin_lam * dv[1] + cos_phi * dv[2];
    if (de == 0.0 && dn == 0.0) {
        return 0.0;
    }
    return normalize_azimuth_deg(std::atan2(de, dn) / deg);
}

struct Candidate {
    double c2;
    double t;
    std::uint32_t seg;
    Vec f;
};

/// A candidate's foot moved onto the sub-arc's foot proper, with its series distance.
struct RefinedFoot {
    double t; ///< chord parameter on the sub-segment
    Vec f;    ///< the foot on the ellipsoid
    double s; ///< series distance P-F
};

RefinedFoot refine_foot(const Segment &seg, const Vec &p, const Candidate &cand) {
    double c = std::sqrt(cand.c2);
    double t = cand.t;
    Vec f = cand.f;
    if (c > refine_min_m && t > 0.0 && t < 1.0) {
        // The chord foot is perpendicular to the sub-arc's mid tangent; make it
        // perpendicular to the tangent at the foot itself (error ~ L c^2 / 4R^2 otherwise).
        const Vec nf = surface_normal(f);
        Vec tangent = normalized(cross(seg.plane, nf));
        const double dt = dot(tangent, seg.d);
        if (dt != 0.0) {
            t = std::clamp(t + dot(sub(p, f), tangent) / dt, 0.0, 1.0);
            f = point_on_segment(seg, t);
            const Vec pf = sub(p, f);
            c = std::sqrt(dot(pf, pf));
        }
    }
    const double s = series_distance(p, f, c);
    if (c > azimuth_correction_min_m && t > 0.0 && t < 1.0) {
        // Normal section vs geodesic at the foot: the geodesic F->P leaves F at
        // psi = -e'^2 s^2 cos^2(phi) sin(2 alpha) / (12 N^2) from the normal section, so
        // the geodesic foot lies s * psi further along the line (sign by side).
        const Vec nf = surface_normal(f);
        if (std::sqrt(nf[0] * nf[0] + nf[1] * nf[1]) > 1e-12) {
            const Vec dv = sub(p, f);
            const double psi = geodesic_angle_first_order(nf, east_north(nf, dv), s);
            const double right = dot(dv, seg.left) < 0.0 ? 1.0 : -1.0;
            const double shift_m = -s * psi * right;
            const double t2 = t + shift_m / seg.length_m;
            if (t2 > 0.0 && t2 < 1.0) {
                t = t2;
                f = point_on_segment(seg, t);
            }
        }
    }
    return {t, f, s};
}

/// How far the series distance of a far candidate may be above the best one's and its edge
/// still be solved exactly (0.05 m + 2 m at 1,000 km, growing like c^3 as the series error).
/// Solving only the edges tied at the best series value already gave the exact minimum
/// (place_exact, 0 m difference) for all of 16,443 random points 400 km to 2,000 km away;
/// the margin keeps a wide safety factor at a small cost.
inline double far_series_tolerance(double s) {
    const double k = s / 1.0e6;
    return 0.05 + 2.0 * k * k * k;
}

inline double margin_threshold(double c) {
    // A farther chord can still be the geodesic minimum when the normal-section radii of the
    // two directions differ (relative <= e'^2): s - c ~ c^3 / (24 rho^2).
    const double k = c / r_min_m;
    return c * (1.0 + 1e-3 * k * k) + 2e-3;
}

} // namespace

void BorderIndex::build() {
    const auto start = std::chrono::steady_clock::now();
    const geod_geodesic &g = wgs84_geodesic();
    const GeodesicRoutines &routines = geod(); // once, not per vertex
    const std::size_t n = vertices.size();
    if (n < 2) {
        throw GeometryError("border '" + info.id + "' needs at least 2 distinct vertices, has " +
                            std::to_string(n));
    }
    const std::size_t edges = n - 1;
    if (parts.empty()) {
        parts.push_back({0, 0, 1});
    }
    if (part_borders.empty()) {
        part_borders.push_back({info.id, info.left, info.right});
    }
    // gap[i]: edge i joins two parts and is not part of the border.
    std::vector<bool> gap(edges, false);
    for (std::size_t k = 0; k < parts.size(); ++k) {
        const std::size_t first = parts[k].first_vertex;
        const std::size_t end = k + 1 < parts.size() ? parts[k + 1].first_vertex : n;
        if ((k == 0 && first != 0) || end < first + 2 || end > n ||
            parts[k].border >= part_borders.size()) {
            throw GeometryError("border '" + info.id + "': part " + std::to_string(k + 1) +
                                " needs at least 2 distinct vertices");
        }
        if (k > 0) {
            gap[first - 1] = true;
        }
    }
    edge_length_m.assign(edges, 0.0);
    edge_azimuth1_deg.assign(edges, 0.0);
    edge_azimuth2_deg.assign(edges, 0.0);
    edge_first_segment.assign(edges + 1, 0);
    vertex_chainage_m.assign(n, 0.0);
    vertex_chainage_km.assign(n, 0.0);

    std::vector<Vec> ecef(n);
    for (std::size_t i = 0; i < n; ++i) {
        ecef[i] = ecef_from_geodetic(vertices[i][0], vertices[i][1]);
    }

    auto make_segment = [&](const Vec &a, const Vec &b, double along0, double length,
                            std::uint32_t edge) {
        Segment s;
        s.a = a;
        s.d = sub(b, a);
        s.n = surface_normal({0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1]), 0.5 * (a[2] + b[2])});
        const double dn = dot(s.d, s.n);
        const Vec w = add_scaled(s.d, -dn, s.n);
        const double dw = dot(s.d, w);
        s.u = dw > 0.0 ? Vec{w[0] / dw, w[1] / dw, w[2] / dw} : Vec{0.0, 0.0, 0.0};
        s.left = normalized(cross(s.n, s.d));
        s.plane = normalized(cross(s.d, s.n));
        s.along0_m = along0;
        s.length_m = length;
        s.edge = edge;
        return s;
    };
    // The edges are independent: a long border (world mode: 77,000 edges, 500,000
    // sub-segments, each an exact geodesic position) is cut on every core. Same arithmetic
    // per edge whatever the split, so the same index.
    const std::size_t workers =
        edges >= 20000 ? std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8) : 1;
    auto for_each_edge = [&](const auto &fn) {
        run_in_parallel(workers, [&](std::size_t w) {
            for (std::size_t i = edges * w / workers; i < edges * (w + 1) / workers; ++i) {
                fn(i);
            }
        });
    };
    // Pass 1: every edge's exact length and azimuths.
    for_each_edge([&](std::size_t i) {
        const auto &va = vertices[i];
        const auto &vb = vertices[i + 1];
        routines.inverse(&g, va[1], va[0], vb[1], vb[0], &edge_length_m[i], &edge_azimuth1_deg[i],
                         &edge_azimuth2_deg[i]);
        if (gap[i]) {
            edge_length_m[i] = 0.0;
        }
    });
    // Chainage and where each edge's sub-segments go (a gap edge has none): edge i's are
    // [edge_first_segment[i], edge_first_segment[i + 1]).
    double chain = 0.0;
    std::size_t total = 0;
    for (std::size_t i = 0; i < edges; ++i) {
        edge_first_segment[i] = static_cast<std::uint32_t>(total);
        vertex_chainage_m[i] = chain;
        vertex_chainage_km[i] = chain / 1000.0;
        if (gap[i]) {
            continue;
        }
        total += static_cast<std::size_t>(
            std::max(1.0, std::ceil(std::min(edge_length_m[i] / max_segment_m, 2e7))));
        if (total > 16'000'000U) {
            throw GeometryError("border '" + info.id + "' is too long to index (edges over " +
                                std::to_string(chain / 1000.0) + " km)");
        }
        chain += edge_length_m[i];
    }
    edge_first_segment[edges] = static_cast<std::uint32_t>(total);
    segments.assign(total, Segment{});
    // Pass 2: the sub-segments, exact sub-arcs of equal length.
    for_each_edge([&](std::size_t i) {
        if (gap[i]) {
            return;
        }
        const auto edge = static_cast<std::uint32_t>(i);
        Segment *out = &segments[edge_first_segment[i]];
        const std::size_t pieces = edge_first_segment[i + 1] - edge_first_segment[i];
        const double length = edge_length_m[i];
        if (pieces == 1) {
            out[0] = make_segment(ecef[i], ecef[i + 1], vertex_chainage_m[i], length, edge);
            return;
        }
        const auto &va = vertices[i];
        const auto &vb = vertices[i + 1];
        geod_geodesicline line{};
        routines.inverseline(&line, &g, va[1], va[0], vb[1], vb[0],
                             GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_DISTANCE_IN);
        const double piece = length / static_cast<double>(pieces);
        Vec prev = ecef[i];
        for (std::size_t j = 1; j <= pieces; ++j) {
            Vec next = ecef[i + 1];
            if (j < pieces) {
                double lat = 0.0;
                double lon = 0.0;
                routines.position(&line, piece * static_cast<double>(j), &lat, &lon, nullptr);
                next = ecef_from_geodetic(lon, lat);
            }
            out[j - 1] = make_segment(
                prev, next, vertex_chainage_m[i] + piece * static_cast<double>(j - 1), piece, edge);
            prev = next;
        }
    });
    vertex_chainage_m[n - 1] = chain;
    vertex_chainage_km[n - 1] = chain / 1000.0;
    for (std::size_t k = 0; k < parts.size(); ++k) {
        const std::size_t first_edge = parts[k].first_vertex;
        const std::size_t last_edge = (k + 1 < parts.size() ? parts[k + 1].first_vertex : n) - 2;
        segments[edge_first_segment[first_edge]].flags |= 1U;
        segments[edge_first_segment[last_edge + 1] - 1].flags |= 2U;
    }
    info.parts = parts.size();

    info.vertices = n;
    info.length_km = chain / 1000.0;
    info.start_lon = vertices.front()[0];
    info.start_lat = vertices.front()[1];
    info.end_lon = vertices.back()[0];
    info.end_lat = vertices.back()[1];

    // 4-wide BVH over consecutive sub-segments (the line's order is already spatially
    // coherent, so equal consecutive runs make tight boxes).
    if (segments.size() >= (1U << 24)) {
        throw GeometryError("border '" + info.id + "' has too many sub-segments to index");
    }
    {
        Vec lo = ecef.front();
        Vec hi = ecef.front();
        for (const Vec &v : ecef) {
            for (std::size_t c = 0; c < 3; ++c) {
                lo[c] = std::min(lo[c], v[c]);
                hi[c] = std::max(hi[c], v[c]);
            }
        }
        origin = {0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]), 0.5 * (lo[2] + hi[2])};
    }
    nodes.clear();
    nodes.reserve(segments.size() / leaf_size / 2 + 2);
    leaves.clear();
    leaves.reserve(segments.size() / leaf_size * 2 + 1);
    struct Built {
        std::uint32_t ref;
        Vec lo; // relative to origin, grown by the sagitta bound
        Vec hi;
    };
    auto box_of = [&](std::uint32_t first, std::uint32_t count) {
        const double inf = std::numeric_limits<double>::infinity();
        Built out{0, {inf, inf, inf}, {-inf, -inf, -inf}};
        double grow = 0.0;
        for (std::uint32_t k = first; k < first + count; ++k) {
            const Segment &s = segments[k];
            const Vec a = sub(s.a, origin);
            const Vec b = add_scaled(a, 1.0, s.d);
            for (std::size_t c = 0; c < 3; ++c) {
                out.lo[c] = std::min({out.lo[c], a[c], b[c]});
                out.hi[c] = std::max({out.hi[c], a[c], b[c]});
            }
            grow = std::max(grow, sagitta_bound(std::sqrt(dot(s.d, s.d))));
        }
        for (std::size_t c = 0; c < 3; ++c) {
            out.lo[c] -= grow;
            out.hi[c] += grow;
        }
        return out;
    };
    // Float lanes rounded outwards and padded, so they contain the double box.
    auto set_lane = [](BvhNode &node, std::size_t lane, const Built &child) {
        auto down = [](double v) { return float_at_or_below(v - box_padding_m); };
        auto up = [](double v) { return float_at_or_above(v + box_padding_m); };
        node.lo_x[lane] = down(child.lo[0]);
        node.lo_y[lane] = down(child.lo[1]);
        node.lo_z[lane] = down(child.lo[2]);
        node.hi_x[lane] = up(child.hi[0]);
        node.hi_y[lane] = up(child.hi[1]);
        node.hi_z[lane] = up(child.hi[2]);
        node.child[lane] = child.ref;
    };
    auto empty_node = [] {
        const float finf = std::numeric_limits<float>::infinity();
        BvhNode node{};
        node.lo_x.fill(finf);
        node.lo_y.fill(finf);
        node.lo_z.fill(finf);
        node.hi_x.fill(-finf);
        node.hi_y.fill(-finf);
        node.hi_z.fill(-finf);
        node.child.fill(bvh_leaf_bit); // leaves of 0 segments
        return node;
    };
    auto build_node = [&](auto &&self, std::uint32_t first, std::uint32_t count) -> Built {
        if (count <= leaf_size) {
            Built leaf = box_of(first, count);
            leaf.ref = bvh_leaf_bit | (count << 24) | static_cast<std::uint32_t>(leaves.size());
            LeafChords &lanes = leaves.emplace_back();
            lanes.first = first;
            for (std::uint32_t i = 0; i < count; ++i) {
                const Segment &sg = segments[first + i];
                lanes.ax[i] = static_cast<float>(sg.a[0] - origin[0]);
                lanes.ay[i] = static_cast<float>(sg.a[1] - origin[1]);
                lanes.az[i] = static_cast<float>(sg.a[2] - origin[2]);
                lanes.dx[i] = static_cast<float>(sg.d[0]);
                lanes.dy[i] = static_cast<float>(sg.d[1]);
                lanes.dz[i] = static_cast<float>(sg.d[2]);
                const float dd = lanes.dx[i] * lanes.dx[i] + lanes.dy[i] * lanes.dy[i] +
                                 lanes.dz[i] * lanes.dz[i];
                lanes.inv_dd[i] = dd > 0.0F ? 1.0F / dd : 0.0F;
            }
            return leaf;
        }
        const auto index = static_cast<std::uint32_t>(nodes.size());
        nodes.push_back(empty_node());
        const std::uint32_t children = std::min(bvh_width, (count + leaf_size - 1) / leaf_size);
        Built out{index, {}, {}};
        std::uint32_t part_first = first;
        for (std::uint32_t i = 0; i < children; ++i) {
            const std::uint32_t n_part = count / children + (i < count % children ? 1U : 0U);
            const Built child = self(self, part_first, n_part);
            part_first += n_part;
            set_lane(nodes[index], i, child);
            for (std::size_t c = 0; c < 3; ++c) {
                out.lo[c] = i == 0 ? child.lo[c] : std::min(out.lo[c], child.lo[c]);
                out.hi[c] = i == 0 ? child.hi[c] : std::max(out.hi[c], child.hi[c]);
            }
        }
        return out;
    };
    const Built root = build_node(build_node, 0, static_cast<std::uint32_t>(segments.size()));
    if ((root.ref & bvh_leaf_bit) != 0U) { // few segments: a root with one leaf
        nodes.push_back(empty_node());
        set_lane(nodes.back(), 0, root);
    }
    build_hint_grid();
    build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

void BorderIndex::build_hint_grid() {
    hint_chord_m.clear();
    hint_nx = hint_ny = 0;
    double lon0 = 180.0;
    double lon1 = -180.0;
    double lat0 = 90.0;
    double lat1 = -90.0;
    for (const auto &v : vertices) {
        lon0 = std::min(lon0, v[0]);
        lon1 = std::max(lon1, v[0]);
        lat0 = std::min(lat0, v[1]);
        lat1 = std::max(lat1, v[1]);
    }
    lon0 -= hint_margin_deg;
    lon1 += hint_margin_deg;
    lat0 = std::max(lat0 - hint_margin_deg, -85.0);
    lat1 = std::min(lat1 + hint_margin_deg, 85.0);
    if ((lon1 - lon0 > 180.0 && !info.world) || lat1 <= lat0) {
        return; // around the antimeridian or a pole: no grid, the search starts unbounded
    }
    // (World mode: one grid over all longitudes, cells of about 1.75 degrees.)
    double step = hint_step_deg_default;
    const double area = (lon1 - lon0) * (lat1 - lat0);
    if (area / (step * step) > hint_max_cells) {
        step = std::sqrt(area / hint_max_cells);
    }
    const auto nx = static_cast<std::size_t>(std::ceil((lon1 - lon0) / step));
    const auto ny = static_cast<std::size_t>(std::ceil((lat1 - lat0) / step));
    std::vector<float> grid(nx * ny);
    std::uint32_t near = no_segment; // the previous cell's nearest sub-segment bounds the next
    for (std::size_t j = 0; j < ny; ++j) {
        const double lat_c = lat0 + (static_cast<double>(j) + 0.5) * step;
        // Chord from the centre to the farthest corner (the same for every cell of the row).
        const Vec centre = ecef_from_geodetic(0.5 * step, lat_c);
        double radius = 0.0;
        for (const double dlat : {-0.5 * step, 0.5 * step}) {
            for (const double lon_c : {0.0, step}) {
                const Vec corner = ecef_from_geodetic(lon_c, lat_c + dlat);
                const Vec d = sub(corner, centre);
                radius = std::max(radius, std::sqrt(dot(d, d)));
            }
        }
        for (std::size_t i = 0; i < nx; ++i) {
            const double lon_c = lon0 + (static_cast<double>(i) + 0.5) * step;
            // For P in the cell, C its centre, q the chord point below a foot f (|q - f| <=
            // sagitta): |P - f(P)| <= |P - q(P)| + sagitta <= |P - q(C)| + sagitta <=
            // |P - C| + |C - f(C)| + 2 sagitta. Chords only: no geodesic, so even the cells
            // of a country's index 3,000 km from its land boundary cost a few microseconds.
            const double chord = nearest_foot_chord_m(ecef_from_geodetic(lon_c, lat_c), near);
            grid[j * nx + i] =
                float_at_or_above((chord + radius + 2.0 * reach_slack_m) * 1.001 + 1.0);
        }
    }
    hint_lon0 = lon0;
    hint_lat0 = lat0;
    hint_step_deg = step;
    hint_chord_m = std::move(grid);
    hint_nx = nx;
    hint_ny = ny;
}

double BorderIndex::nearest_foot_chord_m(const Vec &p, std::uint32_t &near_segment) const {
    const BoxQuery q = box_query(p, origin);
    double best2 = std::numeric_limits<double>::infinity();
    auto consider = [&](std::uint32_t k) {
        Vec f;
        double t = 0.0;
        // Beyond best2 + slack the foot cannot be nearer (the projection moves it by at most
        // the sagitta).
        const double reach = std::sqrt(best2) + reach_slack_m;
        if (segment_foot(segments[k], p, reach * reach, f, t)) {
            const Vec pf = sub(p, f);
            if (const double d2 = dot(pf, pf); d2 < best2) {
                best2 = d2;
                near_segment = k;
            }
        }
    };
    if (near_segment < segments.size()) {
        consider(near_segment);
    }
    std::vector<std::uint32_t> stack{0};
    while (!stack.empty()) {
        const std::uint32_t ref = stack.back();
        stack.pop_back();
        if ((ref & bvh_leaf_bit) == 0U) {
            const std::array<float, 4> d2 = box_distances2(nodes[ref], q);
            std::array<std::size_t, bvh_width> by_distance{0, 1, 2, 3};
            std::sort(by_distance.begin(), by_distance.end(),
                      [&](std::size_t a, std::size_t b) { return d2[a] > d2[b]; });
            for (const std::size_t c : by_distance) { // the nearest child is searched first
                if (d2[c] <= loose_bound(best2)) {
                    stack.push_back(nodes[ref].child[c]);
                }
            }
            continue;
        }
        const std::uint32_t count = (ref >> 24) & 0x7FU;
        const std::uint32_t first = count > 0 ? leaves[ref & 0xFFFFFFU].first : 0;
        for (std::uint32_t k = first; k < first + count; ++k) {
            consider(k);
        }
    }
    return std::sqrt(best2);
}

LineHit BorderIndex::nearest_fast(double lon, double lat, std::uint32_t near_segment) const {
    const double phi = lat * deg;
    const double lam = lon * deg;
    const double sin_phi = std::sin(phi);
    const double cos_phi = std::cos(phi);
    const double sin_lam = std::sin(lam);
    const double cos_lam = std::cos(lam);
    const double rn = wgs84_a_m / std::sqrt(1.0 - wgs84_e2 * sin_phi * sin_phi);
    const Vec p{rn * cos_phi * cos_lam, rn * cos_phi * sin_lam, rn * (1.0 - wgs84_e2) * sin_phi};

    // Candidates: sub-segments whose chord foot is within the ranking margin of the best.
    std::array<Candidate, 32> cands; // NOLINT: filled before use
    std::size_t ncands = 0;
    double best_c2 = std::numeric_limits<double>::infinity();
    double thr = best_c2;
    if (hint_nx > 0) {
        const double fx = (lon - hint_lon0) / hint_step_deg;
        const double fy = (lat - hint_lat0) / hint_step_deg;
        if (fx >= 0.0 && fy >= 0.0 && fx < static_cast<double>(hint_nx) &&
            fy < static_cast<double>(hint_ny)) {
            const double bound =
                hint_chord_m[static_cast<std::size_t>(fy) * hint_nx + static_cast<std::size_t>(fx)];
            thr = margin_threshold(bound);
        }
    }
    if (near_segment < segments.size()) {
        // A sub-segment near the point (its neighbour's nearest, in a sorted batch): its
        // foot bounds the search from the start, as the hint grid does for one border.
        Vec f;
        double t = 0.0;
        if (segment_foot(segments[near_segment], p, std::numeric_limits<double>::infinity(), f,
                         t)) {
            const Vec pf = sub(p, f);
            thr = std::min(thr, margin_threshold(std::sqrt(dot(pf, pf))));
        }
    }
    double thr2 = thr * thr;

    // Stack items are (float box distance^2 bits << 32 | reference): non-negative floats
    // order like their bit patterns, so bounds compare as integers.
    const BoxQuery q = box_query(p, origin);
    std::uint32_t box_thr2 = box_bound_bits(thr2); // thr2 for the float box distances
    double reach2 =
        (thr + reach_slack_m) * (thr + reach_slack_m); // for chord feet before projection
    double lane_reach2_now = lane_reach2(thr);         // for the float chord distances
    auto set_threshold = [&](double t) {
        thr = t;
        thr2 = thr * thr;
        box_thr2 = box_bound_bits(thr2);
        reach2 = (thr + reach_slack_m) * (thr + reach_slack_m);
        lane_reach2_now = lane_reach2(thr);
    };
    std::array<std::uint64_t, 96> stack; // NOLINT: filled before use
    std::size_t top = 0;
    stack[top++] = 0; // the root, distance 0
    while (top > 0) {
        const std::uint64_t item_key = stack[--top];
        if (static_cast<std::uint32_t>(item_key >> 32U) > box_thr2) {
            continue;
        }
        const auto item_ref = static_cast<std::uint32_t>(item_key);
        if ((item_ref & bvh_leaf_bit) != 0U) {
            const std::uint32_t count = (item_ref >> 24) & 0x7FU;
            if (count == 0) {
                continue;
            }
            const LeafChords &lanes = leaves[item_ref & 0xFFFFFFU];
            const std::array<float, 8> lane_d2 = chord_distances2(lanes, q);
            // The leaf's nearest chord bounds the nearest foot before any is computed (its
            // sub-arc's foot is within the lane slack of it): the leaf's farther lanes are
            // then not solved exactly only to be dropped by the final margin.
            float nearest_lane = lane_d2[0];
            for (std::uint32_t lane = 1; lane < count; ++lane) {
                nearest_lane = std::min(nearest_lane, lane_d2[lane]);
            }
            if (const double bound = margin_threshold(
                    std::sqrt(static_cast<double>(nearest_lane)) * (1.0 + 2e-7) + lane_slack_m);
                bound < thr) {
                set_threshold(bound);
            }
            for (std::uint32_t lane = 0; lane < count; ++lane) {
                if (lane_d2[lane] > lane_reach2_now) {
                    continue;
                }
                const std::uint32_t k = lanes.first + lane;
                Vec f;
                double t = 0.0;
                if (!segment_foot(segments[k], p, reach2, f, t)) {
                    continue;
                }
                const Vec pf = sub(p, f);
                const double c2 = dot(pf, pf);
                if (c2 > thr2) {
                    continue;
                }
                if (c2 < best_c2) {
                    best_c2 = c2;
                    set_threshold(margin_threshold(std::sqrt(c2)));
                }
                if (ncands == cands.size()) {
                    std::size_t kept = 0;
                    for (std::size_t i = 0; i < ncands; ++i) {
                        if (cands[i].c2 <= thr2) {
                            cands[kept++] = cands[i];
                        }
                    }
                    ncands = kept;
                    if (ncands == cands.size()) { // pathological: keep the nearest half
                        std::sort(
                            cands.begin(), cands.end(),
                            [](const Candidate &x, const Candidate &y) { return x.c2 < y.c2; });
                        ncands = cands.size() / 2;
                    }
                }
                cands[ncands++] = {c2, t, k, f};
            }
            continue;
        }
        const BvhNode &node = nodes[item_ref];
        const std::array<float, 4> d2 = box_distances2(node, q);
        if (top + bvh_width > stack.size()) {
            continue; // cannot happen: the tree is balanced
        }
        // Push the children in reach farthest first, so the nearest is searched first. Sorted
        // by a branch-free network on (distance bits, reference) keys: the order is data-random.
        std::array<std::uint64_t, 4> key{};
        for (std::size_t c = 0; c < bvh_width; ++c) {
            key[c] = (std::uint64_t{std::bit_cast<std::uint32_t>(d2[c])} << 32U) | node.child[c];
        }
        auto order = [&](std::size_t i, std::size_t j) {
            const std::uint64_t lo = std::min(key[i], key[j]);
            key[j] = std::max(key[i], key[j]);
            key[i] = lo;
        };
        order(0, 1);
        order(2, 3);
        order(0, 2);
        order(1, 3);
        order(1, 2);
        for (std::size_t c = bvh_width; c-- > 0;) {
            stack[top] = key[c];
            const bool reach = static_cast<std::uint32_t>(key[c] >> 32U) <= box_thr2;
            if (reach) {
                // Start the child's cache miss now: most children in reach are visited, and
                // the misses overlap instead of queueing one after another.
                const auto ref = static_cast<std::uint32_t>(key[c]);
                if ((ref & bvh_leaf_bit) == 0U) {
                    __builtin_prefetch(&nodes[ref]);
                    __builtin_prefetch(reinterpret_cast<const char *>(&nodes[ref]) + 64);
                } else if (((ref >> 24) & 0x7FU) != 0U) {
                    const char *leaf = reinterpret_cast<const char *>(&leaves[ref & 0xFFFFFFU]);
                    for (std::size_t line = 0; line < sizeof(LeafChords); line += 64) {
                        __builtin_prefetch(leaf + line);
                    }
                }
            }
            top += reach ? 1U : 0U;
        }
    }

    LineHit hit;
    hit.p_ecef = p;
    const double best_c = std::sqrt(best_c2);
    if (best_c > newton_max_m) {
        return nearest_far(lon, lat, p, cands.data(), ncands, thr2);
    }

    bool found = false;
    double best_s = 0.0;
    for (std::size_t i = 0; i < ncands; ++i) {
        Candidate cand = cands[i];
        if (cand.c2 > thr2) {
            continue;
        }
        const Segment &seg = segments[cand.seg];
        const RefinedFoot r = refine_foot(seg, p, cand);
        const double s = r.s;
        const double t = r.t;
        const Vec &f = r.f;
        const double chain = seg.along0_m + t * seg.length_m;
        if (!found || s < best_s || (s == best_s && chain < hit.chainage_m)) {
            found = true;
            best_s = s;
            hit.chainage_m = chain;
            hit.segment = cand.seg;
            hit.t = t;
            hit.foot_ecef = f;
        }
    }
    if (best_c > closed_form_max_m) {
        if (!refine_far_foot(lon, lat, hit)) {
            return nearest_far(lon, lat, p, cands.data(), ncands, thr2);
        }
        return hit;
    }
    const auto ll = geodetic_from_surface_ecef(hit.foot_ecef);
    hit.distance_m = best_s;
    hit.lon = ll[0];
    hit.lat = ll[1];
    hit.bearing_deg =
        best_s > 0.0 ? azimuth_towards(p, hit.foot_ecef, sin_phi, cos_phi, sin_lam, cos_lam) : 0.0;
    return hit;
}

namespace {

/// Unit tangent of a sub-arc at its point @p f, pointing along the line's direction.
Vec tangent_at(const Segment &seg, const Vec &f) {
    const Vec t = normalized(cross(seg.plane, surface_normal(f)));
    return dot(t, seg.d) < 0.0 ? Vec{-t[0], -t[1], -t[2]} : t;
}

/// Unit direction (ECEF) of azimuth @p azi_deg in the tangent plane at the surface point @p f.
Vec direction_at(const Vec &f, double azi_deg) {
    const Vec n = surface_normal(f);
    const double cphi = std::sqrt(n[0] * n[0] + n[1] * n[1]);
    const Vec east{-n[1] / cphi, n[0] / cphi, 0.0};
    const Vec north{-n[2] * n[0] / cphi, -n[2] * n[1] / cphi, cphi};
    const double sa = std::sin(azi_deg * deg);
    const double ca = std::cos(azi_deg * deg);
    return {sa * east[0] + ca * north[0], sa * east[1] + ca * north[1],
            sa * east[2] + ca * north[2]};
}

} // namespace

bool BorderIndex::refine_far_foot(double lon, double lat, LineHit &hit) const {
    // One geodesic F -> P gives the exact distance (stationary at the foot, so the few mm
    // the closed-form foot may be off change it by < 1e-10 m) and the angle it makes with
    // the line; the Newton step along the line, s cos(theta), moves F onto the exact foot
    // (error O(delta^2 / s + delta s^2 / R^2), micrometres).
    const Segment &seg = segments[hit.segment];
    const bool at_start = hit.t <= 0.0;
    const bool at_end = hit.t >= 1.0;
    // A vertex foot is exact if P lies behind the outgoing and ahead of the incoming arc
    // there (a corner minimum). 1: it is; 0: it is not (let the exact solver decide); -1:
    // the direction towards P is within @p margin of deciding otherwise.
    auto corner_minimum = [&](const Vec &towards_p, double margin) {
        const bool has_in = at_start ? (seg.flags & 1U) == 0U : true;
        const bool has_out = at_end ? (seg.flags & 2U) == 0U : true;
        const Segment &in = at_start ? segments[hit.segment - (has_in ? 1 : 0)] : seg;
        const Segment &out = at_end ? segments[hit.segment + (has_out ? 1 : 0)] : seg;
        const double out_cos = has_out ? dot(towards_p, tangent_at(out, hit.foot_ecef)) : -1.0;
        const double in_cos = has_in ? dot(towards_p, tangent_at(in, hit.foot_ecef)) : 1.0;
        if (std::abs(out_cos) <= margin || std::abs(in_cos) <= margin) {
            return -1;
        }
        return out_cos > 0.0 || in_cos < 0.0 ? 0 : 1;
    };
    auto finish = [&](double distance_m, double bearing_deg) {
        const auto foot = geodetic_from_surface_ecef(hit.foot_ecef);
        hit.distance_m = distance_m;
        hit.lon = foot[0];
        hit.lat = foot[1];
        hit.bearing_deg = bearing_deg;
        return true;
    };
    if (at_start || at_end) {
        // A vertex needs no Newton step: the closed-form geodesic decides it unless P is
        // nearly on an edge's perpendicular there (see solve_corner).
        if (const auto g = short_geodesic(hit.foot_ecef, hit.p_ecef)) {
            const int corner = corner_minimum(direction_at(hit.foot_ecef, g->azimuth1_deg),
                                              closed_form_corner_cos);
            if (corner >= 0) {
                return corner == 1 && finish(g->distance_m, g->back_azimuth_deg);
            }
        }
    }
    const auto fl = geodetic_from_surface_ecef(hit.foot_ecef);
    double s12 = 0.0;
    double azi1 = 0.0;
    double azi2 = 0.0;
    geod().inverse(&wgs84_geodesic(), fl[1], fl[0], lat, lon, &s12, &azi1, &azi2);
    if (!(s12 > 0.0) || std::abs(std::cos(fl[1] * deg)) < 1e-9) {
        return false;
    }
    const Vec towards_p = direction_at(hit.foot_ecef, azi1);
    if (at_start || at_end) {
        if (corner_minimum(towards_p, 0.0) != 1) {
            return false;
        }
    } else {
        const double step_m = s12 * dot(towards_p, tangent_at(seg, hit.foot_ecef));
        const double chain = hit.chainage_m + step_m;
        // Stay on the same geodesic edge (Newton needs a smooth line); a step over a vertex
        // goes to the exact solver.
        const std::uint32_t first = edge_first_segment[seg.edge];
        const std::uint32_t end = edge_first_segment[seg.edge + 1];
        std::uint32_t k = hit.segment;
        while (k + 1 < end && chain > segments[k].along0_m + segments[k].length_m) {
            ++k;
        }
        while (k > first && chain < segments[k].along0_m) {
            --k;
        }
        const Segment &moved = segments[k];
        const double t = (chain - moved.along0_m) / moved.length_m;
        if (!(t > 0.0 && t < 1.0)) {
            return false;
        }
        hit.segment = k;
        hit.t = t;
        hit.chainage_m = chain;
        hit.foot_ecef = point_on_segment(moved, t);
    }
    return finish(s12, normalize_azimuth_deg(azi2 + 180.0));
}

LineHit BorderIndex::nearest_far(double lon, double lat, const std::array<double, 3> &p,
                                 const void *candidates, std::size_t count, double thr2) const {
    // Far from the line: solve candidate edges exactly (Newton on geod_* geodesics). The chord
    // margin lets in every sub-arc within ~25 m at 1,000 km (dozens of edges of a meandering
    // river); their normal-section series distances rank them to within far less (a smooth
    // error, nearly the same for neighbouring feet), so only the edges whose series distance
    // is within far_series_tolerance() of the best one are solved.
    const auto *cands = static_cast<const Candidate *>(candidates);
    LineHit hit;
    hit.p_ecef = p;
    hit.distance_m = std::numeric_limits<double>::infinity();
    thread_local std::vector<double> series;
    series.assign(count, std::numeric_limits<double>::infinity());
    double best_series = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < count; ++i) {
        if (cands[i].c2 > thr2) {
            continue;
        }
        series[i] = series_distance(p, cands[i].f, std::sqrt(cands[i].c2));
        best_series = std::min(best_series, series[i]);
    }
    const double limit = best_series + far_series_tolerance(best_series);
    thread_local std::vector<std::uint32_t> solved;
    thread_local std::vector<std::uint32_t> tested_vertices;
    solved.clear();
    tested_vertices.clear();
    auto is_solved = [&](std::uint32_t edge) {
        return std::find(solved.begin(), solved.end(), edge) != solved.end();
    };
    for (std::size_t i = 0; i < count; ++i) {
        if (!(series[i] <= limit)) {
            continue;
        }
        const Segment &s = segments[cands[i].seg];
        if (is_solved(s.edge)) {
            continue;
        }
        // The seed from the refined foot: the first Newton step is then short (mm), and the
        // solve often ends after one inverse.
        const double t = refine_foot(s, p, cands[i]).t;
        if (const auto corner = corner_at(cands[i].seg, t);
            corner && std::find(tested_vertices.begin(), tested_vertices.end(), corner->vertex) ==
                          tested_vertices.end()) {
            tested_vertices.push_back(corner->vertex);
            if (solve_corner(*corner, lon, lat, hit)) {
                // Both edges' minimum is the vertex: neither is solved again.
                if (corner->has_out) {
                    solved.push_back(corner->vertex);
                }
                if (corner->has_in) {
                    solved.push_back(corner->vertex - 1);
                }
                continue;
            }
        }
        solved.push_back(s.edge);
        const auto &va = vertices[s.edge];
        const double seed = s.along0_m - vertex_chainage_m[s.edge] + t * s.length_m;
        const EdgeFoot foot = nearest_on_geodesic_edge(
            {va[0], va[1], edge_azimuth1_deg[s.edge], edge_length_m[s.edge]}, lon, lat, seed);
        keep_if_nearer(s.edge, foot, hit);
    }
    return hit;
}

Vec BorderIndex::vertex_ecef(std::uint32_t vertex) const {
    // A vertex starts the first sub-segment of its outgoing edge, or ends the line's last.
    if (vertex + 1 < edge_first_segment.size() &&
        edge_first_segment[vertex] < edge_first_segment[vertex + 1]) {
        return segments[edge_first_segment[vertex]].a;
    }
    const Segment &last = segments[edge_first_segment[vertex] - 1];
    return add_scaled(last.a, 1.0, last.d);
}

std::optional<Corner> BorderIndex::corner_at(std::uint32_t segment, double t) const {
    const Segment &s = segments[segment];
    if (t <= 0.0 && segment == edge_first_segment[s.edge]) {
        return Corner{s.edge, (s.flags & 1U) == 0U, true};
    }
    if (t >= 1.0 && segment + 1 == edge_first_segment[s.edge + 1]) {
        return Corner{s.edge + 1, true, (s.flags & 2U) == 0U};
    }
    return std::nullopt;
}

bool BorderIndex::solve_corner(const Corner &corner, double lon, double lat, LineHit &hit) const {
    // A far foot is usually a vertex (seen from 1,000 km a corner of 10 degrees faces a 170 km
    // wide wedge, an edge of 2 km a 2 km strip), and both its edges would be solved from it.
    // One geodesic V -> P decides both: V is the nearest point of each edge when P lies behind
    // the outgoing edge and ahead of the incoming one (the distance grows along each from V;
    // a geodesic edge seen from far away has one minimum).
    const std::uint32_t v = corner.vertex;
    // cos of the angle between the geodesic V -> P and each edge at V: P must lie behind the
    // outgoing edge (cos <= 0) and ahead of the incoming one (cos >= 0).
    auto cos_out = [&](double azimuth) {
        return corner.has_out ? std::cos((azimuth - edge_azimuth1_deg[v]) * deg) : -1.0;
    };
    auto cos_in = [&](double azimuth) {
        return corner.has_in ? std::cos((azimuth - edge_azimuth2_deg[v - 1]) * deg) : 1.0;
    };
    EdgeFoot foot;
    foot.lon_deg = vertices[v][0];
    foot.lat_deg = vertices[v][1];
    bool decided = false;
    if (const auto g = short_geodesic(vertex_ecef(v), hit.p_ecef)) {
        const double out = cos_out(g->azimuth1_deg);
        const double in = cos_in(g->azimuth1_deg);
        if (std::abs(out) > closed_form_corner_cos && std::abs(in) > closed_form_corner_cos) {
            if (out > 0.0 || in < 0.0) {
                return false;
            }
            foot.distance_m = g->distance_m;
            foot.azimuth_deg = g->back_azimuth_deg;
            decided = true;
        }
    }
    if (!decided) {
        double s12 = 0.0;
        double azi1 = 0.0;
        double azi2 = 0.0;
        geod().inverse(&wgs84_geodesic(), vertices[v][1], vertices[v][0], lat, lon, &s12, &azi1,
                       &azi2);
        if (!(s12 > 0.0) || cos_out(azi1) > 0.0 || cos_in(azi1) < 0.0) {
            return false;
        }
        foot.distance_m = s12;
        foot.azimuth_deg = normalize_azimuth_deg(azi2 + 180.0);
    }
    const std::uint32_t edge = corner.has_out ? v : v - 1;
    foot.along_m = corner.has_out ? 0.0 : edge_length_m[edge];
    keep_if_nearer(edge, foot, hit);
    return true;
}

void BorderIndex::keep_if_nearer(std::uint32_t edge, const EdgeFoot &foot, LineHit &hit) const {
    const double chainage = vertex_chainage_m[edge] + foot.along_m;
    if (foot.distance_m < hit.distance_m ||
        (foot.distance_m == hit.distance_m && chainage < hit.chainage_m)) {
        hit.distance_m = foot.distance_m;
        hit.lon = foot.lon_deg;
        hit.lat = foot.lat_deg;
        hit.chainage_m = chainage;
        hit.bearing_deg = foot.azimuth_deg;
        locate_on_segments(edge, foot.along_m, hit);
    }
}

void BorderIndex::locate_on_segments(std::uint32_t edge, double along_m, LineHit &hit) const {
    const std::uint32_t first = edge_first_segment[edge];
    const std::uint32_t last = edge_first_segment[edge + 1] - 1;
    const double chain = vertex_chainage_m[edge] + along_m;
    std::uint32_t k = first;
    while (k < last && segments[k + 1].along0_m <= chain) {
        ++k;
    }
    const Segment &s = segments[k];
    hit.segment = k;
    if (along_m <= 0.0) {
        hit.t = 0.0;
    } else if (along_m >= edge_length_m[edge]) {
        hit.segment = last;
        hit.t = 1.0;
    } else {
        hit.t = std::clamp((chain - s.along0_m) / s.length_m, 0.0, 1.0);
    }
}

double BorderIndex::distance_lower_bound_m(double lon, double lat) const {
    if (nodes.empty()) {
        return 0.0;
    }
    const std::array<float, 4> d2 =
        box_distances2(nodes[0], box_query(ecef_from_geodetic(lon, lat), origin));
    const float nearest = *std::min_element(d2.begin(), d2.end());
    // Float rounding of the query point and of the sum: the boxes' padding covers a metre.
    return std::max(0.0, std::sqrt(static_cast<double>(nearest)) - 1.0);
}

LineHit BorderIndex::nearest_exact(double lon, double lat) const {
    // Upper bound: the exact distance to the edge the fast search picks.
    const LineHit seed = nearest_fast(lon, lat);
    const Segment &seed_seg = segments[seed.segment];
    const auto &sa = vertices[seed_seg.edge];
    const auto &sb = vertices[seed_seg.edge + 1];
    const EdgeFoot seed_foot = nearest_on_geodesic_edge(
        sa[0], sa[1], sb[0], sb[1], lon, lat, seed.chainage_m - vertex_chainage_m[seed_seg.edge]);
    const double ub = seed_foot.distance_m + 1e-6;
    const double ub2 = ub * ub;
    const Vec p = ecef_from_geodetic(lon, lat);

    // Every edge whose sub-arcs might come within ub (3D chord distance minus the sagitta
    // bound is a lower bound of the geodesic distance).
    std::vector<std::uint32_t> edges;
    std::vector<std::uint32_t> stack{0};
    const BoxQuery pq_box = box_query(p, origin);
    const double box_ub2 = loose_bound(ub2);
    while (!stack.empty()) {
        const std::uint32_t ref = stack.back();
        stack.pop_back();
        if ((ref & bvh_leaf_bit) == 0U) {
            const BvhNode &node = nodes[ref];
            const std::array<float, 4> d2 = box_distances2(node, pq_box);
            for (std::size_t c = 0; c < bvh_width; ++c) {
                if (d2[c] <= box_ub2) {
                    stack.push_back(node.child[c]);
                }
            }
            continue;
        }
        const std::uint32_t count = (ref >> 24) & 0x7FU;
        const std::uint32_t first = count > 0 ? leaves[ref & 0xFFFFFFU].first : 0;
        for (std::uint32_t k = first; k < first + count; ++k) {
            const Segment &s = segments[k];
            const double dd = dot(s.d, s.d);
            const Vec ap = sub(p, s.a);
            const double t = dd > 0.0 ? std::clamp(dot(ap, s.d) / dd, 0.0, 1.0) : 0.0;
            const Vec q = add_scaled(s.a, t, s.d);
            const Vec pq = sub(p, q);
            const double lb = std::sqrt(dot(pq, pq)) - sagitta_bound(std::sqrt(dd));
            if (lb <= ub) {
                edges.push_back(s.edge);
            }
        }
    }
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());

    LineHit hit;
    hit.p_ecef = p;
    hit.distance_m = std::numeric_limits<double>::infinity();
    for (const std::uint32_t e : edges) {
        const auto &va = vertices[e];
        const auto &vb = vertices[e + 1];
        const EdgeFoot foot = nearest_on_geodesic_edge(va[0], va[1], vb[0], vb[1], lon, lat);
        keep_if_nearer(e, foot, hit);
    }
    return hit;
}

LineHit BorderIndex::nearest_brute_force(double lon, double lat) const {
    const geod_geodesic &g = wgs84_geodesic();
    const GeodesicRoutines &routines = geod(); // once, not per vertex
    const std::size_t n = vertices.size();
    // Distance and azimuth from every vertex to P.
    std::vector<double> dist(n);
    std::vector<double> azi(n);
    for (std::size_t i = 0; i < n; ++i) {
        double azi2 = 0.0;
        routines.inverse(&g, vertices[i][1], vertices[i][0], lat, lon, &dist[i], &azi[i], &azi2);
    }
    LineHit hit;
    hit.p_ecef = ecef_from_geodetic(lon, lat);
    hit.distance_m = std::numeric_limits<double>::infinity();
    auto consider = [&](std::uint32_t e, const EdgeFoot &foot) { keep_if_nearer(e, foot, hit); };
    for (std::uint32_t e = 0; e + 1 < n; ++e) {
        if (edge_first_segment[e] == edge_first_segment[e + 1]) {
            continue; // joins two parts
        }
        // The distance along a geodesic edge has an interior minimum only when P is ahead of
        // the start and behind the end; otherwise the nearer end is the minimum.
        const bool ahead_of_start = std::cos((azi[e] - edge_azimuth1_deg[e]) * deg) > 0.0;
        const bool behind_end = std::cos((azi[e + 1] - edge_azimuth2_deg[e]) * deg) < 0.0;
        if (ahead_of_start && behind_end) {
            const auto &va = vertices[e];
            const auto &vb = vertices[e + 1];
            consider(e, nearest_on_geodesic_edge(va[0], va[1], vb[0], vb[1], lon, lat));
        } else {
            const bool at_start = dist[e] <= dist[e + 1];
            const std::size_t v = at_start ? e : e + 1;
            EdgeFoot foot;
            foot.distance_m = dist[v];
            foot.along_m = at_start ? 0.0 : edge_length_m[e];
            foot.lon_deg = vertices[v][0];
            foot.lat_deg = vertices[v][1];
            if (foot.distance_m <= hit.distance_m) { // azimuth only for a new best
                double s12 = 0.0;
                double azi1 = 0.0;
                double azi2 = 0.0;
                routines.inverse(&g, lat, lon, vertices[v][1], vertices[v][0], &s12, &azi1, &azi2);
                foot.azimuth_deg = s12 > 0.0 ? normalize_azimuth_deg(azi1) : 0.0;
                consider(e, foot);
            }
        }
    }
    return hit;
}

int BorderIndex::line_side(const std::array<double, 3> &p, const LineHit &hit) const {
    const Segment &s = segments[hit.segment];
    if (hit.t > 0.0 && hit.t < 1.0) {
        return dot(sub(p, s.a), s.left) > 0.0 ? 1 : 0;
    }
    // At a vertex: combine the two segments that meet there.
    std::uint32_t in = hit.segment;
    std::uint32_t out = hit.segment;
    if (hit.t <= 0.0) {
        if ((s.flags & 1U) != 0U) {
            return -1;
        }
        in = hit.segment - 1;
    } else {
        if ((s.flags & 2U) != 0U) {
            return -1;
        }
        out = hit.segment + 1;
    }
    const Segment &si = segments[in];
    const Segment &so = segments[out];
    const Vec v = add_scaled(si.a, 1.0, si.d);
    const bool left_in = dot(sub(p, si.a), si.left) > 0.0;
    const bool left_out = dot(sub(p, v), so.left) > 0.0;
    const bool left_turn = dot(cross(si.d, so.d), so.n) > 0.0;
    return (left_turn ? (left_in && left_out) : (left_in || left_out)) ? 1 : 0;
}

const BorderPart &BorderIndex::part_of_edge(std::uint32_t edge) const {
    const auto it =
        std::upper_bound(parts.begin(), parts.end(), edge,
                         [](std::uint32_t e, const BorderPart &p) { return e < p.first_vertex; });
    return *(it - 1);
}

double BorderIndex::chainage_in_part_m(const LineHit &hit) const {
    const BorderPart &part = part_of_edge(segments[hit.segment].edge);
    return hit.chainage_m - vertex_chainage_m[part.first_vertex];
}

} // namespace borderwatch::detail
