#include "geodata/detail/polygon_grid.hpp"

#include "geodata/byte_io.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <utility>

namespace borderwatch::detail {

namespace {

constexpr std::uint32_t max_edges_per_leaf = 8;
constexpr int max_depth = 5;

inline double orient(double ax, double ay, double bx, double by, double cx, double cy) {
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

// Does the segment C->P cross edge a-b? Points exactly on a line count as being on its
// non-positive side (a consistent symbolic perturbation), so crossings through a shared
// vertex are counted exactly once.
inline bool crosses(double cx, double cy, double px, double py, double ax, double ay, double bx,
                    double by) {
    const bool sa = orient(cx, cy, px, py, ax, ay) > 0.0;
    const bool sb = orient(cx, cy, px, py, bx, by) > 0.0;
    if (sa == sb) {
        return false;
    }
    const bool sc = orient(ax, ay, bx, by, cx, cy) > 0.0;
    const bool sp = orient(ax, ay, bx, by, px, py) > 0.0;
    return sc != sp;
}

// Conservative segment/rectangle overlap (bounding boxes, then the rectangle's corners
// against the segment's line).
inline bool segment_touches_rect(double x1, double y1, double x2, double y2, double rx0, double ry0,
                                 double rx1, double ry1) {
    if (std::max(x1, x2) < rx0 || std::min(x1, x2) > rx1 || std::max(y1, y2) < ry0 ||
        std::min(y1, y2) > ry1) {
        return false;
    }
    const double o1 = orient(x1, y1, x2, y2, rx0, ry0);
    const double o2 = orient(x1, y1, x2, y2, rx1, ry0);
    const double o3 = orient(x1, y1, x2, y2, rx0, ry1);
    const double o4 = orient(x1, y1, x2, y2, rx1, ry1);
    return !((o1 > 0 && o2 > 0 && o3 > 0 && o4 > 0) || (o1 < 0 && o2 < 0 && o3 < 0 && o4 < 0));
}

// Toggle-set of owners (few distinct owners meet in one cell).
class OwnerParity {
  public:
    void flip(std::uint32_t owner) {
        for (std::size_t i = 0; i < m_owners.size(); ++i) {
            if (m_owners[i] == owner) {
                m_owners[i] = m_owners.back();
                m_owners.pop_back();
                return;
            }
        }
        m_owners.push_back(owner);
    }
    [[nodiscard]] std::uint32_t result() const {
        return m_owners.empty() ? PolygonGrid::none : m_owners.back();
    }
    void clear() { m_owners.clear(); }

  private:
    std::vector<std::uint32_t> m_owners;
};

} // namespace

PolygonGrid::PolygonGrid(const Owners &owners) {
    build(owners);
    view_own_arrays();
}

void PolygonGrid::view_own_arrays() noexcept {
    m_edge_data = m_edges.data();
    m_edge_count = m_edges.size();
    m_cell_data = m_cells.data();
    m_cell_count = m_cells.size();
    m_ref_data = m_refs.data();
    m_ref_count = m_refs.size();
    m_bucket_first_data = m_bucket_first.data();
    m_bucket_first_count = m_bucket_first.size();
    m_bucket_edge_data = m_bucket_edges.data();
    m_bucket_edge_count = m_bucket_edges.size();
}

std::vector<PolygonGrid::Ring> PolygonGrid::owner_lines(std::uint32_t owner) const {
    std::vector<Ring> lines;
    if (owner >= m_owner_edges.size()) {
        return lines;
    }
    const auto &ext = m_owner_edges[owner];
    // An owner's edges are stored ring by ring, each joining the previous one's end.
    for (std::uint32_t k = ext.first; k < ext.first + ext.count; ++k) {
        const Edge &e = m_edge_data[k];
        if (lines.empty() || lines.back().back() != std::array<double, 2>{e.x1, e.y1}) {
            lines.push_back({{e.x1, e.y1}});
        }
        lines.back().push_back({e.x2, e.y2});
    }
    return lines;
}

void PolygonGrid::build(const Owners &owners) {
    double xmin = std::numeric_limits<double>::infinity();
    double ymin = xmin;
    double xmax = -xmin;
    double ymax = -xmin;
    m_owner_edges.resize(owners.size());
    for (std::uint32_t o = 0; o < owners.size(); ++o) {
        auto &ext = m_owner_edges[o];
        ext.first = static_cast<std::uint32_t>(m_edges.size());
        ext.xmin = ext.ymin = std::numeric_limits<double>::infinity();
        ext.xmax = ext.ymax = -std::numeric_limits<double>::infinity();
        for (const auto &polygon : owners[o]) {
            for (const auto &ring : polygon) {
                if (ring.size() < 3) {
                    continue;
                }
                for (std::size_t i = 0; i < ring.size(); ++i) {
                    const auto &a = ring[i];
                    const auto &b = ring[(i + 1) % ring.size()]; // closes open rings
                    if (a == b) {
                        continue;
                    }
                    m_edges.push_back({a[0], a[1], b[0], b[1], o});
                    ext.xmin = std::min(ext.xmin, a[0]);
                    ext.xmax = std::max(ext.xmax, a[0]);
                    ext.ymin = std::min(ext.ymin, a[1]);
                    ext.ymax = std::max(ext.ymax, a[1]);
                }
            }
        }
        ext.count = static_cast<std::uint32_t>(m_edges.size()) - ext.first;
        if (ext.count > 0) {
            xmin = std::min(xmin, ext.xmin);
            xmax = std::max(xmax, ext.xmax);
            ymin = std::min(ymin, ext.ymin);
            ymax = std::max(ymax, ext.ymax);
        }
    }
    if (m_edges.empty()) {
        m_nx = m_ny = 1;
        m_cells.resize(1);
        return;
    }

    // Root grid: about one cell per 8 edges, square cells in degrees.
    const double pad = 1e-7;
    xmin -= pad;
    ymin -= pad;
    xmax += pad;
    ymax += pad;
    const double target = std::clamp(static_cast<double>(m_edges.size()) / 8.0, 1.0, 262144.0);
    const double size = std::sqrt((xmax - xmin) * (ymax - ymin) / target);
    m_nx = std::max(1, static_cast<int>(std::ceil((xmax - xmin) / size)));
    m_ny = std::max(1, static_cast<int>(std::ceil((ymax - ymin) / size)));
    m_x0 = xmin;
    m_y0 = ymin;
    m_cw = (xmax - xmin) / m_nx;
    m_ch = (ymax - ymin) / m_ny;
    m_cells.resize(static_cast<std::size_t>(m_nx) * static_cast<std::size_t>(m_ny));

    // Owner at each root cell centre: scanline along the row of centres (even-odd rule).
    std::vector<std::vector<std::pair<double, std::uint32_t>>> rows(static_cast<std::size_t>(m_ny));
    for (const auto &e : m_edges) {
        const double lo = std::min(e.y1, e.y2);
        const double hi = std::max(e.y1, e.y2);
        const int j0 = std::max(0, static_cast<int>(std::floor((lo - m_y0) / m_ch - 0.5)));
        const int j1 = std::min(m_ny - 1, static_cast<int>(std::ceil((hi - m_y0) / m_ch - 0.5)));
        for (int j = j0; j <= j1; ++j) {
            const double yc = m_y0 + (j + 0.5) * m_ch;
            if ((e.y1 <= yc) != (e.y2 <= yc)) {
                const double x = e.x1 + (yc - e.y1) * (e.x2 - e.x1) / (e.y2 - e.y1);
                rows[static_cast<std::size_t>(j)].emplace_back(x, e.owner);
            }
        }
    }
    OwnerParity parity;
    for (int j = 0; j < m_ny; ++j) {
        auto &row = rows[static_cast<std::size_t>(j)];
        std::sort(row.begin(), row.end());
        parity.clear();
        std::size_t k = 0;
        for (int i = 0; i < m_nx; ++i) {
            const double xc = m_x0 + (i + 0.5) * m_cw;
            while (k < row.size() && row[k].first < xc) {
                parity.flip(row[k].second);
                ++k;
            }
            m_cells[static_cast<std::size_t>(j) * m_nx + i].owner = parity.result();
        }
    }
    rows.clear();

    // Edges of each root cell (counting pass, then fill).
    std::vector<std::uint32_t> counts(m_cells.size() + 1, 0);
    auto for_cells_of_edge = [&](const Edge &e, auto &&fn) {
        const int i0 = std::clamp(
            static_cast<int>(std::floor((std::min(e.x1, e.x2) - m_x0) / m_cw)), 0, m_nx - 1);
        const int i1 = std::clamp(
            static_cast<int>(std::floor((std::max(e.x1, e.x2) - m_x0) / m_cw)), 0, m_nx - 1);
        const int j0 = std::clamp(
            static_cast<int>(std::floor((std::min(e.y1, e.y2) - m_y0) / m_ch)), 0, m_ny - 1);
        const int j1 = std::clamp(
            static_cast<int>(std::floor((std::max(e.y1, e.y2) - m_y0) / m_ch)), 0, m_ny - 1);
        for (int j = j0; j <= j1; ++j) {
            for (int i = i0; i <= i1; ++i) {
                const double rx0 = m_x0 + i * m_cw;
                const double ry0 = m_y0 + j * m_ch;
                if (i0 == i1 || j0 == j1 ||
                    segment_touches_rect(e.x1, e.y1, e.x2, e.y2, rx0, ry0, rx0 + m_cw,
                                         ry0 + m_ch)) {
                    fn(static_cast<std::size_t>(j) * m_nx + i);
                }
            }
        }
    };
    for (const auto &e : m_edges) {
        for_cells_of_edge(e, [&](std::size_t c) { ++counts[c]; });
    }
    std::uint32_t running = 0;
    for (std::size_t c = 0; c < m_cells.size(); ++c) {
        m_cells[c].first = running;
        m_cells[c].count = 0;
        running += counts[c];
    }
    m_refs.resize(running);
    for (std::uint32_t idx = 0; idx < m_edges.size(); ++idx) {
        for_cells_of_edge(m_edges[idx], [&](std::size_t c) {
            auto &cell = m_cells[c];
            m_refs[cell.first + cell.count++] = idx;
        });
    }

    // Buckets for nearest-boundary queries (0.05 degree cells over the edges' extent).
    m_bx0 = xmin;
    m_by0 = ymin;
    m_bnx = std::max(1, static_cast<int>(std::ceil((xmax - xmin) / m_bsize)));
    m_bny = std::max(1, static_cast<int>(std::ceil((ymax - ymin) / m_bsize)));
    if (static_cast<double>(m_bnx) * m_bny > 4e6) { // huge extent: coarser buckets
        m_bsize = std::sqrt((xmax - xmin) * (ymax - ymin) / 4e6);
        m_bnx = std::max(1, static_cast<int>(std::ceil((xmax - xmin) / m_bsize)));
        m_bny = std::max(1, static_cast<int>(std::ceil((ymax - ymin) / m_bsize)));
    }
    {
        const std::size_t nb = static_cast<std::size_t>(m_bnx) * static_cast<std::size_t>(m_bny);
        std::vector<std::uint32_t> bcount(nb + 1, 0);
        auto for_buckets = [&](const Edge &e, auto &&fn) {
            const int i0 = std::clamp(static_cast<int>((std::min(e.x1, e.x2) - m_bx0) / m_bsize), 0,
                                      m_bnx - 1);
            const int i1 = std::clamp(static_cast<int>((std::max(e.x1, e.x2) - m_bx0) / m_bsize), 0,
                                      m_bnx - 1);
            const int j0 = std::clamp(static_cast<int>((std::min(e.y1, e.y2) - m_by0) / m_bsize), 0,
                                      m_bny - 1);
            const int j1 = std::clamp(static_cast<int>((std::max(e.y1, e.y2) - m_by0) / m_bsize), 0,
                                      m_bny - 1);
            for (int j = j0; j <= j1; ++j) {
                for (int i = i0; i <= i1; ++i) {
                    fn(static_cast<std::size_t>(j) * static_cast<std::size_t>(m_bnx) +
                       static_cast<std::size_t>(i));
                }
            }
        };
        for (const auto &e : m_edges) {
            for_buckets(e, [&](std::size_t b) { ++bcount[b]; });
        }
        m_bucket_first.assign(nb + 1, 0);
        for (std::size_t b = 0; b < nb; ++b) {
            m_bucket_first[b + 1] = m_bucket_first[b] + bcount[b];
        }
        m_bucket_edges.resize(m_bucket_first[nb]);
        std::vector<std::uint32_t> fill(m_bucket_first.begin(), m_bucket_first.end() - 1);
        for (std::uint32_t idx = 0; idx < m_edges.size(); ++idx) {
            for_buckets(m_edges[idx], [&](std::size_t b) { m_bucket_edges[fill[b]++] = idx; });
        }
    }

    // Refine crowded cells.
    const std::size_t root_cells = m_cells.size();
    for (std::size_t c = 0; c < root_cells; ++c) {
        if (m_cells[c].count > max_edges_per_leaf) {
            const int i = static_cast<int>(c % static_cast<std::size_t>(m_nx));
            const int j = static_cast<int>(c / static_cast<std::size_t>(m_nx));
            subdivide(static_cast<std::uint32_t>(c), m_x0 + i * m_cw, m_y0 + j * m_ch, m_cw, m_ch,
                      1);
        }
    }
}

void PolygonGrid::subdivide(std::uint32_t cell_index, double x0, double y0, double w, double h,
                            int depth) {
    const Cell parent = m_cells[cell_index];
    const double pcx = x0 + 0.5 * w;
    const double pcy = y0 + 0.5 * h;
    const double sw = w / 4.0;
    const double sh = h / 4.0;
    const auto first_child = static_cast<std::int32_t>(m_cells.size());
    m_cells.resize(m_cells.size() + 16);
    for (int cj = 0; cj < 4; ++cj) {
        for (int ci = 0; ci < 4; ++ci) {
            const double rx0 = x0 + ci * sw;
            const double ry0 = y0 + cj * sh;
            Cell child;
            view_own_arrays(); // resolve() reads the views; the vectors grow meanwhile
            child.owner = resolve(parent, pcx, pcy, rx0 + 0.5 * sw, ry0 + 0.5 * sh);
            child.first = static_cast<std::uint32_t>(m_refs.size());
            for (std::uint32_t k = 0; k < parent.count; ++k) {
                const std::uint32_t idx = m_refs[parent.first + k];
                const Edge &e = m_edges[idx];
                if (segment_touches_rect(e.x1, e.y1, e.x2, e.y2, rx0, ry0, rx0 + sw, ry0 + sh)) {
                    m_refs.push_back(idx);
                }
            }
            child.count = static_cast<std::uint32_t>(m_refs.size()) - child.first;
            m_cells[static_cast<std::size_t>(first_child) + static_cast<std::size_t>(cj * 4 + ci)] =
                child;
        }
    }
    m_cells[cell_index].child = first_child;
    if (depth >= max_depth) {
        return;
    }
    for (int cj = 0; cj < 4; ++cj) {
        for (int ci = 0; ci < 4; ++ci) {
            const auto idx = static_cast<std::uint32_t>(first_child + cj * 4 + ci);
            if (m_cells[idx].count > max_edges_per_leaf) {
                subdivide(idx, x0 + ci * sw, y0 + cj * sh, sw, sh, depth + 1);
            }
        }
    }
}

std::uint32_t PolygonGrid::resolve(const Cell &cell, double cx, double cy, double x,
                                   double y) const {
    // Small fixed buffer: a leaf sees very few distinct owners.
    std::array<std::uint32_t, 8> owners{};
    std::size_t n = 0;
    std::vector<std::uint32_t> overflow;
    auto flip = [&](std::uint32_t owner) {
        for (std::size_t i = 0; i < n; ++i) {
            if (owners[i] == owner) {
                owners[i] = owners[--n];
                return;
            }
        }
        if (n < owners.size()) {
            owners[n++] = owner;
        } else {
            auto it = std::find(overflow.begin(), overflow.end(), owner);
            if (it != overflow.end()) {
                overflow.erase(it);
            } else {
                overflow.push_back(owner);
            }
        }
    };
    if (cell.owner != none) {
        flip(cell.owner);
    }
    for (std::uint32_t k = 0; k < cell.count; ++k) {
        const Edge &e = m_edge_data[m_ref_data[cell.first + k]];
        if (crosses(cx, cy, x, y, e.x1, e.y1, e.x2, e.y2)) {
            flip(e.owner);
        }
    }
    if (n > 0) {
        return owners[n - 1];
    }
    return overflow.empty() ? none : overflow.back();
}

std::uint32_t PolygonGrid::owner_at(double x, double y) const {
    if (m_edge_count == 0 || !(x >= m_x0) || !(y >= m_y0)) {
        return none;
    }
    const double fx = (x - m_x0) / m_cw;
    const double fy = (y - m_y0) / m_ch;
    if (fx >= m_nx || fy >= m_ny) {
        return none;
    }
    int i = static_cast<int>(fx);
    int j = static_cast<int>(fy);
    double cx0 = m_x0 + i * m_cw;
    double cy0 = m_y0 + j * m_ch;
    double w = m_cw;
    double h = m_ch;
    // The point's place within the cell in cell units: times 4 per level (exact), its whole
    // part the child; no division per level.
    double rx = fx - i;
    double ry = fy - j;
    const Cell *cell = &m_cell_data[static_cast<std::size_t>(j) * m_nx + i];
    while (cell->child >= 0) {
        w /= 4.0;
        h /= 4.0;
        rx *= 4.0;
        ry *= 4.0;
        const int ci = std::min(static_cast<int>(rx), 3);
        const int cj = std::min(static_cast<int>(ry), 3);
        rx -= ci;
        ry -= cj;
        cx0 += ci * w;
        cy0 += cj * h;
        cell = &m_cell_data[static_cast<std::size_t>(cell->child) +
                            static_cast<std::size_t>(cj * 4 + ci)];
    }
    if (cell->count == 0) {
        return cell->owner;
    }
    return resolve(*cell, cx0 + 0.5 * w, cy0 + 0.5 * h, x, y);
}

void PolygonGrid::save(ByteWriter &out) const {
    // Edge has padding after its owner: copy through zeroed records so equal indexes give
    // equal bytes.
    std::vector<Edge> edges(m_edge_count);
    std::memset(static_cast<void *>(edges.data()), 0, edges.size() * sizeof(Edge));
    for (std::size_t i = 0; i < m_edge_count; ++i) {
        edges[i].x1 = m_edge_data[i].x1;
        edges[i].y1 = m_edge_data[i].y1;
        edges[i].x2 = m_edge_data[i].x2;
        edges[i].y2 = m_edge_data[i].y2;
        edges[i].owner = m_edge_data[i].owner;
    }
    out.put_array(edges);
    out.put_array(m_owner_edges);
    out.put_array(m_cell_data, m_cell_count);
    out.put_array(m_ref_data, m_ref_count);
    out.put_array(m_bucket_first_data, m_bucket_first_count);
    out.put_array(m_bucket_edge_data, m_bucket_edge_count);
    for (const double v : {m_bx0, m_by0, m_bsize, m_x0, m_y0, m_cw, m_ch}) {
        out.put(v);
    }
    for (const int v : {m_bnx, m_bny, m_nx, m_ny}) {
        out.put(static_cast<std::int32_t>(v));
    }
}

PolygonGrid PolygonGrid::restore(ByteReader &in) {
    PolygonGrid g;
    g.m_edge_data = in.get_view(g.m_edges, g.m_edge_count);
    g.m_owner_edges = in.get_array<OwnerExtent>();
    g.m_cell_data = in.get_view(g.m_cells, g.m_cell_count);
    g.m_ref_data = in.get_view(g.m_refs, g.m_ref_count);
    g.m_bucket_first_data = in.get_view(g.m_bucket_first, g.m_bucket_first_count);
    g.m_bucket_edge_data = in.get_view(g.m_bucket_edges, g.m_bucket_edge_count);
    g.m_keep = in.owner();
    for (double *v : {&g.m_bx0, &g.m_by0, &g.m_bsize, &g.m_x0, &g.m_y0, &g.m_cw, &g.m_ch}) {
        *v = in.get<double>();
    }
    for (int *v : {&g.m_bnx, &g.m_bny, &g.m_nx, &g.m_ny}) {
        *v = in.get<std::int32_t>();
    }
    // The payload passed its checksum, so it is what a build of this version wrote; these
    // cheap checks only catch a layout changed without bumping geodata_cache_format.
    const auto cells = static_cast<std::size_t>(std::max(g.m_nx, 0)) *
                       static_cast<std::size_t>(std::max(g.m_ny, 0));
    const auto buckets = static_cast<std::size_t>(std::max(g.m_bnx, 0)) *
                         static_cast<std::size_t>(std::max(g.m_bny, 0));
    if (g.m_nx < 1 || g.m_ny < 1 || g.m_cell_count < cells || g.m_bnx < 0 || g.m_bny < 0 ||
        (buckets > 0 && g.m_bucket_first_count != buckets + 1) ||
        (g.m_bucket_first_count > 0 &&
         g.m_bucket_first_data[g.m_bucket_first_count - 1] > g.m_bucket_edge_count)) {
        throw CacheFormatError("polygon index inconsistent");
    }
    return g;
}

} // namespace borderwatch::detail
