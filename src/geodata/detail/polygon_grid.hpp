#pragma once
// Point-in-polygon index for a set of non-overlapping polygon "owners" (a country, a
// district; each may have several parts and holes), in planar lon/lat.
//
// A grid of cells (refined 4x4 where a cell holds many edges) stores, per cell, the owner
// containing the cell centre and the edges crossing the cell. A query walks the segment
// from the cell centre to the point and flips ownership at every edge it crosses (even-odd
// rule), so it touches only the few edges of one small cell.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace borderwatch::detail {

class ByteReader;
class ByteWriter;

class PolygonGrid {
  public:
    using Ring = std::vector<std::array<double, 2>>;
    /// Owner -> polygons -> rings (first outer, then holes; closed or not).
    using Owners = std::vector<std::vector<std::vector<Ring>>>;
    static constexpr std::uint32_t none = 0xffffffffU;

    explicit PolygonGrid(const Owners &owners);
    PolygonGrid(PolygonGrid &&) noexcept = default;
    PolygonGrid &operator=(PolygonGrid &&) noexcept = default;
    PolygonGrid(const PolygonGrid &) = delete; // the views would point into the original
    PolygonGrid &operator=(const PolygonGrid &) = delete;
    ~PolygonGrid() = default;

    /// Append the whole index to @p out (the geodata cache's payload); restore() gives an
    /// index that answers every query exactly as this one.
    void save(ByteWriter &out) const;
    /// The large arrays are used in place in @p in's bytes when they are aligned (a mapped
    /// cache file, kept alive through in.owner()), else copied.
    /// @throws CacheFormatError if @p in does not hold a saved index
    [[nodiscard]] static PolygonGrid restore(ByteReader &in);

    /// Index of the owner containing (x, y) = (lon, lat), or none.
    [[nodiscard]] std::uint32_t owner_at(double x, double y) const;

    /// The owner whose boundary is nearest to (lon, lat) within @p max_m metres among those
    /// accepted by @p accept (local planar metric scaled at the point's latitude; good to
    /// ~0.5 % at a few km), or none.
    template <class Accept>
    [[nodiscard]] std::uint32_t nearest_owner(double lon, double lat, double max_m,
                                              Accept &&accept) const;

    [[nodiscard]] std::size_t owner_count() const noexcept { return m_owner_edges.size(); }
    /// The boundary of owner @p owner as lines (each ring closed, its first vertex repeated).
    [[nodiscard]] std::vector<Ring> owner_lines(std::uint32_t owner) const;
    [[nodiscard]] std::size_t edge_count() const noexcept { return m_edge_count; }
    [[nodiscard]] std::size_t cell_count() const noexcept { return m_cell_count; }

  private:
    PolygonGrid() = default;
    struct Edge {
        double x1, y1, x2, y2;
        std::uint32_t owner;
    };
    struct Cell {
        std::uint32_t owner = none; // owner at the cell centre
        std::uint32_t first = 0;    // leaf: edge refs [first, first + count) in m_refs
        std::uint32_t count = 0;
        std::int32_t child = -1; // first of 16 children (row-major 4x4), or -1 for a leaf
    };
    struct OwnerExtent {
        std::uint32_t first = 0, count = 0;
        double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    };

    void build(const Owners &owners);
    void view_own_arrays() noexcept;
    void subdivide(std::uint32_t cell_index, double x0, double y0, double w, double h, int depth);
    [[nodiscard]] std::uint32_t resolve(const Cell &cell, double cx, double cy, double x,
                                        double y) const;

    std::vector<Edge> m_edges;
    std::vector<OwnerExtent> m_owner_edges;
    std::vector<Cell> m_cells; // root grid first (m_nx * m_ny), then children blocks
    std::vector<std::uint32_t> m_refs;
    // Uniform buckets of edges for nearest-boundary queries.
    std::vector<std::uint32_t> m_bucket_first; // per bucket + sentinel
    std::vector<std::uint32_t> m_bucket_edges;
    double m_bx0 = 0, m_by0 = 0, m_bsize = 0.05;
    int m_bnx = 0, m_bny = 0;
    double m_x0 = 0, m_y0 = 0, m_cw = 1, m_ch = 1;
    int m_nx = 0, m_ny = 0;
    // What the queries read: the vectors above (after construction), or the same arrays in
    // a memory-mapped cache file (after restore(); m_keep keeps the mapping).
    const Edge *m_edge_data = nullptr;
    std::size_t m_edge_count = 0;
    const Cell *m_cell_data = nullptr;
    std::size_t m_cell_count = 0;
    const std::uint32_t *m_ref_data = nullptr;
    std::size_t m_ref_count = 0;
    const std::uint32_t *m_bucket_first_data = nullptr;
    std::size_t m_bucket_first_count = 0;
    const std::uint32_t *m_bucket_edge_data = nullptr;
    std::size_t m_bucket_edge_count = 0;
    std::shared_ptr<const void> m_keep;
};

template <class Accept>
std::uint32_t PolygonGrid::nearest_owner(double lon, double lat, double max_m,
                                         Accept &&accept) const {
    if (m_bnx == 0) {
        return none;
    }
    constexpr double m_per_deg_lat = 110574.0;
    const double m_per_deg_lon = std::max(1.0, 111320.0 * std::cos(lat * 0.017453292519943295));
    const int i0 =
        std::max(0, static_cast<int>(std::floor((lon - max_m / m_per_deg_lon - m_bx0) / m_bsize)));
    const int i1 = std::min(
        m_bnx - 1, static_cast<int>(std::floor((lon + max_m / m_per_deg_lon - m_bx0) / m_bsize)));
    const int j0 =
        std::max(0, static_cast<int>(std::floor((lat - max_m / m_per_deg_lat - m_by0) / m_bsize)));
    const int j1 = std::min(
        m_bny - 1, static_cast<int>(std::floor((lat + max_m / m_per_deg_lat - m_by0) / m_bsize)));
    double best2 = max_m * max_m;
    std::uint32_t best = none;
    for (int j = j0; j <= j1; ++j) {
        for (int i = i0; i <= i1; ++i) {
            const std::size_t b = static_cast<std::size_t>(j) * static_cast<std::size_t>(m_bnx) +
                                  static_cast<std::size_t>(i);
            for (std::uint32_t k = m_bucket_first_data[b]; k < m_bucket_first_data[b + 1]; ++k) {
                const Edge &e = m_edge_data[m_bucket_edge_data[k]];
                const double ax = (e.x1 - lon) * m_per_deg_lon;
                const double ay = (e.y1 - lat) * m_per_deg_lat;
                const double dx = (e.x2 - lon) * m_per_deg_lon - ax;
                const double dy = (e.y2 - lat) * m_per_deg_lat - ay;
                const double len2 = dx * dx + dy * dy;
                const double t =
                    len2 > 0.0 ? std::clamp(-(ax * dx + ay * dy) / len2, 0.0, 1.0) : 0.0;
                const double qx = ax + t * dx;
                const double qy = ay + t * dy;
                const double d2 = qx * qx + qy * qy;
                if (d2 <= best2 && accept(e.owner)) {
                    best2 = d2;
                    best = e.owner;
                }
            }
        }
    }
    return best;
}

} // namespace borderwatch::detail
