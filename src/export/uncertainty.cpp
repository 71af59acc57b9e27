// Uncertainty regions. A unit's polygon is snapped to the output grid once and shared by every
// incident placed in it; its extent from a point is the farthest geodesic distance to a vertex
// of its convex hull (the farthest point of a polygon from any point is a hull vertex), so a
// 7,000-vertex province costs a few dozen geodesics per new point, not thousands.

#include "export/detail/uncertainty.hpp"

#include "export/detail/antimeridian.hpp"

#include <borderwatch/geodesy/geodesic.hpp>

#include <algorithm>
#include <cmath>
#include <functional>

namespace borderwatch::detail {

std::size_t UncertaintyRegions::PointKeyHash::operator()(const PointKey &k) const noexcept {
    std::size_t h = std::hash<const void *>()(k.what);
    for (const double v : {k.lon, k.lat, k.radius}) {
        h ^= std::hash<double>()(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return h;
}

UncertaintyRegions::UncertaintyRegions(const std::vector<ReferenceFeature> &admin1,
                                       const std::vector<ReferenceFeature> &admin2,
                                       const std::vector<ReferenceFeature> &countries) {
    m_units.reserve(admin1.size() + admin2.size() + countries.size());
    for (const auto &f : admin1) {
        const auto name = text_property(f.properties, "name");
        m_admin1.emplace(std::make_pair(text_property(f.properties, "iso3"), name), m_units.size());
        m_units.push_back({&f, name, std::nullopt, {}});
    }
    for (const auto &f : admin2) {
        const auto name = text_property(f.properties, "name");
        m_admin2.emplace(std::make_tuple(text_property(f.properties, "iso3"),
                                         text_property(f.properties, "admin1"), name),
                         m_units.size());
        m_units.push_back({&f, name, std::nullopt, {}});
    }
    for (const auto &f : countries) {
        const auto name = text_property(f.properties, "name");
        m_countries.emplace(text_property(f.properties, "iso3"), m_units.size());
        m_units.push_back({&f, name, std::nullopt, {}});
    }
}

UncertaintyRegions::Unit *UncertaintyRegions::find_unit(UncertaintyShape shape,
                                                        const Incident &in) {
    std::optional<std::size_t> index;
    if (shape == UncertaintyShape::admin2 && !in.admin2.empty()) {
        const auto it = m_admin2.find(std::make_tuple(in.side, in.admin1, in.admin2));
        if (it != m_admin2.end()) {
            index = it->second;
        }
    } else if (shape == UncertaintyShape::admin1 && !in.admin1.empty()) {
        const auto it = m_admin1.find(std::make_pair(in.side, in.admin1));
        if (it != m_admin1.end()) {
            index = it->second;
        }
    } else if (shape == UncertaintyShape::country && !in.side.empty()) {
        const auto it = m_countries.find(in.side);
        if (it != m_countries.end()) {
            index = it->second;
        }
    }
    return index ? &m_units[*index] : nullptr;
}

const Geometry &UncertaintyRegions::unit_geometry(Unit &unit) {
    if (!unit.snapped) {
        Geometry g = unit.feature->geometry;
        snap_to_output_grid(m_ctx, g);
        unit.snapped = std::move(g);
    }
    return *unit.snapped;
}

double UncertaintyRegions::unit_extent_m(Unit &unit, double lon, double lat) {
    const PointKey key{&unit, lon, lat, 0};
    if (const auto it = m_extents.find(key); it != m_extents.end()) {
        return it->second;
    }
    if (unit.hull.empty()) {
        unit.hull = convex_hull_vertices(m_ctx, unit.feature->geometry);
    }
    double far_m = 0;
    for (const auto &v : unit.hull) {
        far_m = std::max(far_m, geodesic_inverse(lon, lat, v.lon, v.lat).distance_m);
    }
    if (m_extents.size() >= k_cache_limit) {
        m_extents.clear();
    }
    m_extents.emplace(key, far_m);
    return far_m;
}

const Geometry &UncertaintyRegions::circle(double lon, double lat, double radius_m) {
    const PointKey key{nullptr, lon, lat, radius_m};
    if (const auto it = m_circles.find(key); it != m_circles.end()) {
        return it->second;
    }
    Geometry g;
    g.type = GeometryType::multi_polygon;
    std::vector<LonLat> ring;
    for (const auto &p : geodesic_circle(lon, lat, radius_m, k_circle_segments)) {
        ring.push_back({p[0], p[1]});
    }
    g.parts.clear();
    for (auto &part : cut_ring_at_antimeridian(ring)) { // one polygon, two around Fiji
        g.parts.push_back({std::move(part)});
    }
    snap_to_output_grid(m_ctx, g);
    if (m_circles.size() >= k_cache_limit) {
        m_circles.clear();
    }
    return m_circles.emplace(key, std::move(g)).first->second;
}

UncertaintyRegion UncertaintyRegions::region(const Incident &in) {
    UncertaintyRegion out;
    const bool placed = in.place_lon && in.place_lat;
    if (!placed && !(in.lon && in.lat)) {
        return out; // no location: nothing to be uncertain about
    }
    const double lon = placed ? *in.place_lon : *in.lon;
    const double lat = placed ? *in.place_lat : *in.lat;
    const auto rule = uncertainty_rule(in.precision);
    out.shape = rule.shape;
    out.radius_m = rule.radius_m;
    switch (rule.shape) {
    case UncertaintyShape::unknown:
    case UncertaintyShape::point:
        return out;
    case UncertaintyShape::circle:
        break;
    case UncertaintyShape::admin2:
    case UncertaintyShape::admin1:
    case UncertaintyShape::country:
        if (auto *unit = find_unit(rule.shape, in)) {
            out.geometry = &unit_geometry(*unit);
            out.radius_m = std::round(unit_extent_m(*unit, lon, lat));
            out.unit = unit->name;
            return out;
        }
        if (!rule.radius_m) { // a country that is not in the geodata: unbounded
            out.shape = UncertaintyShape::unknown;
            return out;
        }
        out.shape = UncertaintyShape::circle; // the nominal circle instead of a missing unit
        break;
    }
    out.geometry = &circle(lon, lat, *out.radius_m);
    return out;
}

} // namespace borderwatch::detail
