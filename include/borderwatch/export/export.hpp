#pragma once
/// @file
/// `borderwatch export`: map layers (incidents, border, border_sectors, distance_bands,
/// admin_stats, connectors, uncertainty) from a stream of placed incidents, in GeoJSON, KML,
/// GeoPackage, CSV and a self-contained HTML map, plus a manifest.json, written into a run
/// directory and published as a set (export/publish.hpp: OUT/current → OUT/.runs/<run>, OUT/<file>
/// → current/<file>).

#include <borderwatch/core/progress.hpp>
#include <borderwatch/core/protected_paths.hpp>
#include <borderwatch/export/feature.hpp>
#include <borderwatch/incidents/incident.hpp>
#include <borderwatch/linking/event_clusters.hpp>
#include <borderwatch/stats/bands.hpp>
#include <borderwatch/stats/stats.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace borderwatch {

/// One line of a border of several lines (USA-CAN; world mode: every border's lines).
struct BorderGeometryLine {
    std::string border_id;                  ///< the border it belongs to
    std::string left;                       ///< ISO3 on the left (walking start → end)
    std::string right;                      ///< ISO3 on the right
    std::size_t part = 1;                   ///< 1-based number within its border
    double length_km = 0;                   ///< geodesic length
    std::vector<LonLat> vertices;           ///< start → end
    std::vector<double> vertex_chainage_km; ///< geodesic km from the line's start, per vertex
};

/// The border as the export needs it (from the border engine or geodata/): one line in
/// `vertices`, or, for a border of several lines and world mode, `lines` (`vertices` empty).
struct BorderGeometry {
    std::string id;         ///< "TJK-AFG"
    std::string left;       ///< ISO3 of the country on the left (walking start → end)
    std::string right;      ///< ISO3 on the right
    std::string source;     ///< attribution
    std::string start_name; ///< e.g. "AFG-TJK-UZB tripoint"
    std::string end_name;
    double length_km = 0;                   ///< geodesic length
    std::vector<LonLat> vertices;           ///< west → east (start → end)
    std::vector<double> vertex_chainage_km; ///< geodesic km from the start, per vertex
    std::vector<BorderGeometryLine> lines;  ///< several lines: each (else empty)
    bool world = false;                     ///< world mode ("nearest"): lines of every border
};

/// Make @p options' sectors those of @p border: its length (one line), or its lines
/// (sectors per line, "USA-CAN/2:0-50"). The one rule of `stats --by sector` and `export`.
void use_border_sectors(StatsOptions &options, const BorderGeometry &border);

/// Load border @p id ("TJK-AFG", "TJK-CHN") from `<geodata>/borders.geojson`, computing
/// vertex chainage with geodesics (WGS84).
/// @throws DataError if the file or the id is missing
[[nodiscard]] BorderGeometry load_border_geometry(const std::filesystem::path &geodata_dir,
                                                  const std::string &id = "TJK-AFG");

class BorderEngine;

/// The border of a loaded engine (any border it accepts: canonical, Natural Earth pair or
/// a user file); start/end names are taken from borders.geojson when the id is there.
[[nodiscard]] BorderGeometry border_geometry(const BorderEngine &engine);

/// load_border_geometry() for ids in borders.geojson, else through BorderEngine::load()
/// (Natural Earth country pairs "AAA-BBB", user line files).
/// @throws UsageError / DataError / GdalError as BorderEngine::load
[[nodiscard]] BorderGeometry resolve_border_geometry(const std::string &border,
                                                     const std::filesystem::path &geodata = {});

/// Output formats.
enum class ExportFormat : std::uint8_t { geojson, kml, gpkg, csv, html, geojsonseq, fgb };

/// Parse "geojson,kml,gpkg,csv,html,geojsonseq,fgb" (any subset, any order; "all" = geojson,
/// kml, gpkg and csv: the HTML map needs Leaflet installed, and the stream/cluster formats
/// GeoJSONSeq and FlatGeobuf are asked for by name). @throws UsageError
[[nodiscard]] std::vector<ExportFormat> parse_export_formats(const std::string &list);
/// "geojson" etc.
[[nodiscard]] const char *to_string(ExportFormat format) noexcept;

/// What to export and where.
struct ExportOptions {
    std::filesystem::path out_dir; ///< created if missing
    std::vector<ExportFormat> formats{ExportFormat::geojson, ExportFormat::kml, ExportFormat::gpkg,
                                      ExportFormat::csv};
    bool overwrite = false; ///< replace existing outputs (else refuse)
    /// CSV cells starting with = + - @ TAB CR: neutralised (prefixed ') or kept raw.
    CsvFormulas csv_formulas = CsvFormulas::neutralise;
    double sector_km = 50; ///< border_sectors length, km (> 0)
    std::vector<DistanceBand> bands = default_distance_bands();
    bool admin_stats = true;           ///< admin_stats layer (needs geodata admin1/2)
    bool distance_bands = true;        ///< distance_bands layer (needs geodata countries)
    std::filesystem::path geodata_dir; ///< admin1/admin2/countries; empty = geodata_dir()
    std::filesystem::path styles_dir;  ///< .qml + kml_styles.json; empty = styles_dir()
    /// Leaflet (leaflet.min.js or leaflet.js, leaflet.css) inlined into the html format;
    /// empty = default_leaflet_dir().
    std::filesystem::path leaflet_dir;
    std::string store_description;  ///< for the manifest ("GeoPackage x.gpkg")
    std::string store_state;        ///< IncidentStore::state() for the manifest
    std::string filter_description; ///< human-readable filter, for the manifest
    /// Deterministic output for goldens: the manifest's generated_at is this value if set.
    std::string generated_at;
    /// Expected number of incidents (for progress only; 0 = unknown).
    std::uint64_t expected_incidents = 0;
    /// Extra members copied into manifest.json's "extra" object (JSON text, may be empty);
    /// `borderwatch update` records its config hash here.
    std::string manifest_extra_json;
    /// Files no output may replace, whatever `overwrite` says (the store, the inputs, the
    /// update state): a collision is a UsageError naming both paths.
    std::vector<ProtectedPath> protected_paths;
    /// Event clusters over the exported incidents (`--no-link`: automatic = false): the
    /// incidents carry event_cluster / cluster_size, the statistics count each event once.
    LinkOptions link;
    /// The incidents for linking (the same as export_layers()'s source, but a store may hand
    /// them out as stored: StoredText::raw, so text repairs are counted once); empty = source.
    IncidentSource link_source;
};

// IncidentSource (linking/event_clusters.hpp) feeds every incident to the callback, e.g.
// IncidentStore::query bound to a filter; export_layers() calls it twice (events, then rows).

/// Progress: stage name ("incidents", "border_sectors", ..., "commit"), items done and
/// the expected total (0 when unknown). Called at most every few thousand items.
using ExportProgress = ProgressCallback;

/// One file of an export, as listed in the manifest.
struct ManifestFile {
    std::string path; ///< relative to the export directory
    std::string format;
    std::uint64_t bytes = 0;
    std::string sha256;                                        ///< lowercase hex
    std::vector<std::pair<std::string, std::uint64_t>> layers; ///< feature count per layer
};

/// What an export wrote.
struct ExportResult {
    std::vector<ManifestFile> files;
    std::uint64_t incidents = 0; ///< incidents exported
    std::uint64_t incidents_without_location = 0;
    /// Rows folded into another row's event (event clusters): the statistics count events.
    std::uint64_t merged_rows = 0;
    std::filesystem::path manifest; ///< OUT/manifest.json (a link into the current run)
    std::filesystem::path run_dir;  ///< the published run, OUT/.runs/<run>
    std::string run;                ///< its name, also manifest.json's "run"
    /// What the export left out and why (also in manifest.json's "notes"), e.g. the
    /// distance_bands polygons of world mode.
    std::vector<std::string> notes;
};

/// Export every incident from @p source with @p border to the formats in @p options.
/// Every file and then manifest.json are written and fsync'ed in a new run directory, which
/// becomes OUT/current in one rename; the previous run's files that this run does not
/// have disappear from OUT with it (one consistent run), and older runs are pruned.
/// @throws IoError when OUT holds an export and !overwrite (before anything is written),
///         UsageError when an output would replace a protected path, GdalError, DataError
///         (geodata/styles missing)
ExportResult export_layers(const ExportOptions &options, const IncidentSource &source,
                           const BorderGeometry &border, const ExportProgress &progress = {});

/// Names of the files export_layers() writes for @p formats (relative to out_dir),
/// manifest.json excluded.
[[nodiscard]] std::vector<std::string> export_file_names(const std::vector<ExportFormat> &formats);

/// Layer names in output order.
[[nodiscard]] const std::vector<std::string> &export_layer_names();

} // namespace borderwatch
