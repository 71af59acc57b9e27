#include "placement/detail/country_coasts.hpp"

#include <borderwatch/geodesy/geodesic.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace borderwatch::detail {

namespace {

// The smallest radius of curvature of the WGS84 ellipsoid (meridional, at the equator) is
// 6,335 km; a geodesic between two points bulges out of their chord by at most c^2 / (8 r).
constexpr double k_min_curvature_m = 6.3e6;

double box_distance(const std::array<double, 3> &p, const std::array<double, 3> &lo,
                    const std::array<double, 3> &hi) {
    double d2 = 0.0;
    for (int i = 0; i < 3; ++i) {
        const double d = std::max({lo[i] - p[i], 0.0, p[i] - hi[i]});
        d2 += d * d;
    }
    return std::sqrt(d2);
}

} // namespace

CountryCoasts::CountryCoasts(std::shared_ptr<const ReferencePolygons> polygons)
    : m_polygons(std::move(polygons)) {
    const std::size_t n = m_polygons->country_count();
    constexpr double inf = std::numeric_limits<double>::infinity();
    m_boxes.assign(n, Box{{inf, inf, inf}, {-inf, -inf, -inf}});
    for (std::size_t k = 0; k < n; ++k) {
        Box &box = m_boxes[k];
        double longest = 0.0;
        for (const auto &line : m_polygons->country_lines(k)) {
            std::array<double, 3> previous{};
            for (std::size_t i = 0; i < line.size(); ++i) {
                const auto e = ecef_from_geodetic(line[i][0], line[i][1]);
                for (int c = 0; c < 3; ++c) {
                    box.lo[c] = std::min(box.lo[c], e[c]);
                    box.hi[c] = std::max(box.hi[c], e[c]);
                }
                if (i > 0) {
                    const double dx = e[0] - previous[0];
                    const double dy = e[1] - previous[1];
                    const double dz = e[2] - previous[2];
                    longest = std::max(longest, std::sqrt(dx * dx + dy * dy + dz * dz));
                }
                previous = e;
            }
        }
        const double pad = longest * longest / (8.0 * k_min_curvature_m) + 1.0;
        for (int c = 0; c < 3; ++c) {
            box.lo[c] -= pad;
            box.hi[c] += pad;
        }
    }
    m_once = std::make_unique<std::once_flag[]>(n);
    m_index.resize(n);
}

const BorderIndex &CountryCoasts::index(std::size_t k) const {
    std::call_once(m_once[k], [&] {
        auto idx = std::make_unique<BorderIndex>();
        const std::string iso3(m_polygons->country_iso3(k));
        idx->info.id = iso3;
        idx->part_borders.push_back({iso3, iso3, ""});
        std::uint32_t number = 0;
        for (auto &line : m_polygons->country_lines(k)) {
            if (line.size() < 2) {
                continue;
            }
            idx->parts.push_back({static_cast<std::uint32_t>(idx->vertices.size()), 0, ++number});
            idx->vertices.insert(idx->vertices.end(), line.begin(), line.end());
        }
        idx->build();
        m_index[k] = std::move(idx);
    });
    return *m_index[k];
}

CountryCoasts::Nearest CountryCoasts::nearest(double lon, double lat) const {
    const auto p = ecef_from_geodetic(lon, lat);
    std::vector<std::pair<double, std::size_t>> order;
    order.reserve(m_boxes.size());
    for (std::size_t k = 0; k < m_boxes.size(); ++k) {
        if (m_boxes[k].lo[0] <= m_boxes[k].hi[0]) {
            order.emplace_back(box_distance(p, m_boxes[k].lo, m_boxes[k].hi), k);
        }
    }
    // Countries by increasing lower bound, taken from a heap: usually one to three are
    // searched, so sorting all of them would cost more than the search.
    const auto later = [](const auto &a, const auto &b) { return a > b; };
    std::make_heap(order.begin(), order.end(), later);
    Nearest best{{}, std::numeric_limits<double>::infinity()};
    while (!order.empty()) {
        std::pop_heap(order.begin(), order.end(), later);
        const auto [bound, k] = order.back();
        order.pop_back();
        if (bound >= best.distance_m) {
            break; // no other country can be nearer
        }
        const double d = index(k).nearest_fast(lon, lat).distance_m;
        if (d < best.distance_m) {
            best = {m_polygons->country_iso3(k), d};
        }
    }
    if (best.iso3.empty()) {
        best.distance_m = 0.0;
    }
    return best;
}

CountryCoasts::Nearest CountryCoasts::nearest_searching_all(double lon, double lat) const {
    Nearest best{{}, std::numeric_limits<double>::infinity()};
    for (std::size_t k = 0; k < m_boxes.size(); ++k) {
        if (m_boxes[k].lo[0] > m_boxes[k].hi[0]) {
            continue;
        }
        const double d = index(k).nearest_fast(lon, lat).distance_m;
        if (d < best.distance_m) {
            best = {m_polygons->country_iso3(k), d};
        }
    }
    return best;
}

} // namespace borderwatch::detail
