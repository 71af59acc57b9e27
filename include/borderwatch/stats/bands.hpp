#pragma once
/// @file
/// Distance bands and border sectors: their edges, the one `--bands` syntax, and the
/// precision rule that assigns an incident to a band or a sector (docs/incident-schema.md,
/// "Precision codes and the distance-band rule"). Used by `import` (the stored `band`),
/// `stats`, `export` (the distance_bands / border_sectors layers and every statistic) and the
/// update config. The per-precision uncertainty it applies, location_uncertainty_km(), is the
/// incidents module's (incidents/uncertainty.hpp).

#include <borderwatch/incidents/uncertainty.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// Distance bands: edges in km, ascending, starting at 0: {0,1,5,10,25,50} gives
/// "0-1","1-5","5-10","10-25","25-50",">50".
[[nodiscard]] const std::vector<double> &default_band_edges_km();
/// The one band syntax of `import --bands`, `stats --bands`, `export --bands` and the update
/// config's `export.bands_km`: comma-separated edges in km, increasing, "0," optional:
/// "0,1,5,10,25,50" and "1,5,10,25,50" are the same bands. Spaces around the commas are
/// ignored. @p what prefixes the messages ("--bands: ").
/// @return the edges, starting at 0
/// @throws UsageError naming the bad token: not a number, negative, non-finite, empty,
///         not increasing, no edge above 0, more than 1000 edges
[[nodiscard]] std::vector<double> parse_band_edges(std::string_view text,
                                                   std::string_view what = "--bands");
/// The same rules for edges given as numbers (a TOML array). @throws UsageError
[[nodiscard]] std::vector<double> band_edges_from_km(std::vector<double> edges_km,
                                                     std::string_view what = "--bands");
/// Labels of the bands for @p edges_km (without "imprecise").
[[nodiscard]] std::vector<std::string> band_labels(const std::vector<double> &edges_km);

/// A distance band [min_km, max_km) on either side; max_km nullopt = open ("> 50").
struct DistanceBand {
    double min_km = 0;
    std::optional<double> max_km;
    [[nodiscard]] std::string label() const; ///< "0-1", "1-5", ">50" (as band_labels())
};

/// The bands between @p edges_km (from parse_band_edges(): starting at 0, increasing), the
/// last one open.
[[nodiscard]] std::vector<DistanceBand> distance_bands(const std::vector<double> &edges_km);
/// Default bands 0-1, 1-5, 5-10, 10-25, 25-50, >50 km: distance_bands(default_band_edges_km()).
[[nodiscard]] std::vector<DistanceBand> default_distance_bands();
/// The edges of @p bands (inverse of distance_bands()).
[[nodiscard]] std::vector<double> band_edges(const std::vector<DistanceBand> &bands);

/// The label of the interval [value_km - uncertainty_km, value_km + uncertainty_km] when it
/// lies entirely inside one band [edge_i, edge_i+1) (the last band is open), else
/// "imprecise". With uncertainty 0 this is the ordinary band of @p value_km.
/// This is the precision rule: an incident is never put in a band finer than its location.
[[nodiscard]] std::string band_for(double value_km, double uncertainty_km,
                                   const std::vector<double> &edges_km);

/// Index of the band of band_for() in band_labels(edges_km), or -1 for "imprecise"
/// (no string work: for hot loops).
[[nodiscard]] int band_index(double value_km, double uncertainty_km,
                             const std::vector<double> &edges_km) noexcept;

/// Border sectors: chainage bins [i * sector_km, (i + 1) * sector_km), the last one ending at
/// the border's length when it is known (the sector "1300-1344.497" of a 1344.497 km border).
struct SectorGrid {
    double sector_km = 50;                  ///< > 0
    std::optional<double> border_length_km; ///< nullopt: unbounded (labels never clamped)

    /// Number of sectors of a border of known length (at least 1); 0 when unbounded.
    [[nodiscard]] std::size_t count() const noexcept;
    /// Start and end of sector @p index, km (the end clamped to the border's length).
    [[nodiscard]] double from_km(std::size_t index) const noexcept;
    [[nodiscard]] double to_km(std::size_t index) const noexcept;
    /// "0-50", "50-100", ..., "1300-1344.497".
    [[nodiscard]] std::string label(std::size_t index) const;
    /// The sector of the interval [chainage - U, chainage + U] (clipped to [0, length]: the
    /// chainage cannot leave the border) when it lies inside one sector (touching its end is
    /// allowed, as for bands), else -1 ("imprecise"). A chainage on a sector edge with U = 0
    /// belongs to the sector that starts there (the border's end to the last sector).
    [[nodiscard]] long index(double chainage_km, double uncertainty_km) const noexcept;
    /// label(index(...)) or "imprecise".
    [[nodiscard]] std::string sector_for(double chainage_km, double uncertainty_km) const;
};

/// One line of a border of several lines (and of world mode's borders): placements name it
/// by border id and 1-based part, and their chainage runs along it from 0 to length_km.
struct SectorLine {
    std::string border_id; ///< "USA-CAN"
    std::size_t part = 1;
    double length_km = 0;
    /// The line's sectors.
    [[nodiscard]] SectorGrid grid(double sector_km) const { return {sector_km, length_km}; }
    /// "USA-CAN/2:0-50": the line, then the label of its grid's sector @p index.
    [[nodiscard]] std::string label(const SectorGrid &grid, std::size_t index) const;
};

/// Where a sector label sorts: by line (border id, part) and start. The reverse of the labels
/// SectorGrid::label() ("0-50": no border id, part 0) and SectorLine::label() make.
struct SectorOrder {
    std::string border_id;
    double part = 0;
    double start_km = 0;
};
[[nodiscard]] SectorOrder sector_order(std::string_view label);

/// Sectors of a border of several lines: every line cut on its own grid. A chainage is
/// assigned by the precision rule of SectorGrid::index() along its own line.
struct LineSectors {
    double sector_km = 50;
    std::vector<SectorLine> lines;

    /// Order the lines by border id and part (find() searches them by halving).
    void sort_lines();
    /// The line of @p border_id part @p part, or nullptr (after sort_lines()).
    [[nodiscard]] const SectorLine *find(std::string_view border_id, std::size_t part) const;
    /// Its sector's label, "imprecise", or "" when the line is unknown (a row without part,
    /// stored before border_part existed, or placed against another border).
    [[nodiscard]] std::string sector_for(std::string_view border_id,
                                         std::optional<std::int64_t> part, double chainage_km,
                                         double uncertainty_km) const;
};

/// Label of a chainage sector ("0-50", "50-100", ...) or "imprecise" on an unbounded grid:
/// SectorGrid{sector_km}.sector_for(chainage_km, uncertainty_km).
[[nodiscard]] std::string sector_for(double chainage_km, double uncertainty_km, double sector_km);

} // namespace borderwatch
