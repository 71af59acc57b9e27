#pragma once
/// @file
/// Distance-to-border statistics over incidents, grouped by any combination of side,
/// admin1, admin2, event_type, month, band and sector, precision-aware (see band_index() and
/// SectorGrid in stats/bands.hpp). The one statistics engine: `stats` prints one table of it,
/// `export` feeds every statistics layer (border, border_sectors, distance_bands, admin_stats)
/// and the manifest from one accumulator with several groupings.

#include <borderwatch/core/escape.hpp>
#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/stats/bands.hpp>

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
enum class StatsKey { side, admin1, admin2, event_type, month, band, sector, border };

/// "side" | "admin1" | "admin2" | "event_type" | "month" | "band" | "sector" | "border".
[[nodiscard]] std::string_view to_string(StatsKey key) noexcept;
/// Parse "side,admin1,..." (comma-separated, no duplicates). @throws UsageError
[[nodiscard]] std::vector<StatsKey> parse_stats_keys(std::string_view text);

struct StatsOptions {
    std::vector<StatsKey> by;          ///< empty = one group "all"
    std::vector<double> band_edges_km; ///< empty = default_band_edges_km()
    double sector_km = 50.0;           ///< chainage bin width, km (> 0)
    /// Length of the border the chainages run along: the last sector ends there (its label
    /// too, "1300-1344.497") and a chainage interval is clipped to it. nullopt = unbounded.
    std::optional<double> border_length_km;
    /// A border of several lines (and world mode): its lines. Sectors are then per line
    /// ("USA-CAN/2:0-50", LineSectors) and border_length_km is not used.
    std::vector<SectorLine> sector_lines;

    /// The sectors these options describe (one line).
    [[nodiscard]] SectorGrid sector_grid() const { return {sector_km, border_length_km}; }
};

/// Statistics of one group.
struct GroupStats {
    std::vector<std::string> key; ///< one value per StatsOptions::by entry ("" shown as "(none)")
    std::size_t count = 0;        ///< incidents in the group
    std::int64_t fatalities = 0;  ///< sum of fatalities_best (unknown counts 0)
    std::size_t imprecise = 0;    ///< incidents whose location is too coarse for a band
    std::size_t unplaced = 0;     ///< incidents without a border distance
    /// Incidents in the distance statistics: count - imprecise - unplaced.
    [[nodiscard]] std::size_t precise() const noexcept { return count - imprecise - unplaced; }
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
    /// Rows folded into another row's event (event clusters, linking/event_clusters.hpp):
    /// counts are of events, each cluster added once as its merged incident.
    std::size_t merged_rows = 0;

    /// The group with @p key (one value per `by` entry), or null when no incident has it.
    [[nodiscard]] const GroupStats *find(const std::vector<std::string> &key) const;
};

/// Where the precision rule put one incident (views into the accumulator, valid until the
/// next add()).
struct StatsAssignment {
    std::string_view band;   ///< band label, "imprecise", or "" without a border distance
    std::string_view sector; ///< sector label, "imprecise", or "" without a chainage
    bool imprecise = false;  ///< too coarse for a distance band: not in the distance statistics
};

/// Streaming accumulator: add() each incident, then finish(). Memory grows with the number
/// of groups, not of incidents (the distances are sorted on disk beyond a few MiB).
/// Several groupings can be accumulated in the same pass (one table each, same rule, same
/// total): the export's statistics layers are `by` {sector}, {side, band}, {side, admin1} and
/// {side, admin1, admin2} of one accumulator, so they equal `stats --by ...` by construction.
class StatsAccumulator {
  public:
    /// One grouping: options.by.
    explicit StatsAccumulator(StatsOptions options);
    /// One table per entry of @p groupings (options.by is ignored). @throws UsageError
    StatsAccumulator(StatsOptions options, std::vector<std::vector<StatsKey>> groupings);
    ~StatsAccumulator();
    StatsAccumulator(const StatsAccumulator &) = delete;
    StatsAccumulator &operator=(const StatsAccumulator &) = delete;

    /// Count @p incident in its group of every grouping. @return its band and sector
    StatsAssignment add(const Incident &incident);
    /// The band and sector @p incident would be counted in, without counting it (a row of an
    /// event counted through its cluster's merged incident).
    StatsAssignment assign(const Incident &incident);
    /// Record that @p rows rows were folded into other rows' events (StatsTable::merged_rows).
    void set_merged_rows(std::size_t rows) noexcept { m_merged_rows = rows; }
    /// The table of the first grouping.
    [[nodiscard]] StatsTable finish();
    /// One table per grouping, in the constructor's order.
    [[nodiscard]] std::vector<StatsTable> finish_all();

    class Group;
    struct Distances;

  private:
    using GroupMap = std::map<std::vector<std::string>, std::unique_ptr<Group>>;

    StatsOptions m_options;
    SectorGrid m_sectors;
    LineSectors m_line_sectors; ///< used when the options give sector_lines
    std::vector<std::vector<StatsKey>> m_groupings;
    std::vector<std::string> m_labels;
    std::unique_ptr<Distances> m_distances;
    std::vector<GroupMap> m_groups; ///< per grouping
    std::unique_ptr<Group> m_total;
    std::uint32_t m_next_id = 1; ///< group ids in the distance sort (the total is 0)
    std::size_t m_merged_rows = 0;
    std::string m_band; ///< the last add()'s assignment (StatsAssignment views)
    std::string m_sector;
    std::vector<std::string> m_key;
};

/// Render as "table" (aligned text), "csv", "json" or "markdown". Distances in km with 3
/// decimals. Table and markdown end with a note on the imprecise incidents. CSV group names
/// that a spreadsheet would run as formulas are neutralised unless @p csv_formulas is raw.
/// @throws UsageError for an unknown format
[[nodiscard]] std::string format_stats(const StatsTable &table, std::string_view format,
                                       CsvFormulas csv_formulas = CsvFormulas::neutralise);

} // namespace borderwatch
