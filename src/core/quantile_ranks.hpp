#pragma once
// Where a quantile lies among n sorted values. Shared by the export's stats layers and the
// `stats` command, so both define the median and p90 the same way.

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace borderwatch::detail {

/// Linear-interpolation quantile (type 7, numpy's default) of n ascending values v:
/// pos = q (n - 1), lo = floor(pos), hi = min(lo + 1, n - 1), frac = pos - lo, result
/// v[lo] + frac (v[hi] - v[lo]) in double. @pre n > 0, q in [0, 1]
struct QuantileRanks {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    double frac = 0;
    QuantileRanks() = default;
    QuantileRanks(std::uint64_t n, double q) {
        const double pos = q * static_cast<double>(n - 1);
        lo = static_cast<std::uint64_t>(std::floor(pos));
        hi = std::min(lo + 1, n - 1);
        frac = pos - static_cast<double>(lo);
    }
    [[nodiscard]] double value(double at_lo, double at_hi) const {
        return at_lo + frac * (at_hi - at_lo);
    }
};

} // namespace borderwatch::detail
