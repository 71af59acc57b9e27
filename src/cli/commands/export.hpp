#pragma once
// `borderwatch export` as its parse step leaves it (for tests of setup() / validate()).

#include "cli/command.hpp"

#include <borderwatch/export/export.hpp>
#include <borderwatch/query/filter_spec.hpp>

#include <string>

namespace borderwatch::cli {

class ExportCommand : public Command {
  public:
    /// The library's options as parsed and validated (out_dir, formats, sector_km, bands,
    /// overwrite, csv_formulas, geodata_dir); run() adds the store's facts.
    [[nodiscard]] virtual const ExportOptions &options() const = 0;
    [[nodiscard]] virtual const FilterSpec &filter() const = 0;
    /// --store, else $BORDERWATCH_STORE or borderwatch.gpkg
    [[nodiscard]] virtual std::string store_spec() const = 0;
    [[nodiscard]] virtual const std::string &border() const = 0;
};

} // namespace borderwatch::cli
