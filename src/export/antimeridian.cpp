#include "export/detail/antimeridian.hpp"

#include <algorithm>
#include <cmath>

namespace borderwatch::detail {

namespace {

/// Latitude where the step p -> q (q's longitude unwrapped to continue p's) meets
/// @p meridian, linear in lon/lat (the steps are short).
double lat_at_meridian(const LonLat &p, const LonLat &q, double meridian) {
    const double t = (meridian - p.lon) / (q.lon - p.lon);
    return p.lat + t * (q.lat - p.lat);
}

bool crosses(const std::vector<LonLat> &positions) {
    for (std::size_t i = 1; i < positions.size(); ++i) {
        if (std::abs(positions[i].lon - positions[i - 1].lon) > 180.0) {
            return true;
        }
    }
    return false;
}

/// Sutherland-Hodgman against the half-plane lon <= meridian (@p west) or >= meridian: exact
/// for a convex clip region, whatever the ring.
std::vector<LonLat> clip_ring(const std::vector<LonLat> &ring, double meridian, bool west) {
    auto inside = [&](const LonLat &p) { return west ? p.lon <= meridian : p.lon >= meridian; };
    std::vector<LonLat> out;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
        const LonLat &p = ring[i];
        const LonLat &q = ring[i + 1];
        if (inside(p)) {
            out.push_back(p);
        }
        if (inside(p) != inside(q)) {
            out.push_back({meridian, lat_at_meridian(p, q, meridian)});
        }
    }
    if (out.size() < 3) {
        return {};
    }
    out.push_back(out.front());
    return out;
}

} // namespace

std::vector<std::vector<LonLat>> cut_line_at_antimeridian(const std::vector<LonLat> &line) {
    if (line.empty()) {
        return {};
    }
    std::vector<std::vector<LonLat>> parts;
    std::vector<LonLat> part{line.front()};
    auto end_part = [&] {
        const bool is_line = std::any_of(part.begin(), part.end(), [&](const LonLat &p) {
            return p.lon != part.front().lon || p.lat != part.front().lat;
        });
        if (is_line) {
            parts.push_back(std::move(part));
        }
        part.clear();
    };
    for (std::size_t i = 1; i < line.size(); ++i) {
        const LonLat prev = part.back();
        const LonLat next = line[i];
        if (std::abs(next.lon - prev.lon) > 180.0) {
            const LonLat unwrapped{next.lon + (next.lon < prev.lon ? 360.0 : -360.0), next.lat};
            const double meridian = unwrapped.lon > prev.lon ? 180.0 : -180.0;
            const double lat = lat_at_meridian(prev, unwrapped, meridian);
            part.push_back({meridian, lat});
            end_part();
            part.push_back({-meridian, lat});
        }
        part.push_back(next);
    }
    end_part();
    return parts;
}

std::vector<std::vector<LonLat>> cut_ring_at_antimeridian(const std::vector<LonLat> &ring) {
    if (!crosses(ring)) {
        return {ring};
    }
    std::vector<LonLat> unwrapped{ring.front()};
    for (std::size_t i = 1; i < ring.size(); ++i) {
        const double step = std::remainder(ring[i].lon - ring[i - 1].lon, 360.0);
        unwrapped.push_back({unwrapped.back().lon + step, ring[i].lat});
    }
    const auto [lo, hi] =
        std::minmax_element(unwrapped.begin(), unwrapped.end(),
                            [](const LonLat &a, const LonLat &b) { return a.lon < b.lon; });
    const double meridian = hi->lon > 180.0 ? 180.0 : -180.0;
    if (lo->lon < -180.0 && hi->lon > 180.0) {
        return {ring}; // wider than the globe (around a pole): left as it is
    }
    std::vector<std::vector<LonLat>> out;
    if (auto near = clip_ring(unwrapped, meridian, meridian > 0); !near.empty()) {
        out.push_back(std::move(near));
    }
    if (auto far = clip_ring(unwrapped, meridian, meridian < 0); !far.empty()) {
        for (auto &p : far) {
            p.lon -= std::copysign(360.0, meridian);
        }
        out.push_back(std::move(far));
    }
    return out;
}

} // namespace borderwatch::detail
