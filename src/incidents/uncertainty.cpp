// The location-uncertainty rule. The radii come from location_uncertainty_km() (the table the
// distance-band rule uses), so there is one number per precision code in the whole program.
#include <borderwatch/incidents/uncertainty.hpp>

#include <cmath>
#include <limits>

namespace borderwatch {

double location_uncertainty_km(std::optional<int> precision) noexcept {
    if (!precision) {
        return 0.0;
    }
    switch (*precision) {
    case 1:
        return 0.0;
    case 2:
        return 10.0;
    case 3:
        return 25.0;
    case 4:
    case 5:
        return 100.0;
    default:
        return std::numeric_limits<double>::infinity();
    }
}

UncertaintyRule uncertainty_rule(std::optional<int> precision) noexcept {
    const double km = location_uncertainty_km(precision);
    UncertaintyRule rule;
    rule.radius_m = std::isfinite(km) ? std::optional<double>(km * 1000.0) : std::nullopt;
    switch (precision.value_or(1)) {
    case 1:
        rule.shape = UncertaintyShape::point;
        break;
    case 2:
    case 5:
        rule.shape = UncertaintyShape::circle;
        break;
    case 3:
        rule.shape = UncertaintyShape::admin2;
        break;
    case 4:
        rule.shape = UncertaintyShape::admin1;
        break;
    case 6:
        rule.shape = UncertaintyShape::country;
        break;
    default:
        rule.shape = UncertaintyShape::unknown;
        rule.radius_m.reset();
        break;
    }
    return rule;
}

std::string_view to_string(UncertaintyShape shape) noexcept {
    switch (shape) {
    case UncertaintyShape::point:
        return "point";
    case UncertaintyShape::circle:
        return "circle";
    case UncertaintyShape::admin2:
        return "admin2";
    case UncertaintyShape::admin1:
        return "admin1";
    case UncertaintyShape::country:
        return "country";
    case UncertaintyShape::unknown:
        break;
    }
    return "unknown";
}

std::string_view precision_meaning(std::optional<int> precision) noexcept {
    switch (precision.value_or(1)) {
    case 1:
        return "exact place";
    case 2:
        return "near a place";
    case 3:
        return "district";
    case 4:
        return "province";
    case 5:
        return "linear feature or larger area";
    case 6:
        return "country";
    default:
        return "unknown";
    }
}

} // namespace borderwatch
