#pragma once
/// @file
/// The location-uncertainty rule: how far from its point an incident may really be, given the
/// precision its location is known to (docs/incident-schema.md, "Location uncertainty").
/// Exports show it as the incidents' `uncertainty_m` field and the `uncertainty` layer.

#include <cstdint>
#include <optional>
#include <string_view>

namespace borderwatch {

/// Location uncertainty in km for a precision code (UCDP where_prec scale):
/// 1 exact place 0 km; 2 near a place 10 km; 3 district 25 km; 4 province 100 km;
/// 5 linear feature / area 100 km; 6 country, 7 international waters / unknown: infinite.
/// Unknown precision (nullopt) counts as 1 when coordinates were given.
[[nodiscard]] double location_uncertainty_km(std::optional<int> precision) noexcept;

/// The region an incident may lie in, by its precision code.
enum class UncertaintyShape : std::uint8_t {
    unknown, ///< precision 7 / unknown code, or a unit that cannot be found: no region
    point,   ///< precision 1 (or not reported with given coordinates): the point itself
    circle,  ///< a geodesic circle of the precision's nominal radius around the point
    admin2,  ///< the district (admin-2 unit) containing the point
    admin1,  ///< the region / province (admin-1 unit) containing the point
    country, ///< the country containing the point (the incident's side)
};

/// What the rule says for one precision code.
struct UncertaintyRule {
    UncertaintyShape shape = UncertaintyShape::unknown;
    /// Nominal radius, metres: the circle's radius (precision 2 and 5), the radius of the
    /// fallback circle when a unit shape's polygon is missing (3 and 4), 0 for a point,
    /// nullopt when unbounded (6, 7). Always location_uncertainty_km() × 1000: one table.
    std::optional<double> radius_m;
};

/// The rule, precision code → region (UCDP where_prec scale, as Incident::precision):
///
/// | precision | meaning                        | region                  | radius         |
/// |-----------|--------------------------------|-------------------------|----------------|
/// | 1, none   | exact place                    | point                   | 0 m            |
/// | 2         | near a place                   | geodesic circle         | 10,000 m       |
/// | 3         | district (admin-2)             | the district's polygon  | its extent     |
/// | 4         | region / province (admin-1)    | the province's polygon  | its extent     |
/// | 5         | linear feature or larger area  | geodesic circle         | 100,000 m      |
/// | 6         | country                        | the country's polygon   | its extent     |
/// | 7, other  | unknown                        | none                    | null           |
///
/// A unit's extent is the geodesic distance from the point to the farthest vertex of the
/// unit (of its convex hull: the farthest point of a polygon always is one); it replaces the
/// nominal radius wherever the unit is found. The distance-band rule keeps the nominal
/// location_uncertainty_km() of each code.
[[nodiscard]] UncertaintyRule uncertainty_rule(std::optional<int> precision) noexcept;

/// "unknown" | "point" | "circle" | "admin2" | "admin1" | "country" (the `uncertainty`
/// layer's `shape` field and its style categories).
[[nodiscard]] std::string_view to_string(UncertaintyShape shape) noexcept;

/// What a precision code means: "exact place", "near a place", "district", "province",
/// "linear feature or larger area", "country", "unknown" (for descriptions and labels).
[[nodiscard]] std::string_view precision_meaning(std::optional<int> precision) noexcept;

} // namespace borderwatch
