// borderwatch export: map layers from the store (see include/borderwatch/export/export.hpp).
#include "cli/commands/export.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/incidents_common.hpp"
#include "cli/progress.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/export/export.hpp>
#include <borderwatch/query/filter_spec.hpp>
#include <borderwatch/stats/bands.hpp>
#include <borderwatch/store/store.hpp>

#include <iostream>

namespace borderwatch::cli {

namespace {

class ExportCommandImpl final : public ExportCommand {
  public:
    void setup(CLI::App &app) override {
        app.add_option("-o,--out", m_out, "output directory (created if missing)")
            ->required()
            ->type_name("DIR");
        app.add_option("--formats", m_formats,
                       "comma-separated formats: geojson,kml,gpkg,csv,html,geojsonseq,fgb "
                       "(default all = geojson,kml,gpkg,csv)")
            ->type_name("LIST");
        app.add_option("--store", m_store,
                       "incident store: FILE.gpkg or PG:... (default $BORDERWATCH_STORE or "
                       "borderwatch.gpkg)")
            ->type_name("STORE");
        app.add_option(
               "--border", m_border,
               "border: TJK-AFG (default), TJK-CHN, any AAA-BBB country pair, nearest (world "
               "mode: every border; its rows were imported with --border nearest), or a line "
               "file. A border of several lines (USA-CAN) and nearest: the border layer holds "
               "one MultiLineString per border, sectors run along each line from its start "
               "(labelled BORDER/PART:FROM-TO, e.g. USA-CAN/2:0-50), and in world mode no band "
               "polygons are built (said on stderr and in the manifest's notes)")
            ->type_name("ID");
        app.add_option("--sector-km", m_sector_km,
                       "length of the border sectors, km (default 50; at most 1,000,000 sectors)")
            ->type_name("KM");
        add_bands_option(app, m_bands, "distance bands (distance_bands layer, band column)");
        add_overwrite_option(app, m_overwrite);
        add_csv_raw_formulas_option(app, m_csv_raw_formulas);
        add_query_filter_options(app, m_filter);
        add_no_link_option(app, m_no_link);
        app.footer(
            "Layers: incidents, border, border_sectors, distance_bands, admin_stats, connectors,\n"
            "uncertainty. Incidents carry event_cluster and cluster_size (rows reporting one\n"
            "event share a cluster; the statistics layers count each event once, as 'stats'\n"
            "does; the manifest's merged_rows says how many rows were folded) and\n"
            "uncertainty_m (metres from their point they may lie, by their precision: 0\n"
            "exact, 10 km near a place, the extent of their district / province / country,\n"
            "100 km linear feature; empty when unknown); the uncertainty layer draws that\n"
            "region (geodesic circle or the unit's polygon); connectors are drawn only for\n"
            "precise incidents. Polygons are snap-rounded to the 1e-7 degree grid of the\n"
            "7-decimal outputs, so they stay valid in every format.\n"
            "Files: <layer>.geojson (RFC 7946), <layer>.csv (WKT), borderwatch.kml (KML 2.2),\n"
            "borderwatch.gpkg (all layers, QGIS styles embedded), map.html (html: one\n"
            "self-contained page - Leaflet from Debian's libjs-leaflet and every layer inlined,\n"
            "no tiles, no network - with a layer switcher, legend, popups, a date filter and\n"
            "statistics; open it in any browser), <layer>.geojsonl (geojsonseq: one Feature per\n"
            "line, for jq, Spark and Hadoop; files concatenate), <layer>.fgb (fgb: FlatGeobuf\n"
            "through GDAL, Hilbert R-tree; it cannot hold features without geometry, so\n"
            "unlocated incidents are left out of it), and manifest.json (written last).\n"
            "Each export is written into DIR/.runs/<run>/ and published as a set by swapping the\n"
            "symlink DIR/current (readers of DIR/current/ see one whole run); DIR/<file> links to\n"
            "current/<file>; the previous run is kept, older ones are removed. --overwrite\n"
            "replaces a previous export, never the store (refused, exit 2).\n"
            "Prints one line per file (path, format, features) on stdout.\n"
            "Text the store holds that is not valid UTF-8 (or holds NUL / control characters,\n"
            "e.g. after edits by another tool) is replaced in every file and counted in one\n"
            "warning.\n\n"
            "Examples:\n"
            "  borderwatch export --store incidents.gpkg --out layers/\n"
            "  borderwatch export --out layers/ --formats gpkg,kml --side TJK --within-km 25 "
            "--overwrite\n"
            "  borderwatch export --out layers/ --formats html --within-km 50\n\n" +
            exit_status_footer());
    }

    void validate() override {
        m_options.out_dir = m_out;
        m_options.formats = parse_export_formats(m_formats);
        if (!(m_sector_km > 0)) {
            throw UsageError("--sector-km must be > 0");
        }
        m_options.sector_km = m_sector_km;
        m_options.bands =
            distance_bands(m_bands.empty() ? default_band_edges_km() : parse_band_edges(m_bands));
        m_options.overwrite = m_overwrite;
        m_options.csv_formulas = m_csv_raw_formulas ? CsvFormulas::raw : CsvFormulas::neutralise;
        m_options.geodata_dir = globals().geodata;
        validate_filter_spec(m_filter);
    }

    int run() override {
        const std::filesystem::path geodata = globals().geodata;
        const auto filter = resolve_filter_reporting(m_filter, geodata, "export", globals());
        StoreOpenOptions open;
        open.create_if_missing = false;
        const auto spec = store_spec();
        const auto store = open_store(spec, open);
        const auto border = resolve_border_geometry(m_border, geodata);

        ExportOptions options = m_options;
        options.store_description = store->describe();
        options.store_state = store->state();
        options.filter_description = m_filter.describe();
        options.expected_incidents = filter.empty() ? store->count() : 0;
        options.link.automatic = !m_no_link;
        options.link_source = [&](const std::function<void(const Incident &)> &sink) {
            store->query(filter, sink, StoredText::raw);
        };
        if (!is_postgis_spec(spec)) {
            options.protected_paths.push_back({spec, "the active store"});
        }

        ProgressRenderer progress(globals(), "export:");
        const auto result = export_layers(
            options,
            [&](const std::function<void(const Incident &)> &sink) { store->query(filter, sink); },
            border, progress.callback());
        progress.clear();
        if (!globals().quiet) {
            for (const auto &note : result.notes) {
                std::cerr << "export: note: " << note << '\n';
            }
            for (const auto &f : result.files) {
                std::uint64_t features = 0;
                for (const auto &[layer, n] : f.layers) {
                    features += n;
                }
                std::cout << (options.out_dir / f.path).string() << '\t' << f.format << '\t'
                          << features << " features\n";
            }
            std::cout << result.manifest.string() << "\tmanifest\t" << result.incidents
                      << " incidents\n";
        }
        warn_text_repairs(*store, globals());
        return exit_ok;
    }

    const ExportOptions &options() const override { return m_options; }
    const FilterSpec &filter() const override { return m_filter; }
    std::string store_spec() const override {
        return m_store.empty() ? default_store_spec() : m_store;
    }
    const std::string &border() const override { return m_border; }

  private:
    std::string m_out;
    std::string m_formats = "all";
    std::string m_store;
    std::string m_border = "TJK-AFG";
    double m_sector_km = 50;
    std::string m_bands;
    bool m_overwrite = false;
    bool m_csv_raw_formulas = false;
    bool m_no_link = false;
    FilterSpec m_filter;
    ExportOptions m_options;
};

} // namespace

std::unique_ptr<Command> make_export_command() {
    return std::make_unique<ExportCommandImpl>();
}

} // namespace borderwatch::cli
