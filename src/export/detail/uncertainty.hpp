#pragma once
// The region an incident may lie in (the `uncertainty` layer) and its radius (the incidents'
// `uncertainty_m`), by the rule of incidents/uncertainty.hpp: a geodesic circle, or the
// admin unit / country polygon containing the incident's point.

#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/incidents/uncertainty.hpp>

#include "export/detail/geodata_read.hpp"
#include "export/detail/geos.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace borderwatch::detail {

/// One incident's region.
struct UncertaintyRegion {
    /// What the rule gave (circle for a unit shape whose polygon is missing).
    UncertaintyShape shape = UncertaintyShape::unknown;
    /// `uncertainty_m`: 0 for a point, the circle's radius, the unit's extent; nullopt
    /// when unknown (precision 7, a country that is not in the geodata, no location).
    std::optional<double> radius_m;
    /// The polygon (multi_polygon, snapped to the output grid), or null for a point or an
    /// unknown region. Valid until the next region() call.
    const Geometry *geometry = nullptr;
    /// Name of the unit (admin2 / admin1 / country), "" for circles; lives as long as the
    /// UncertaintyRegions.
    std::string_view unit;
};

/// Builds regions for incidents, caching what repeats (unit polygons snapped once, hulls,
/// the extents and circles of points seen recently). Not thread-safe: one per producer.
class UncertaintyRegions {
  public:
    /// The reference features must outlive this object; any of them may be empty (the unit
    /// shapes then fall back to the nominal circle, a country to unknown).
    UncertaintyRegions(const std::vector<ReferenceFeature> &admin1,
                       const std::vector<ReferenceFeature> &admin2,
                       const std::vector<ReferenceFeature> &countries);

    /// The region of @p incident at its placement point (place_lon/lat, else lon/lat), by
    /// its precision, side, admin1 and admin2. @throws GeometryError on GEOS failure
    [[nodiscard]] UncertaintyRegion region(const Incident &incident);

    /// Circle segments (72: one vertex every 5 degrees of azimuth).
    static constexpr int k_circle_segments = 72;

  private:
    struct Unit {
        const ReferenceFeature *feature = nullptr;
        std::string name;
        std::optional<Geometry> snapped; ///< built on first use
        std::vector<LonLat> hull;        ///< built on first use
    };
    Unit *find_unit(UncertaintyShape shape, const Incident &incident);
    const Geometry &unit_geometry(Unit &unit);
    double unit_extent_m(Unit &unit, double lon, double lat);
    const Geometry &circle(double lon, double lat, double radius_m);

    GeosContext m_ctx;
    std::vector<Unit> m_units;
    std::map<std::pair<std::string, std::string>, std::size_t, std::less<>> m_admin1;
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t, std::less<>> m_admin2;
    std::map<std::string, std::size_t, std::less<>> m_countries;
    struct PointKey {
        const void *what; ///< the unit, or null for a circle (then radius distinguishes)
        double lon, lat, radius;
        bool operator==(const PointKey &) const = default;
    };
    struct PointKeyHash {
        std::size_t operator()(const PointKey &k) const noexcept;
    };
    /// Bounded caches (cleared when full): many incidents share a point (gazetteer places).
    std::unordered_map<PointKey, double, PointKeyHash> m_extents;
    std::unordered_map<PointKey, Geometry, PointKeyHash> m_circles;
    static constexpr std::size_t k_cache_limit = 4096;
};

} // namespace borderwatch::detail
