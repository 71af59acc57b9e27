#pragma once
// The data behind a BorderEngine: the border's vertices and exact edges, the edges cut into
// short sub-segments (exact geodesic sub-arcs, so nothing is approximated by cutting), their
// ECEF geometry for the fast foot-point computation, and a bounding-volume hierarchy over
// consecutive sub-segments for the nearest-segment search.

#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/placement/border_engine.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace borderwatch::detail {

class ByteReader;
class ByteWriter;

/// A sub-segment: an exact piece (<= max_segment_m) of one geodesic edge. ECEF metres.
struct Segment {
    std::array<double, 3> a;     // start point (on the ellipsoid)
    std::array<double, 3> d;     // end - start
    std::array<double, 3> u;     // w / (d.w), w = d minus its normal component: t = (P-A).u
    std::array<double, 3> n;     // unit ellipsoid normal at the sub-arc's midpoint
    std::array<double, 3> left;  // unit vector n x d (points to the left of the line)
    std::array<double, 3> plane; // unit normal of the sub-arc's plane (d x n)
    double along0_m = 0.0;       // chainage of the start, metres
    double length_m = 0.0;       // exact geodesic length of the sub-arc, metres
    std::uint32_t edge = 0;      // index of the original edge
    std::uint32_t flags = 0; // bit 0: starts at its part's first vertex, bit 1: ends at its last
};

/// An inner node of the 4-wide bounding-volume hierarchy over consecutive sub-segments. Its
/// four children's boxes are stored as float lanes relative to BorderIndex::origin (so one
/// SIMD pass tests all four; float is exact enough there: < 0.13 m ulp within 2,000 km, and
/// the boxes are rounded outwards and padded). A child reference with the top bit set is a
/// leaf: bits 24-30 the segment count (0 = empty slot, its box is empty), bits 0-23 the leaf
/// number (index into BorderIndex::leaves).
struct alignas(64) BvhNode {
    std::array<float, 4> lo_x, lo_y, lo_z, hi_x, hi_y, hi_z;
    std::array<std::uint32_t, 4> child;
};

/// Longest sub-segment; longer geodesic edges are cut into equal exact sub-arcs. Fewer, longer
/// sub-segments mean fewer records to read per query (a far point meets every sub-segment
/// within its ranking margin); the closed-form foot's error grows with the length (measured on
/// edges of 40-100 km against the exact solve, chainage at points up to 30 km away: 0.003 mm at
/// 500 m, 0.025 mm at 5 km, 0.2 mm at 10 km, > 1 mm at 20 km).
inline constexpr double max_segment_m = 5000.0;

inline constexpr std::uint32_t bvh_leaf_bit = 0x80000000U;
/// "No sub-segment" for nearest_fast()'s near_segment.
inline constexpr std::uint32_t no_segment = 0xFFFFFFFFU;

/// A leaf's sub-segment chords as float lanes relative to BorderIndex::origin: one SIMD pass
/// gives every chord's distance to the query point to within a metre, so only the chords
/// that may hold the nearest foot are computed exactly (and their Segment touched at all).
struct alignas(64) LeafChords {
    std::array<float, 8> ax, ay, az; // chord start
    std::array<float, 8> dx, dy, dz; // chord vector
    std::array<float, 8> inv_dd;     // 1 / |d|^2 (0 for a zero-length chord)
    std::uint32_t first = 0;         // first sub-segment of the leaf
};

/// One line of the border (a border is a set of lines; most have one). Its vertices are
/// BorderIndex::vertices [first_vertex, the next part's first_vertex); the edge joining the
/// last vertex of one part to the first of the next is not part of the border (it has no
/// sub-segments and zero length, so the cumulative chainage runs on across it).
struct BorderPart {
    std::uint32_t first_vertex = 0;
    std::uint32_t border = 0; ///< index into BorderIndex::part_borders
    std::uint32_t number = 1; ///< 1-based number of the part within its border
};

/// The country pair a part belongs to (world mode: many pairs in one index).
struct PartBorder {
    std::string id;    ///< "FRA-DEU"
    std::string left;  ///< ISO3 on the left of the part's direction
    std::string right; ///< ISO3 on the right
};

/// The nearest point found on the line, with where it lies.
/// A vertex of the line with the edges that meet there (none before a part's first vertex,
/// none after its last).
struct Corner {
    std::uint32_t vertex = 0;
    bool has_in = false;  ///< edge vertex - 1 arrives here
    bool has_out = false; ///< edge vertex leaves here
};

struct LineHit {
    double distance_m = 0.0;
    double lon = 0.0;
    double lat = 0.0;
    double chainage_m = 0.0;
    double bearing_deg = 0.0;
    std::uint32_t segment = 0;         // sub-segment holding the foot
    double t = 0.0;                    // position on the sub-segment chord, [0, 1]
    std::array<double, 3> p_ecef{};    // the query point
    std::array<double, 3> foot_ecef{}; // the nearest point (fast path only)
};

struct BorderIndex {
    BorderInfo info;
    std::vector<std::array<double, 2>> vertices; // lon, lat
    /// The parts, by first_vertex (the first starts at 0); empty before build() = one part
    /// of border 0 (info's id and sides).
    std::vector<BorderPart> parts;
    std::vector<PartBorder> part_borders;
    std::vector<double> vertex_chainage_km;
    std::vector<double> vertex_chainage_m;
    std::vector<double> edge_length_m;
    std::vector<double> edge_azimuth1_deg;         // at the edge start
    std::vector<double> edge_azimuth2_deg;         // forward azimuth at the edge end
    std::vector<std::uint32_t> edge_first_segment; // first sub-segment of each edge (+ sentinel)
    std::vector<Segment> segments;
    std::vector<BvhNode> nodes; // nodes[0] is the root
    std::vector<LeafChords> leaves;
    std::array<double, 3> origin{}; // ECEF origin of the node boxes
    /// Start bound of the search: per lon/lat cell around the line, an upper bound (metres)
    /// of the 3D chord distance from any point of the cell to the line (empty: no grid).
    std::vector<float> hint_chord_m;
    double hint_lon0 = 0.0;
    double hint_lat0 = 0.0;
    double hint_step_deg = 1.0;
    std::size_t hint_nx = 0;
    std::size_t hint_ny = 0;
    double build_ms = 0.0;

    /// Build everything from the vertices (info.id/left/right/source already set).
    void build();

    /// Append what build() computed to @p out (the geodata cache's payload).
    void save(ByteWriter &out) const;
    /// Take what build() would compute from @p in, written by save() for the same vertices
    /// (info's id, sides and source stay as set); with @p take_line, the line itself too
    /// (vertices, parts, part_borders, id, sides, source: nothing need be read before).
    /// @throws CacheFormatError if @p in was saved for other vertices or does not hold a
    ///         saved index
    void restore(ByteReader &in, bool take_line = false);

    /// Fill the hint grid (after the BVH).
    void build_hint_grid();
    /// The fast search's ranking distance to the nearest sub-segment: min over sub-segments
    /// of the 3D chord from @p p (ECEF) to its foot (segment_foot), metres; no geodesic.
    /// @param near_segment a sub-segment near @p p whose foot bounds the search from the
    ///        start (no_segment: none); set to the nearest one
    [[nodiscard]] double nearest_foot_chord_m(const std::array<double, 3> &p,
                                              std::uint32_t &near_segment) const;
    /// Fast path (see border_engine.cpp).
    /// @param near_segment a sub-segment near the point, whose foot bounds the search from
    ///        the start (the same answer, found sooner), or none
    [[nodiscard]] LineHit nearest_fast(double lon, double lat,
                                       std::uint32_t near_segment = no_segment) const;
    /// Far points: exact minimisation over the fast search's candidates.
    [[nodiscard]] LineHit nearest_far(double lon, double lat, const std::array<double, 3> &p,
                                      const void *candidates, std::size_t count, double thr2) const;
    /// The vertex a far candidate's foot lies on (chord parameter @p t on @p segment), if any.
    [[nodiscard]] std::optional<Corner> corner_at(std::uint32_t segment, double t) const;
    /// Whether the vertex of @p corner is the nearest point of both its edges to P (then
    /// @p hit keeps it when nearer; P is hit.p_ecef): one geodesic V -> P, in closed form
    /// (short_geodesic) unless P is beyond its reach or nearly on an edge's perpendicular.
    [[nodiscard]] bool solve_corner(const Corner &corner, double lon, double lat,
                                    LineHit &hit) const;
    /// ECEF of a vertex (where its sub-segments start or end).
    [[nodiscard]] std::array<double, 3> vertex_ecef(std::uint32_t vertex) const;
    /// Far fast-path hits: exact distance and one exact Newton step for the foot. False when
    /// the foot is at a vertex it may not be, or the step crosses a vertex (then use nearest_far).
    [[nodiscard]] bool refine_far_foot(double lon, double lat, LineHit &hit) const;
    /// A lower bound (metres) of the geodesic distance from the point to the line: the 3D
    /// chord distance to the top level's boxes (a chord is never longer than the geodesic).
    [[nodiscard]] double distance_lower_bound_m(double lon, double lat) const;
    /// Exact minimisation over every edge a rigorous lower bound cannot exclude.
    [[nodiscard]] LineHit nearest_exact(double lon, double lat) const;
    /// Exact minimisation over every edge, no index.
    [[nodiscard]] LineHit nearest_brute_force(double lon, double lat) const;

    /// Which side of the line (true = left) the point is on, judged at the hit; nullopt-like
    /// -1 when the hit is at either end of the border. 1 = left, 0 = right.
    [[nodiscard]] int line_side(const std::array<double, 3> &p, const LineHit &hit) const;

    /// The part holding edge @p edge.
    [[nodiscard]] const BorderPart &part_of_edge(std::uint32_t edge) const;
    /// Chainage (metres) of @p hit along its own part, from the part's first vertex.
    [[nodiscard]] double chainage_in_part_m(const LineHit &hit) const;

    /// Sub-segment and chord parameter of an exact foot given by edge and along-edge metres.
    void locate_on_segments(std::uint32_t edge, double along_m, LineHit &hit) const;

    /// Keep @p foot on @p edge in @p hit if it is nearer (ties: the smaller chainage, so the
    /// answer does not depend on the order candidates are visited).
    void keep_if_nearer(std::uint32_t edge, const EdgeFoot &foot, LineHit &hit) const;
};

} // namespace borderwatch::detail
