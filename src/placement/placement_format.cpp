#include <borderwatch/placement/placement_format.hpp>

#include <charconv>
#include <cmath>

namespace borderwatch {

std::string format_fixed_exact(double value, int decimals) {
    if (!std::isfinite(value)) {
        return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
    }
    char buffer[64];
    auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    std::string text(buffer, result.ptr);
    // "-0.000" (a tiny negative value rounded to zero) reads as "0.000".
    if (!text.empty() && text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) {
        text.erase(0, 1);
    }
    return text;
}

namespace {
// 359.9996 rounds to "360.000"; the range is [0, 360).
std::string bearing_text(double bearing_deg) {
    std::string text = format_fixed_exact(bearing_deg, 3);
    return text == "360.000" ? std::string("0.000") : text;
}
} // namespace

std::array<std::string, 8> format_placement(const Placement &p) {
    return {format_fixed_exact(p.border_distance_m, 3),
            format_fixed_exact(p.nearest_lon, 7),
            format_fixed_exact(p.nearest_lat, 7),
            format_fixed_exact(p.chainage_km, 6),
            std::string(p.side),
            std::string(p.admin1),
            std::string(p.admin2),
            bearing_text(p.bearing_deg)};
}

} // namespace borderwatch
