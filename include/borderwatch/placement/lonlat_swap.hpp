#pragma once
/// @file
/// The one "lon/lat look swapped" rule, used by `borderwatch locate` (warning per row, hint on
/// a rejected coordinate) and by `borderwatch import` (warning + flag lonlat_look_swapped).

#include <optional>
#include <string>

namespace borderwatch {

class BorderEngine;
struct Placement;

/// A valid point farther than this from the border gets the swap check, m.
inline constexpr double k_swap_far_m = 500000.0;
/// The swapped point must be at most this far from the border, m.
inline constexpr double k_swap_near_m = 100000.0;

/// "850 m" below 1 km, else "1.2 km".
[[nodiscard]] std::string human_distance(double metres);

/// Distance from the border of the point with lon and lat exchanged, m, when that point is
/// valid (|lon| <= 90, |lat| <= 180) and within k_swap_near_m of the border; nullopt otherwise
/// (also for non-finite values). Works for out-of-range input too: that is when the hint helps
/// most.
[[nodiscard]] std::optional<double> swapped_border_distance_m(const BorderEngine &engine,
                                                              double lon, double lat);

/// "; with lon/lat swapped (70.78902, 38.45373) it would be 1.2 km from the border: lon/lat
/// look swapped" when swapped_border_distance_m() has a value, else "". Appended to the
/// message of a rejected coordinate.
[[nodiscard]] std::string lonlat_swap_hint(const BorderEngine &engine, double lon, double lat);

/// The warning (without location) for a valid point placed @p border_distance_m from the
/// border: "point (38.45373, 70.78902) is 4018.2 km from the border; with lon/lat swapped
/// (...) it would be 1.2 km from the border: lon/lat look swapped", or "" when the rule does
/// not fire (the point is not farther than k_swap_far_m, or the swapped point is not near).
/// In world mode (--border nearest) the rule also wants the point at sea and the swapped point
/// on land: a real place far from every boundary (Siberia, the Sahara) is not a swap, and
/// over the whole globe most swapped points land near some boundary.
[[nodiscard]] std::string lonlat_swap_warning(const BorderEngine &engine, double lon, double lat,
                                              double border_distance_m);

/// The same rule for a point whose placement @p placed is at hand: in world mode its side
/// already says whether it is on land, so a point on land costs no second search.
[[nodiscard]] std::string lonlat_swap_warning(const BorderEngine &engine, double lon, double lat,
                                              const Placement &placed);

} // namespace borderwatch
