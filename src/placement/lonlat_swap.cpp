#include <borderwatch/placement/lonlat_swap.hpp>

#include <borderwatch/core/numbers.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/placement/placement_format.hpp>

#include <cmath>

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

std::string lonlat_swap_warning(const BorderEngine &engine, double lon, double lat,
                                double border_distance_m) {
    if (!(border_distance_m > k_swap_far_m)) {
        return {};
    }
    const std::string hint = lonlat_swap_hint(engine, lon, lat);
    if (hint.empty()) {
        return {};
    }
    if (engine.info().world &&
        (!engine.place(lon, lat).side.empty() || engine.place(lat, lon).side.empty())) {
        return {};
    }
    return "point (" + format_double(lon) + ", " + format_double(lat) + ") is " +
           human_distance(border_distance_m) + " from the border" + hint;
}

} // namespace borderwatch
