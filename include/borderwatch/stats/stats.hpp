#pragma once
/// @file
/// Distance-to-border statistics over incidents, grouped by any combination of side,
/// admin1, admin2, event_type, month, band and sector, precision-aware (see band_for()).

#include <borderwatch/core/escape.hpp>
#include <borderwatch/incidents/incident.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// A grouping key.
enum class StatsKey { side, admin1, admin2, event_type, month, band, sector };

/// "side" | "admin1" | "admin2" | "event_type" | "month" | "band" | "sector".
[[nodiscard]] std::string_view to_string(StatsKey key) noexcept;
/// Parse "side,admin1,..." (comma-separated, no duplicates). @throws UsageError
[[nodiscard]] std::vector<StatsKey> parse_stats_keys(std::string_view text);

struct StatsOptions {
    std::vector<StatsKey> by;          ///< empty = one group "all"
    std::vector<double> band_edges_km; ///< empty = default_band_edges_km()
    double sector_km = 50.0;           ///< chainage bin width, km (> 0)
};

/// Statistics of one group.
struct GroupStats {
    std::vector<std::string> key; ///< one value per StatsOptions::by entry ("" shown as "(none)")
    std::size_t count = 0;        ///< incidents in the group
    std::int64_t fatalities = 0;  ///< sum of fatalities_best (unknown counts 0)
    std::size_t imprecise = 0;    ///< incidents whose location is too coarse for a band
    std::size_t unplaced = 0;     ///< incidents without a border distance
    /// Border distance of the precisely located incidents (count - imprecise - unplaced), km.
    /// Exact for any group size: the distances go through an external sort (memory bounded,
    /// runs spill to a temporary file), median and p90 interpolate linearly between ranks.
    std::optional<double> min_km, median_km, mean_km, p90_km, max_km;
};

/// The result: groups sorted by key (bands and sectors in distance order, months in time order).
struct StatsTable {
    std::vector<StatsKey> by;
    std::vector<GroupStats> groups;
    GroupStats total; ///< over every incident (key empty)
};

/// Streaming accumulator: add() each incident, then finish(). Memory grows with the number
/// of groups, not of incidents (the distances are sorted on disk beyond a few MiB).
class StatsAccumulator {
  public:
    explicit StatsAccumulator(StatsOptions options);
    ~StatsAccumulator();
    StatsAccumulator(const StatsAccumulator &) = delete;
    StatsAccumulator &operator=(const StatsAccumulator &) = delete;

    void add(const Incident &incident);
    [[nodiscard]] StatsTable finish();

    class Group;
    struct Distances;

  private:
    StatsOptions m_options;
    std::vector<std::string> m_labels;
    std::unique_ptr<Distances> m_distances;
    std::map<std::vector<std::string>, std::unique_ptr<Group>> m_groups;
    std::unique_ptr<Group> m_total;
};

/// Render as "table" (aligned text), "csv", "json" or "markdown". Distances in km with 3
/// decimals. Table and markdown end with a note on the imprecise incidents. CSV group names
/// that a spreadsheet would run as formulas are neutralised unless @p csv_formulas is raw.
/// @throws UsageError for an unknown format
[[nodiscard]] std::string format_stats(const StatsTable &table, std::string_view format,
                                       CsvFormulas csv_formulas = CsvFormulas::neutralise);

} // namespace borderwatch
