// Distance bands and border sectors with the precision rule (see
// include/borderwatch/stats/bands.hpp): the one place their edges, labels and assignment live.
#include <borderwatch/stats/bands.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>

namespace borderwatch {

namespace {

std::string km_label(double v) {
    return format_fixed(v, 3);
}

} // namespace

const std::vector<double> &default_band_edges_km() {
    static const std::vector<double> edges = {0, 1, 5, 10, 25, 50};
    return edges;
}

namespace {

std::string band_error_prefix(std::string_view what) {
    return what.empty() ? std::string() : std::string(what) + ": ";
}

const char *const k_band_example = " (e.g. 0,1,5,10,25,50 or 1,5,10,25,50)";

} // namespace

std::vector<double> band_edges_from_km(std::vector<double> edges, std::string_view what) {
    const std::string prefix = band_error_prefix(what);
    for (const double v : edges) {
        if (!std::isfinite(v) || v < 0) {
            throw UsageError(prefix + "'" + format_double(v) +
                             "' is not a non-negative number of km" + k_band_example);
        }
    }
    if (edges.empty() || edges.front() != 0.0) {
        edges.insert(edges.begin(), 0.0);
    }
    if (edges.size() < 2) {
        throw UsageError(prefix + "need at least one edge above 0" + k_band_example);
    }
    constexpr std::size_t max_edges = 1000;
    if (edges.size() > max_edges) {
        throw UsageError(prefix + "more than " + std::to_string(max_edges) + " edges");
    }
    for (std::size_t i = 1; i < edges.size(); ++i) {
        if (edges[i] <= edges[i - 1]) {
            throw UsageError(prefix + "'" + format_double(edges[i]) +
                             "' does not increase (after " + format_double(edges[i - 1]) +
                             "): edges must increase" + k_band_example);
        }
    }
    return edges;
}

std::vector<double> parse_band_edges(std::string_view text, std::string_view what) {
    const std::string prefix = band_error_prefix(what);
    std::vector<double> edges;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const auto part = trim(text.substr(start, end - start));
        const auto v = parse_double(part);
        if (!v || !std::isfinite(*v) || *v < 0) {
            throw UsageError(prefix + "'" + std::string(part) +
                             "' is not a non-negative number of km" + k_band_example);
        }
        edges.push_back(*v);
        start = end + 1;
    }
    return band_edges_from_km(std::move(edges), what);
}

std::vector<std::string> band_labels(const std::vector<double> &edges) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
        out.push_back(km_label(edges[i]) + "-" + km_label(edges[i + 1]));
    }
    out.push_back(">" + km_label(edges.back()));
    return out;
}

int band_index(double value_km, double uncertainty_km, const std::vector<double> &edges) noexcept {
    const double lo = std::max(0.0, value_km - uncertainty_km);
    const double hi = value_km + uncertainty_km;
    if (!std::isfinite(hi) || edges.empty()) {
        return -1;
    }
    // Band index of a value: last edge <= v (the last band is open).
    auto index = [&](double v) {
        std::size_t i = 0;
        while (i + 1 < edges.size() && v >= edges[i + 1]) {
            ++i;
        }
        return i;
    };
    const auto a = index(lo);
    const auto b = index(hi);
    // hi exactly on an upper edge touches the next band only at a point: the interval is
    // closed, the bands half-open, so with a non-zero uncertainty it still counts as inside.
    if (a == b || (uncertainty_km > 0 && b == a + 1 && hi == edges[b])) {
        return static_cast<int>(a);
    }
    return -1;
}

std::string band_for(double value_km, double uncertainty_km, const std::vector<double> &edges) {
    const int i = band_index(value_km, uncertainty_km, edges);
    if (i < 0) {
        return "imprecise";
    }
    const auto k = static_cast<std::size_t>(i);
    return k + 1 < edges.size() ? km_label(edges[k]) + "-" + km_label(edges[k + 1])
                                : ">" + km_label(edges.back());
}

std::string DistanceBand::label() const {
    if (!max_km) {
        return ">" + km_label(min_km);
    }
    return km_label(min_km) + "-" + km_label(*max_km);
}

std::vector<DistanceBand> distance_bands(const std::vector<double> &edges_km) {
    std::vector<DistanceBand> out;
    for (std::size_t i = 0; i + 1 < edges_km.size(); ++i) {
        out.push_back({edges_km[i], edges_km[i + 1]});
    }
    if (!edges_km.empty()) {
        out.push_back({edges_km.back(), std::nullopt});
    }
    return out;
}

std::vector<DistanceBand> default_distance_bands() {
    return distance_bands(default_band_edges_km());
}

std::vector<double> band_edges(const std::vector<DistanceBand> &bands) {
    std::vector<double> edges;
    edges.reserve(bands.size());
    for (const auto &b : bands) {
        edges.push_back(b.min_km);
    }
    return edges;
}

std::size_t SectorGrid::count() const noexcept {
    if (!border_length_km || !(sector_km > 0)) {
        return 0;
    }
    // A length a rounding error above a multiple of the sector length adds no sliver sector.
    return static_cast<std::size_t>(std::max(1.0, std::ceil(*border_length_km / sector_km - 1e-9)));
}

double SectorGrid::from_km(std::size_t index) const noexcept {
    return static_cast<double>(index) * sector_km;
}

double SectorGrid::to_km(std::size_t index) const noexcept {
    const double to = static_cast<double>(index + 1) * sector_km;
    return border_length_km ? std::min(*border_length_km, to) : to;
}

std::string SectorGrid::label(std::size_t index) const {
    return km_label(from_km(index)) + "-" + km_label(to_km(index));
}

long SectorGrid::index(double chainage_km, double uncertainty_km) const noexcept {
    if (!(sector_km > 0) || !std::isfinite(uncertainty_km) || !std::isfinite(chainage_km)) {
        return -1;
    }
    double lo = std::max(0.0, chainage_km - uncertainty_km);
    double hi = std::max(0.0, chainage_km + uncertainty_km);
    const std::size_t n = count();
    if (border_length_km) { // the chainage cannot leave the border
        lo = std::min(lo, *border_length_km);
        hi = std::min(hi, *border_length_km);
    }
    auto a = static_cast<long>(std::floor(lo / sector_km));
    auto b = static_cast<long>(std::floor(hi / sector_km));
    // hi exactly on a sector's end touches the next sector at a point only (as for bands).
    if (uncertainty_km > 0 && b == a + 1 && hi == static_cast<double>(b) * sector_km) {
        b = a;
    }
    if (n > 0) { // the border's end (and a rounding sliver beyond the last edge): last sector
        a = std::min(a, static_cast<long>(n) - 1);
        b = std::min(b, static_cast<long>(n) - 1);
    }
    return a == b ? a : -1;
}

std::string SectorGrid::sector_for(double chainage_km, double uncertainty_km) const {
    const long i = index(chainage_km, uncertainty_km);
    return i < 0 ? std::string("imprecise") : label(static_cast<std::size_t>(i));
}

std::string SectorLine::label(const SectorGrid &grid, std::size_t index) const {
    return border_id + "/" + std::to_string(part) + ":" + grid.label(index);
}

SectorOrder sector_order(std::string_view label) {
    SectorOrder order;
    const auto colon = label.rfind(':'); // "USA-CAN/2:0-50" (a line's) or "0-50"
    const auto range = colon == std::string_view::npos ? label : label.substr(colon + 1);
    order.start_km = parse_double(range.substr(0, range.find('-'))).value_or(0);
    if (colon == std::string_view::npos) {
        return order;
    }
    const auto slash = label.rfind('/', colon);
    if (slash == std::string_view::npos) {
        order.border_id = std::string(label.substr(0, colon));
        return order;
    }
    order.border_id = std::string(label.substr(0, slash));
    order.part = parse_double(label.substr(slash + 1, colon - slash - 1)).value_or(0);
    return order;
}

void LineSectors::sort_lines() {
    std::sort(lines.begin(), lines.end(), [](const SectorLine &a, const SectorLine &b) {
        return std::tie(a.border_id, a.part) < std::tie(b.border_id, b.part);
    });
}

const SectorLine *LineSectors::find(std::string_view border_id, std::size_t part) const {
    const auto it = std::lower_bound(
        lines.begin(), lines.end(), std::pair{border_id, part},
        [](const SectorLine &l, const std::pair<std::string_view, std::size_t> &key) {
            return std::pair{std::string_view(l.border_id), l.part} < key;
        });
    return it != lines.end() && it->border_id == border_id && it->part == part ? &*it : nullptr;
}

std::string LineSectors::sector_for(std::string_view border_id, std::optional<std::int64_t> part,
                                    double chainage_km, double uncertainty_km) const {
    const SectorLine *line =
        part && *part > 0 ? find(border_id, static_cast<std::size_t>(*part)) : nullptr;
    if (line == nullptr) {
        return {};
    }
    const SectorGrid grid = line->grid(sector_km);
    const long i = grid.index(chainage_km, uncertainty_km);
    return i < 0 ? std::string("imprecise") : line->label(grid, static_cast<std::size_t>(i));
}

std::string sector_for(double chainage_km, double uncertainty_km, double sector_km) {
    return SectorGrid{sector_km, std::nullopt}.sector_for(chainage_km, uncertainty_km);
}

} // namespace borderwatch
