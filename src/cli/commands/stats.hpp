#pragma once
// `borderwatch stats` as its parse step leaves it (for tests of setup() / validate()).

#include "cli/command.hpp"

#include <borderwatch/query/filter_spec.hpp>
#include <borderwatch/stats/stats.hpp>

#include <string>

namespace borderwatch::cli {

class StatsCommand : public Command {
  public:
    /// The statistics options as parsed and validated (by, band_edges_km, sector_km); run()
    /// adds the border's length when grouping by sector.
    [[nodiscard]] virtual const StatsOptions &options() const = 0;
    [[nodiscard]] virtual const FilterSpec &filter() const = 0;
    /// --format: table, csv, json or markdown
    [[nodiscard]] virtual const std::string &format() const = 0;
};

} // namespace borderwatch::cli
