#include <borderwatch/placement/lonlat_swap.hpp>

#include <borderwatch/core/numbers.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/placement_format.hpp>

#include <cmath>
#include <optional>
#include <string_view>

namespace borderwatch {

std::string human_distance(double metres) {
    if (metres < 1000.0) {
        return format_fixed_exact(metres, 0) + " m";
    }
    return format_fixed_exact(metres / 1000.0, 1) + " km";
}

std::optional<double> swapped_border_distance_m(const BorderEngine &engine, double lon,
                                                double lat) {
    if (!std::isfinite(lon) || !std::isfinite(lat) || std::abs(lon) > 90.0 ||
        std::abs(lat) > 180.0) {
        return std::nullopt;
    }
    return engine.distance_within_m(lat, lon, k_swap_near_m);
}

std::string lonlat_swap_hint(const BorderEngine &engine, double lon, double lat) {
    const auto d = swapped_border_distance_m(engine, lon, lat);
    if (!d) {
        return {};
    }
    return "; with lon/lat swapped (" + format_double(lat) + ", " + format_double(lon) +
           ") it would be " + human_distance(*d) + " from the border: lon/lat look swapped";
}

namespace {

/// The rule; @p side is the point's side when known (else world mode places it again).
std::string swap_warning(const BorderEngine &engine, double lon, double lat,
                         double border_distance_m, std::optional<std::string_view> side) {
    if (!(border_distance_m > k_swap_far_m)) {
        return {};
    }
    const bool world = engine.info().world;
    if (world && side && !side->empty()) {
        return {}; // on land: a real place
    }
    const std::string hint = lonlat_swap_hint(engine, lon, lat);
    if (hint.empty()) {
        return {};
    }
    if (world &&
        ((!side && !engine.place(lon, lat).side.empty()) || engine.place(lat, lon).side.empty())) {
        return {};
    }
    return "point (" + format_double(lon) + ", " + format_double(lat) + ") is " +
           human_distance(border_distance_m) + " from the border" + hint;
}

} // namespace

std::string lonlat_swap_warning(const BorderEngine &engine, double lon, double lat,
                                double border_distance_m) {
    return swap_warning(engine, lon, lat, border_distance_m, std::nullopt);
}

std::string lonlat_swap_warning(const BorderEngine &engine, double lon, double lat,
                                const Placement &placed) {
    return swap_warning(engine, lon, lat, placed.border_distance_m, placed.side);
}

} // namespace borderwatch
