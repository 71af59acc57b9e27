#pragma once
/// @file
/// The format-neutral feature model the export writers consume: a layer schema (typed
/// fields), features (geometry + one value per field + KML presentation hints), and the
/// writer interfaces every output format implements (GeoJSON, KML, GeoPackage, CSV).
/// Coordinates are WGS84 longitude/latitude in degrees (EPSG:4326, lon first).

#include <borderwatch/core/escape.hpp>
#include <borderwatch/incidents/incident_fields.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace borderwatch {

/// One attribute column of a layer (FieldType is the incident schema's: text/integer/real).
struct FieldDef {
    std::string name;
    FieldType type = FieldType::text;
};

/// Geometry type of a layer (every feature of the layer has it, or no geometry at all).
enum class GeometryType : std::uint8_t {
    point,
    line_string,
    multi_line_string,
    polygon,
    multi_polygon
};

/// Name and schema of one output layer.
struct LayerSchema {
    std::string name; ///< "incidents", "border", ... (file stem / table name)
    GeometryType geometry_type = GeometryType::point;
    std::vector<FieldDef> fields;
};

/// A position: longitude, latitude in degrees.
struct LonLat {
    double lon = 0;
    double lat = 0;
};

/// The lon/lat bounding box of positions (empty until the first add: valid() false).
struct LonLatBox {
    double west = std::numeric_limits<double>::infinity();
    double south = std::numeric_limits<double>::infinity();
    double east = -std::numeric_limits<double>::infinity();
    double north = -std::numeric_limits<double>::infinity();
    void add(const LonLat &p) noexcept {
        west = std::min(west, p.lon);
        east = std::max(east, p.lon);
        south = std::min(south, p.lat);
        north = std::max(north, p.lat);
    }
    void add(const LonLatBox &b) noexcept {
        west = std::min(west, b.west);
        east = std::max(east, b.east);
        south = std::min(south, b.south);
        north = std::max(north, b.north);
    }
    [[nodiscard]] bool valid() const noexcept { return west <= east; }
};

/// A geometry of the layer's type. Layout of `parts` (outer vector = parts, then rings,
/// then positions):
///  - point: parts[0][0][0]; line_string: parts[0][0]; multi_line_string: parts[i][0];
///  - polygon: parts[0] = rings (exterior first); multi_polygon: parts[i] = rings.
/// Writers take care of winding order (RFC 7946 right-hand rule) themselves.
/// An empty `parts` means "no geometry" (written as null).
struct Geometry {
    GeometryType type = GeometryType::point;
    std::vector<std::vector<std::vector<LonLat>>> parts;

    [[nodiscard]] bool empty() const noexcept { return parts.empty(); }
    /// Make this a point (reusing allocated memory).
    void set_point(double lon, double lat);
    /// Make this a two-position line string (reusing allocated memory).
    void set_segment(LonLat a, LonLat b);
    /// Make this a multi line string along the geodesic from @p a to @p b (geodesic_path():
    /// steps of at most @p max_step_m, at most @p max_steps of them), cut in two where it
    /// crosses the antimeridian (RFC 7946 3.1.9: no part's representation crosses it).
    void set_geodesic_line(LonLat a, LonLat b, double max_step_m, int max_steps);
    void clear() noexcept { parts.clear(); }
};

/// An attribute value: null, text, integer or real. Text is a view: it must stay valid
/// until the LayerWriter::write() call that receives it returns.
using Value = std::variant<std::monostate, std::string_view, std::int64_t, double>;

/// One feature of a layer. Reuse one object per layer in hot loops: writers never keep
/// references past write().
struct Feature {
    Geometry geometry;
    std::vector<Value> values; ///< one per LayerSchema::fields entry, same order
    // --- presentation hints (used by KML; ignored by the other formats) ---
    std::string name;        ///< Placemark name
    std::string description; ///< readable description (plain text; writers escape it)
    std::string style;       ///< shared style id (KML styleUrl "#<style>")
    std::string time_begin;  ///< ISO date; equal to time_end → TimeStamp, else TimeSpan
    std::string time_end;
};

/// Writes the features of one layer. Obtained from FormatWriter::open_layer().
class LayerWriter {
  public:
    virtual ~LayerWriter() = default;
    /// @throws IoError / GdalError on write failure
    virtual void write(const Feature &feature) = 0;
    /// Features written so far.
    [[nodiscard]] virtual std::uint64_t count() const noexcept = 0;
};

/// One file written by a format writer, for the manifest.
struct OutputFile {
    std::filesystem::path path;                                ///< final path (after commit)
    std::string format;                                        ///< "geojson", "kml", "gpkg", "csv"
    std::vector<std::pair<std::string, std::uint64_t>> layers; ///< layer → feature count
    std::string sha256;      ///< hex digest if the writer hashed while writing, else ""
    std::uint64_t bytes = 0; ///< size if sha256 is set
};

/// One output format. Layers may be open at the same time (incidents and connectors are
/// written in the same pass). Nothing is visible at the final paths before commit();
/// destroying an uncommitted writer removes every temporary file.
class FormatWriter {
  public:
    virtual ~FormatWriter() = default;
    /// Start a layer; the returned writer lives as long as this FormatWriter.
    virtual LayerWriter &open_layer(const LayerSchema &schema) = 0;
    /// Finish every layer and write the temporaries (flushed, fsync'ed) but do not rename.
    virtual void finish() = 0;
    /// Temporary → final path for each file (rename + directory fsync). Call after finish().
    virtual void commit() = 0;
    /// The files this writer produces, with per-layer counts (valid after finish()).
    [[nodiscard]] virtual std::vector<OutputFile> files() const = 0;
};

/// Where styles come from and how KML styles look (see styles/kml_styles.json).
struct ExportStyles {
    std::filesystem::path dir; ///< directory holding <layer>.qml and kml_styles.json
};

/// GeoJSON (RFC 7946): one "<layer>.geojson" per layer in @p dir; coordinates rounded to
/// 7 decimals, polygons wound right-hand, bbox on the collection and on every non-point
/// feature, no "crs" member. Streaming: memory does not depend on the feature count.
[[nodiscard]] std::unique_ptr<FormatWriter> make_geojson_writer(const std::filesystem::path &dir);

/// GeoJSON text sequence: one "<layer>.geojsonl" per layer in @p dir, one Feature per line
/// (newline-delimited, what GDAL's GeoJSONSeq driver and `jq -c` read), the features exactly
/// as make_geojson_writer() writes them. Files of several runs concatenate into one layer.
[[nodiscard]] std::unique_ptr<FormatWriter>
make_geojsonseq_writer(const std::filesystem::path &dir);

/// FlatGeobuf through GDAL's driver: one "<layer>.fgb" per layer in @p dir, EPSG:4326, with
/// the packed Hilbert R-tree (features come out in the index's order). FlatGeobuf cannot
/// hold a feature without geometry: such features (unlocated incidents) are left out, and
/// the layer's count says what the file holds.
/// @throws GdalError when GDAL cannot create or write a file
[[nodiscard]] std::unique_ptr<FormatWriter> make_fgb_writer(const std::filesystem::path &dir);

/// CSV: one "<layer>.csv" per layer in @p dir, first column "WKT" (EPSG:4326 lon/lat),
/// then the fields. Streaming. Text cells a spreadsheet would run as formulas are neutralised
/// unless @p formulas is CsvFormulas::raw (see csv_formula_risk in core/escape.hpp).
[[nodiscard]] std::unique_ptr<FormatWriter>
make_csv_writer(const std::filesystem::path &dir, CsvFormulas formulas = CsvFormulas::neutralise);

/// KML 2.2: one document @p file with a Folder per layer, shared Styles from
/// `<styles.dir>/kml_styles.json`, TimeStamp/TimeSpan and ExtendedData (SchemaData).
/// Layers after the first are spooled to temporary siblings and appended at finish().
/// @throws DataError if the style file is missing or malformed
[[nodiscard]] std::unique_ptr<FormatWriter> make_kml_writer(const std::filesystem::path &file,
                                                            const ExportStyles &styles);

/// GeoPackage 1.2 written through SQLite directly (the tables, triggers and metadata GDAL's
/// GPKG driver writes): every layer in one file, one transaction, R-tree spatial indexes
/// packed in bulk at finish(), and each layer's `<styles.dir>/<layer>.qml` stored in
/// `layer_styles` with useAsDefault=1 so QGIS opens the layers styled. Memory: 24 bytes per
/// feature for the R-tree until finish().
/// @throws IoError on any SQLite failure (message names the file and layer)
[[nodiscard]] std::unique_ptr<FormatWriter> make_gpkg_writer(const std::filesystem::path &file,
                                                             const ExportStyles &styles);

/// Debian's libjs-leaflet: /usr/share/javascript/leaflet.
[[nodiscard]] std::filesystem::path default_leaflet_dir();

/// A self-contained HTML map @p file (Leaflet 1.x): Leaflet's script and stylesheet read from
/// @p leaflet_dir and inlined; every layer inlined as JSON in a <script type="application/json">
/// (every '<' written as \u003c; coordinates with 5 decimals, about 1 m); the map's own script
/// and stylesheet built into the program; symbols and legend from
/// `<styles.dir>/kml_styles.json`. A Content-Security-Policy of default-src 'none' keeps the
/// page from loading anything. The first layer streams into the file; the others are spooled
/// to temporary siblings (as JSON text) and appended at finish().
/// @throws DataError if Leaflet or the style file is missing
[[nodiscard]] std::unique_ptr<FormatWriter>
make_html_writer(const std::filesystem::path &file, const ExportStyles &styles,
                 const std::filesystem::path &leaflet_dir);

} // namespace borderwatch
