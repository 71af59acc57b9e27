#include <borderwatch/placement/placement_format.hpp>

#include <borderwatch/core/numbers.hpp>

#include <charconv>
#include <cmath>

namespace borderwatch {

namespace {

/// Fixed-point digits of @p value at @p cursor (advanced past them); the one rule of
/// format_fixed_exact(): -0 prints as 0, non-finite values as nan/inf/-inf.
std::string_view append_fixed(char *&cursor, char *end, double value, int decimals) {
    if (!std::isfinite(value)) {
        return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
    }
    const auto result = to_chars_fixed(cursor, end, value, decimals);
    if (result.ec != std::errc()) {
        return value > 0 ? "inf" : "-inf"; // beyond any distance on Earth
    }
    std::string_view text(cursor, static_cast<std::size_t>(result.ptr - cursor));
    cursor = result.ptr;
    // "-0.000" (a tiny negative value rounded to zero) reads as "0.000".
    if (!text.empty() && text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) {
        text.remove_prefix(1);
    }
    return text;
}

} // namespace

std::string format_fixed_exact(double value, int decimals) {
    char buffer[64];
    char *cursor = buffer;
    return std::string(append_fixed(cursor, buffer + sizeof buffer, value, decimals));
}

void format_placement_into(const Placement &p, PlacementText &text) {
    char *cursor = text.buffer.data();
    char *const end = text.buffer.data() + text.buffer.size();
    text.fields[0] = append_fixed(cursor, end, p.border_distance_m, 3);
    text.fields[1] = append_fixed(cursor, end, p.nearest_lon, 7);
    text.fields[2] = append_fixed(cursor, end, p.nearest_lat, 7);
    text.fields[3] = append_fixed(cursor, end, p.chainage_km, 6);
    text.fields[4] = p.side;
    text.fields[5] = p.admin1;
    text.fields[6] = p.admin2;
    // 359.9996 rounds to "360.000"; the range is [0, 360).
    const std::string_view bearing = append_fixed(cursor, end, p.bearing_deg, 3);
    text.fields[7] = bearing == "360.000" ? std::string_view("0.000") : bearing;
    text.fields[8] = p.border_id;
    const auto part = std::to_chars(cursor, end, p.part);
    text.fields[9] = std::string_view(cursor, static_cast<std::size_t>(part.ptr - cursor));
    cursor = part.ptr;
    text.fields[10] = std::isnan(p.own_border_distance_m)
                          ? std::string_view()
                          : append_fixed(cursor, end, p.own_border_distance_m, 3);
    text.fields[11] = p.neighbour;
    text.fields[12] = p.nearest_country;
}

std::size_t placement_column_count(const BorderInfo &info) noexcept {
    if (info.world) {
        return placement_columns.size() + placement_part_columns.size();
    }
    return info.parts > 1 ? placement_columns.size() + 2 : placement_columns.size();
}

std::array<std::string, 8> format_placement(const Placement &p) {
    PlacementText text;
    format_placement_into(p, text);
    std::array<std::string, 8> out;
    for (std::size_t k = 0; k < out.size(); ++k) {
        out[k] = std::string(text.fields[k]);
    }
    return out;
}

} // namespace borderwatch
