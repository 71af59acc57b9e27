// The export pipeline: one pass over the incidents (this thread: read, build each row's
// features once, accumulate the statistics) feeds every format, each writing on its own
// thread (FanOut, a bounded ring); the band polygons are built meanwhile on another thread.
// Then the border, sectors, bands and admin layers follow; every writer finishes (all bytes
// written and fsync'ed, in parallel) in a private run directory with manifest.json last, and
// the run is published as a set by swapping OUT/current (export/publish.hpp).

#include <borderwatch/export/export.hpp>

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/parallel.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/sha256.hpp>
#include <borderwatch/core/utc_time.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/geodesy/geodesic.hpp>
#include <borderwatch/incidents/incident_fields.hpp>
#include <borderwatch/incidents/uncertainty.hpp>
#include <borderwatch/linking/event_clusters.hpp>
#include <borderwatch/placement/border_engine.hpp>
#include <borderwatch/stats/stats.hpp>

#include "export/detail/bands.hpp"
#include "export/detail/fanout.hpp"
#include "export/detail/geodata_read.hpp"
#include "export/detail/publish.hpp"
#include "export/detail/uncertainty.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <future>
#include <limits>
#include <map>
#include <thread>
#include <tuple>

namespace borderwatch {

namespace {

// ---------------------------------------------------------------------------------------
// Statistics: one StatsAccumulator (stats/stats.hpp, the engine of `borderwatch stats`) with
// one grouping per statistics layer, so every layer equals `stats --by ...` on the same
// incidents: the precision rule decides band, sector and what enters the distance statistics.

/// The groupings of the export's statistics layers, in ExportStatistics order.
std::vector<std::vector<StatsKey>> export_groupings() {
    return {{StatsKey::sector},
            {StatsKey::side, StatsKey::band},
            {StatsKey::side, StatsKey::admin1},
            {StatsKey::side, StatsKey::admin1, StatsKey::admin2},
            {StatsKey::border}};
}

/// The finished tables of export_groupings().
struct ExportStatistics {
    StatsTable sectors; ///< by sector (`stats --by sector`)
    StatsTable bands;   ///< by side, band (`stats --by side,band`)
    StatsTable admin1;  ///< by side, admin1
    StatsTable admin2;  ///< by side, admin1, admin2
    StatsTable borders; ///< by border (the border layer of world mode)

    explicit ExportStatistics(std::vector<StatsTable> tables)
        : sectors(std::move(tables.at(0))), bands(std::move(tables.at(1))),
          admin1(std::move(tables.at(2))), admin2(std::move(tables.at(3))),
          borders(std::move(tables.at(4))) {}
    [[nodiscard]] const GroupStats &total() const noexcept { return sectors.total; }
};

/// Statistics options of an export: its bands, sectors and border.
StatsOptions export_stats_options(const ExportOptions &options, const BorderGeometry &border) {
    StatsOptions o;
    o.band_edges_km = band_edges(options.bands);
    o.sector_km = options.sector_km;
    use_border_sectors(o, border);
    return o;
}

/// km rounded to the metre, as `stats --format json` rounds.
Value km3(const std::optional<double> &km) {
    return km ? Value{std::round(*km * 1000.0) / 1000.0} : Value{};
}

/// The statistics fields of border_sectors, distance_bands and admin_stats (named as the
/// columns of `stats`; precise + imprecise + unplaced = count; the distances over the
/// precise incidents only).
const std::vector<FieldDef> k_stat_fields = {
    {"count", FieldType::integer},       {"fatalities", FieldType::integer},
    {"precise", FieldType::integer},     {"imprecise", FieldType::integer},
    {"unplaced", FieldType::integer},    {"dist_min_km", FieldType::real},
    {"dist_median_km", FieldType::real}, {"dist_mean_km", FieldType::real},
    {"dist_p90_km", FieldType::real},    {"dist_max_km", FieldType::real}};

void append_stat_values(std::vector<Value> &values, const GroupStats *s) {
    static const GroupStats none;
    const auto &g = s != nullptr ? *s : none;
    values.emplace_back(static_cast<std::int64_t>(g.count));
    values.emplace_back(static_cast<std::int64_t>(g.fatalities));
    values.emplace_back(static_cast<std::int64_t>(g.precise()));
    values.emplace_back(static_cast<std::int64_t>(g.imprecise));
    values.emplace_back(static_cast<std::int64_t>(g.unplaced));
    for (const auto &v : {g.min_km, g.median_km, g.mean_km, g.p90_km, g.max_km}) {
        values.push_back(km3(v));
    }
}

/// "12 incidents (3 imprecise), 4 fatalities" (KML descriptions, feature popups).
std::string describe_group(const GroupStats *s) {
    const std::size_t count = s != nullptr ? s->count : 0;
    const std::size_t imprecise = s != nullptr ? s->imprecise : 0;
    const std::int64_t fatalities = s != nullptr ? s->fatalities : 0;
    return std::to_string(count) + " incidents" +
           (imprecise > 0 ? " (" + std::to_string(imprecise) + " imprecise)" : std::string()) +
           ", " + std::to_string(fatalities) + " fatalities";
}

// ---------------------------------------------------------------------------------------
// Layer schemas

LayerSchema incidents_schema() {
    LayerSchema s{"incidents", GeometryType::point, {}};
    for (const auto &f : incident_fields()) {
        s.fields.push_back({std::string(f.name), f.type});
    }
    s.fields.push_back({"border_distance_km", FieldType::real});
    s.fields.push_back({"sector", FieldType::text});
    s.fields.push_back({"uncertainty_m", FieldType::real});
    s.fields.push_back({"event_cluster", FieldType::text});
    s.fields.push_back({"cluster_size", FieldType::integer});
    return s;
}

LayerSchema uncertainty_schema() {
    return {"uncertainty",
            GeometryType::multi_polygon,
            {{"id", FieldType::text},
             {"event_type", FieldType::text},
             {"precision", FieldType::integer},
             {"place_score", FieldType::real},
             {"coord_origin", FieldType::text},
             {"uncertainty_m", FieldType::real},
             {"shape", FieldType::text},
             {"unit", FieldType::text}}};
}

LayerSchema connectors_schema() {
    return {"connectors",
            GeometryType::multi_line_string,
            {{"id", FieldType::text},
             {"event_type", FieldType::text},
             {"side", FieldType::text},
             {"band", FieldType::text},
             {"border_distance_m", FieldType::real},
             {"border_distance_km", FieldType::real},
             {"chainage_km", FieldType::real}}};
}

/// The border layer: a LineString, or one MultiLineString per border of several lines.
LayerSchema border_schema(const BorderGeometry &border) {
    return {"border",
            border.lines.empty() ? GeometryType::line_string : GeometryType::multi_line_string,
            {{"id", FieldType::text},
             {"left", FieldType::text},
             {"right", FieldType::text},
             {"source", FieldType::text},
             {"start_name", FieldType::text},
             {"end_name", FieldType::text},
             {"vertices", FieldType::integer},
             {"length_km", FieldType::real},
             {"incidents", FieldType::integer},
             {"fatalities", FieldType::integer},
             {"precise", FieldType::integer},
             {"imprecise", FieldType::integer},
             {"unplaced", FieldType::integer}}};
}

LayerSchema sectors_schema() {
    LayerSchema s{"border_sectors",
                  GeometryType::line_string,
                  {{"sector", FieldType::text},
                   {"sector_index", FieldType::integer},
                   {"from_km", FieldType::real},
                   {"to_km", FieldType::real},
                   {"border_id", FieldType::text},
                   {"part", FieldType::integer}}};
    s.fields.insert(s.fields.end(), k_stat_fields.begin(), k_stat_fields.end());
    return s;
}

LayerSchema bands_schema() {
    LayerSchema s{"distance_bands",
                  GeometryType::multi_polygon,
                  {{"side", FieldType::text},
                   {"band", FieldType::text},
                   {"min_km", FieldType::real},
                   {"max_km", FieldType::real}}};
    s.fields.insert(s.fields.end(), k_stat_fields.begin(), k_stat_fields.end());
    return s;
}

LayerSchema admin_schema() {
    LayerSchema s{"admin_stats",
                  GeometryType::multi_polygon,
                  {{"level", FieldType::integer},
                   {"id", FieldType::text},
                   {"iso3", FieldType::text},
                   {"admin1", FieldType::text},
                   {"name", FieldType::text}}};
    s.fields.insert(s.fields.end(), k_stat_fields.begin(), k_stat_fields.end());
    return s;
}

// ---------------------------------------------------------------------------------------
// Helpers

/// How well the location is known, for descriptions: "location: district (precision 3),
/// within 23.4 km; confidence 0.95".
std::string location_quality(const Incident &in, std::optional<double> uncertainty_m) {
    if (!in.precision && !in.place_score) {
        return {};
    }
    std::string q = "location: " + std::string(precision_meaning(in.precision)) + " (precision " +
                    (in.precision ? std::to_string(*in.precision) : std::string("?")) + ")";
    if (uncertainty_m && *uncertainty_m > 0) {
        q += ", within " + format_fixed(*uncertainty_m / 1000.0, 1) + " km";
    }
    if (in.place_score) {
        q += "; confidence " + format_fixed(*in.place_score, 2);
    }
    return q;
}

/// Readable one-line Placemark description: what happened, who, how many died, where
/// relative to the border ("Battles / Armed clash; A vs B; 3 fatalities (2-5); AFG, 1.25 km
/// from the border"). Every field is in ExtendedData, which the layer's BalloonStyle shows
/// as a table, so the description does not repeat them (it was 11% of a KML export); the
/// precision and confidence are repeated in words (location_quality()).
std::string describe(const Incident &in, std::optional<double> uncertainty_m) {
    std::string d = in.event_type;
    if (!in.sub_event_type.empty()) {
        d += (d.empty() ? "" : " / ") + in.sub_event_type;
    }
    const auto part = [&d](const std::string &text) {
        if (!text.empty()) {
            d += (d.empty() ? "" : "; ") + text;
        }
    };
    part(in.actor2.empty() ? in.actor1 : in.actor1 + " vs " + in.actor2);
    if (in.fatalities_best) {
        std::string f = std::to_string(*in.fatalities_best) + " fatalities";
        if (in.fatalities_low && in.fatalities_high &&
            (*in.fatalities_low != *in.fatalities_best ||
             *in.fatalities_high != *in.fatalities_best)) {
            f += " (" + std::to_string(*in.fatalities_low) + "-" +
                 std::to_string(*in.fatalities_high) + ")";
        }
        part(f);
    }
    if (in.border_distance_m) {
        part((in.side.empty() ? "" : in.side + ", ") +
             format_fixed(*in.border_distance_m / 1000.0, 3) + " km from the border");
    }
    part(location_quality(in, uncertainty_m));
    return d;
}

/// A line between chainages [from_km, to_km], exact geodesic interpolation at the ends.
std::vector<LonLat> line_piece(const std::vector<LonLat> &vertices,
                               const std::vector<double> &chainage_km, double from_km,
                               double to_km) {
    const auto point_at = [&](double km) -> LonLat {
        const auto &ch = chainage_km;
        if (km <= ch.front()) {
            return vertices.front();
        }
        if (km >= ch.back()) {
            return vertices.back();
        }
        const auto it = std::upper_bound(ch.begin(), ch.end(), km);
        const auto i = static_cast<std::size_t>(it - ch.begin()) - 1;
        const auto &a = vertices[i];
        const auto &c = vertices[i + 1];
        const auto inv = geodesic_inverse(a.lon, a.lat, c.lon, c.lat);
        const auto p = geodesic_direct(a.lon, a.lat, inv.azimuth1_deg, (km - ch[i]) * 1000.0);
        return {p[0], p[1]};
    };
    std::vector<LonLat> out;
    out.push_back(point_at(from_km));
    const auto first = std::upper_bound(chainage_km.begin(), chainage_km.end(), from_km);
    for (auto it = first; it != chainage_km.end() && *it < to_km; ++it) {
        out.push_back(vertices[static_cast<std::size_t>(it - chainage_km.begin())]);
    }
    out.push_back(point_at(to_km));
    return out;
}

/// Every writer of the run, with the layer writers of each.
struct Outputs {
    std::vector<std::unique_ptr<FormatWriter>> writers;
    std::vector<std::vector<LayerWriter *>> layers; // [layer index][writer index]
    detail::GeosContext geos;                       // this thread's, for the snap-rounding

    /// Polygons are snap-rounded here, once for every format (the uncertainty regions are
    /// snapped when built: UncertaintyRegions caches them).
    void write(std::size_t layer, Feature &f) {
        detail::snap_to_output_grid(geos, f.geometry);
        for (auto *w : layers[layer]) {
            w->write(f);
        }
    }
};

/// One incident as every format writes it: its features, and the storage their text
/// values view (reused from row to row by the FanOut ring).
struct IncidentRow {
    std::vector<FieldValue> raw; ///< incident_fields() values (the connector views them too)
    std::string sector_text;
    std::string event_cluster;
    std::string band_text;
    Feature inc;
    Feature con;
    Feature unc; ///< the uncertainty region (its geometry copied from the region cache)
    bool has_connector = false;
    bool has_uncertainty = false;
};

enum LayerIndex : std::size_t {
    l_incidents,
    l_border,
    l_sectors,
    l_bands,
    l_admin,
    l_connectors,
    l_uncertainty
};

using ReportStage = std::function<void(const char *, std::uint64_t, std::uint64_t)>;

/// The values of a `border` feature, in border_schema()'s order: @p text (id, left, right,
/// source, start_name, end_name), the vertex count, the length and the incidents' counts.
std::vector<Value> border_values(const std::array<std::string_view, 6> &text, std::size_t vertices,
                                 double length_km, const GroupStats &g) {
    std::vector<Value> values(text.begin(), text.end());
    values.insert(values.end(),
                  {static_cast<std::int64_t>(vertices), std::round(length_km * 1000.0) / 1000.0,
                   static_cast<std::int64_t>(g.count), static_cast<std::int64_t>(g.fatalities),
                   static_cast<std::int64_t>(g.precise()), static_cast<std::int64_t>(g.imprecise),
                   static_cast<std::int64_t>(g.unplaced)});
    return values;
}

/// The `border` layer of a border of several lines: one MultiLineString per border (world
/// mode: every border, with the statistics of its incidents; else the one border with the
/// totals, as for one line).
void write_border_lines_layer(Outputs &out, const BorderGeometry &border,
                              const ExportStatistics &stats) {
    std::size_t i = 0;
    while (i < border.lines.size()) {
        const auto &first = border.lines[i];
        std::size_t end = i;
        Feature f;
        f.geometry.type = GeometryType::multi_line_string;
        double km = 0;
        std::size_t vertices = 0;
        for (; end < border.lines.size() && border.lines[end].border_id == first.border_id; ++end) {
            f.geometry.parts.push_back({border.lines[end].vertices});
            km += border.lines[end].length_km;
            vertices += border.lines[end].vertices.size();
        }
        const GroupStats *s = border.world ? stats.borders.find({first.border_id}) : &stats.total();
        static const GroupStats none;
        const GroupStats &g = s != nullptr ? *s : none;
        f.name = first.border_id;
        f.description = first.border_id + ": " + first.left + " (left) / " + first.right +
                        " (right), " + std::to_string(end - i) + " lines, " + format_fixed(km, 3) +
                        " km\nSource: " + border.source;
        f.values = border_values({first.border_id, first.left, first.right, border.source, {}, {}},
                                 vertices, km, g);
        out.write(l_border, f);
        i = end;
    }
}

/// The `border` layer: the line, with the totals of every incident exported.
void write_border_layer(Outputs &out, const BorderGeometry &border, const ExportStatistics &stats) {
    if (!border.lines.empty()) {
        write_border_lines_layer(out, border, stats);
        return;
    }
    const GroupStats &total = stats.total();
    Feature f;
    f.geometry.type = GeometryType::line_string;
    f.geometry.parts = {{border.vertices}};
    f.name = border.id;
    f.description = border.id + ": " + border.left + " (left) / " + border.right + " (right), " +
                    format_fixed(border.length_km, 3) + " km, from " + border.start_name + " to " +
                    border.end_name + "\nSource: " + border.source;
    f.values = border_values(
        {border.id, border.left, border.right, border.source, border.start_name, border.end_name},
        border.vertices.size(), border.length_km, total);
    out.write(l_border, f);
}

/// The `border_sectors` layer: one feature per sector of every line (one line: the sectors
/// of @p options' grid), the statistics of `stats --by sector` (incidents whose sector is
/// "imprecise" are in no feature).
void write_sectors_layer(Outputs &out, const BorderGeometry &border, const StatsOptions &options,
                         const StatsTable &by_sector, const ReportStage &report) {
    struct LineRef {
        const std::string &border_id;
        std::size_t part;
        const std::vector<LonLat> &vertices;
        const std::vector<double> &chainage_km;
        SectorGrid grid;
        std::optional<SectorLine> named; // several lines: labels name the line
    };
    std::vector<LineRef> lines;
    std::size_t total = 0;
    if (border.lines.empty()) {
        lines.push_back({border.id, 1, border.vertices, border.vertex_chainage_km,
                         options.sector_grid(), std::nullopt});
    }
    for (const auto &l : border.lines) {
        const SectorLine named{l.border_id, l.part, l.length_km};
        lines.push_back({l.border_id, l.part, l.vertices, l.vertex_chainage_km,
                         named.grid(options.sector_km), named});
    }
    for (const auto &l : lines) {
        total += l.grid.count();
    }
    std::size_t done = 0;
    for (const auto &l : lines) {
        const auto n = l.grid.count();
        for (std::size_t i = 0; i < n; ++i) {
            const double from = l.grid.from_km(i);
            const double to = l.grid.to_km(i);
            const auto label = l.named ? l.named->label(l.grid, i) : l.grid.label(i);
            const auto *s = by_sector.find({label});
            Feature f;
            f.geometry.type = GeometryType::line_string;
            f.geometry.parts = {{line_piece(l.vertices, l.chainage_km, from, to)}};
            f.name = "sector " + label + " km";
            f.description = describe_group(s);
            f.values = {std::string_view(label),
                        static_cast<std::int64_t>(i),
                        std::round(from * 1000.0) / 1000.0,
                        std::round(to * 1000.0) / 1000.0,
                        std::string_view(l.border_id),
                        static_cast<std::int64_t>(l.part)};
            append_stat_values(f.values, s);
            out.write(l_sectors, f);
            report("border_sectors", ++done, total);
        }
    }
}

/// The `distance_bands` layer: one polygon per side and band, the statistics of
/// `stats --by side,band`.
void write_bands_layer(Outputs &out, const std::vector<detail::BandPolygon> &polygons,
                       const StatsTable &by_side_band) {
    for (const auto &bp : polygons) {
        const auto label = bp.band.label();
        const auto *s = by_side_band.find({bp.side, label});
        Feature f;
        f.geometry = bp.geometry;
        f.name = bp.side + " " + label + " km";
        f.style = label;
        f.description = describe_group(s);
        f.values = {std::string_view(bp.side), std::string_view(label), bp.band.min_km,
                    bp.band.max_km ? Value{*bp.band.max_km} : Value{}};
        append_stat_values(f.values, s);
        out.write(l_bands, f);
    }
}

/// The `admin_stats` layer: every admin-1 unit (level 1, `stats --by side,admin1`), then
/// every admin-2 unit (level 2, `stats --by side,admin1,admin2`) of the geodata.
void write_admin_layer(Outputs &out, const std::vector<detail::ReferenceFeature> &admin1,
                       const std::vector<detail::ReferenceFeature> &admin2,
                       const ExportStatistics &stats, const ReportStage &report) {
    report("admin_stats", 0, admin1.size() + admin2.size());
    const auto write_unit = [&](int level, const detail::ReferenceFeature &unit) {
        const auto id = detail::text_property(unit.properties, "id");
        const auto iso3 = detail::text_property(unit.properties, "iso3");
        const auto name = detail::text_property(unit.properties, "name");
        const auto a1 = level == 1 ? name : detail::text_property(unit.properties, "admin1");
        const auto *s =
            level == 1 ? stats.admin1.find({iso3, name}) : stats.admin2.find({iso3, a1, name});
        Feature f;
        f.geometry = unit.geometry;
        f.name = name;
        f.description = name + (level == 2 ? ", " + a1 : std::string()) + " (" + iso3 +
                        "): " + describe_group(s);
        f.style = std::to_string(level);
        f.values = {static_cast<std::int64_t>(level), std::string_view(id), std::string_view(iso3),
                    std::string_view(a1), std::string_view(name)};
        append_stat_values(f.values, s);
        out.write(l_admin, f);
    };
    for (const auto &unit : admin1) {
        write_unit(1, unit);
    }
    for (const auto &unit : admin2) {
        write_unit(2, unit);
    }
}

// ---------------------------------------------------------------------------------------
// The steps of export_layers()

/// The geodata of the layers: countries (distance_bands), admin1/admin2 (admin_stats); the
/// uncertainty layer uses the same units when they are there (without them, a district or
/// province becomes its nominal circle, a country unknown). Read before anything is
/// written, so a missing file fails first.
struct ReferenceData {
    std::vector<detail::ReferenceFeature> countries;
    std::vector<detail::ReferenceFeature> admin1;
    std::vector<detail::ReferenceFeature> admin2;
};

ReferenceData read_reference_data(const ExportOptions &options,
                                  const std::filesystem::path &geodata) {
    ReferenceData ref;
    if (options.distance_bands) {
        ref.countries = detail::read_geojson_features(geodata / "countries.geojson");
    }
    if (options.admin_stats) {
        ref.admin1 = detail::read_geojson_features(geodata / "admin1.geojson");
        ref.admin2 = detail::read_geojson_features(geodata / "admin2.geojson");
    }
    const auto optional_features = [&geodata](std::vector<detail::ReferenceFeature> &features,
                                              const char *name) {
        if (features.empty() && std::filesystem::exists(geodata / name)) {
            features = detail::read_geojson_features(geodata / name);
        }
    };
    optional_features(ref.admin1, "admin1.geojson");
    optional_features(ref.admin2, "admin2.geojson");
    optional_features(ref.countries, "countries.geojson");
    return ref;
}

/// One writer per format of @p options in @p dir, with every layer opened before any
/// feature is written (KML declares all schemas first).
void open_outputs(Outputs &out, const ExportOptions &options, const BorderGeometry &border,
                  const std::filesystem::path &dir, const ExportStyles &styles) {
    for (const auto f : options.formats) {
        switch (f) {
        case ExportFormat::geojson:
            out.writers.push_back(make_geojson_writer(dir));
            break;
        case ExportFormat::csv:
            out.writers.push_back(make_csv_writer(dir, options.csv_formulas));
            break;
        case ExportFormat::kml:
            out.writers.push_back(make_kml_writer(dir / "borderwatch.kml", styles));
            break;
        case ExportFormat::gpkg:
            out.writers.push_back(make_gpkg_writer(dir / "borderwatch.gpkg", styles));
            break;
        case ExportFormat::geojsonseq:
            out.writers.push_back(make_geojsonseq_writer(dir));
            break;
        case ExportFormat::fgb:
            out.writers.push_back(make_fgb_writer(dir));
            break;
        case ExportFormat::html:
            out.writers.push_back(make_html_writer(
                dir / "map.html", styles,
                options.leaflet_dir.empty() ? default_leaflet_dir() : options.leaflet_dir));
            break;
        }
    }
    // Every layer is opened before any feature is written (KML declares all schemas first).
    const std::vector<LayerSchema> schemas = {
        incidents_schema(), border_schema(border), sectors_schema(),    bands_schema(),
        admin_schema(),     connectors_schema(),   uncertainty_schema()};
    out.layers.resize(schemas.size());
    for (std::size_t l = 0; l < schemas.size(); ++l) {
        for (auto &w : out.writers) {
            out.layers[l].push_back(&w->open_layer(schemas[l]));
        }
    }
}

/// The incident pass: the `incidents`, `connectors` and `uncertainty` layers, written row by
/// row, and the statistics of every incident (for the statistics layers that follow).
class IncidentLayers {
  public:
    IncidentLayers(StatsAccumulator &stats, const EventClusters &clusters,
                   detail::UncertaintyRegions &regions, bool presentation)
        : m_stats(stats), m_clusters(clusters),
          m_events(clusters, [&stats](const Incident &x) { (void)stats.add(x); }),
          m_regions(regions), m_presentation(presentation) {}

    /// Count the events of clusters not every member of which came (none with a store).
    void finish_events() {
        m_events.finish();
        m_stats.set_merged_rows(m_clusters.merged_rows());
    }

    /// Fill @p row with the features of @p in. @return false if it has no location
    bool build_row(const Incident &in, IncidentRow &row) {
        copy_raw_fields(in, row);
        const auto region = m_regions.region(in);
        const bool located = build_incident(in, region.radius_m, row);
        build_uncertainty(in, region, row);
        build_connector(in, region.shape, row);
        return located;
    }

  private:
    /// The incident_fields() values; the text ones are viewed by every feature of the row.
    static void copy_raw_fields(const Incident &in, IncidentRow &row) {
        const auto &fields = incident_fields();
        row.raw.resize(fields.size());
        for (std::size_t i = 0; i < fields.size(); ++i) {
            row.raw[i] = get_field(in, i);
        }
    }

    [[nodiscard]] static std::string_view raw_text(const IncidentRow &row, std::size_t index) {
        const auto *s = std::get_if<std::string>(&row.raw[index]);
        return s != nullptr ? std::string_view(*s) : std::string_view();
    }

    /// The `incidents` feature: every field, the border distance in km, the sector (by the
    /// statistics' precision rule) and uncertainty_m. @return false without a location
    bool build_incident(const Incident &in, std::optional<double> uncertainty_m, IncidentRow &row) {
        auto &inc = row.inc;
        inc.values.clear();
        for (const auto &v : row.raw) {
            if (const auto *s = std::get_if<std::string>(&v)) {
                inc.values.emplace_back(std::string_view(*s));
            } else if (const auto *n = std::get_if<std::int64_t>(&v)) {
                inc.values.emplace_back(*n);
            } else if (const auto *d = std::get_if<double>(&v)) {
                inc.values.emplace_back(*d);
            } else {
                inc.values.emplace_back();
            }
        }
        inc.values.push_back(in.border_distance_m ? Value{*in.border_distance_m / 1000.0}
                                                  : Value{});
        // The incident's sector and band by the precision rule of the statistics, which count
        // each event once (a cluster as its merged incident, when its last row came).
        const auto assigned = m_stats.assign(in);
        row.sector_text = assigned.sector;
        row.band_text = assigned.band;
        m_events.add(in);
        inc.values.push_back(row.sector_text.empty() ? Value{}
                                                     : Value{std::string_view(row.sector_text)});
        inc.values.push_back(uncertainty_m ? Value{*uncertainty_m} : Value{});
        const auto event = m_clusters.of(in.id);
        row.event_cluster.assign(event.cluster);
        inc.values.emplace_back(std::string_view(row.event_cluster));
        inc.values.emplace_back(static_cast<std::int64_t>(event.size));

        const bool have_point = in.place_lon && in.place_lat;
        const bool located = have_point || (in.lon && in.lat);
        if (located) {
            inc.geometry.set_point(have_point ? *in.place_lon : *in.lon,
                                   have_point ? *in.place_lat : *in.lat);
        } else {
            inc.geometry.clear();
        }
        if (m_presentation) { // KML only
            inc.name = in.event_date + " " +
                       (in.sub_event_type.empty() ? in.event_type : in.sub_event_type) +
                       (in.location_text.empty() ? "" : " - " + in.location_text);
            inc.description = describe(in, uncertainty_m);
            inc.style = in.event_type;
            inc.time_begin = in.event_date;
            inc.time_end =
                in.date_precision == DatePrecision::day ? in.event_date : in.event_date_end;
        }
        return located;
    }

    /// The `uncertainty` feature: the region the incident may lie in (precision coarser than
    /// an exact place).
    void build_uncertainty(const Incident &in, const detail::UncertaintyRegion &region,
                           IncidentRow &row) const {
        row.has_uncertainty = region.geometry != nullptr;
        if (!row.has_uncertainty) {
            return;
        }
        auto &unc = row.unc;
        unc.geometry = *region.geometry;
        unc.values.clear();
        unc.values.emplace_back(raw_text(row, m_f_id));
        unc.values.emplace_back(raw_text(row, m_f_event_type));
        unc.values.push_back(in.precision ? Value{std::int64_t{*in.precision}} : Value{});
        unc.values.push_back(in.place_score ? Value{*in.place_score} : Value{});
        unc.values.emplace_back(to_string(in.coord_origin));
        unc.values.push_back(region.radius_m ? Value{*region.radius_m} : Value{});
        unc.values.emplace_back(to_string(region.shape));
        unc.values.emplace_back(region.unit);
        if (m_presentation) {
            unc.name = in.id;
            unc.description = row.inc.description;
            unc.style = to_string(region.shape);
            unc.time_begin = row.inc.time_begin;
            unc.time_end = row.inc.time_end;
        }
    }

    /// The `connectors` feature: the line to the nearest border point, only for precise
    /// incidents (an exact place, no uncertainty region); the others show their region
    /// instead, since a line from a district's or a province's point to "its" nearest border
    /// point would claim a precision the report does not have.
    void build_connector(const Incident &in, UncertaintyShape shape, IncidentRow &row) const {
        const bool have_point = in.place_lon && in.place_lat;
        row.has_connector = have_point && in.nearest_lon && in.nearest_lat &&
                            in.border_distance_m && shape == UncertaintyShape::point;
        if (!row.has_connector) {
            return;
        }
        auto &con = row.con;
        // The geodesic the distance is measured along: in steps of at most 100 km (at most 64:
        // 20,000 km in 313 km steps still reads as the curve at world scale), cut at the
        // antimeridian (world mode: Chukotka to the USA-CAN boundary).
        con.geometry.set_geodesic_line({*in.place_lon, *in.place_lat},
                                       {*in.nearest_lon, *in.nearest_lat}, 100e3, 64);
        con.values.clear();
        con.values.emplace_back(raw_text(row, m_f_id));
        con.values.emplace_back(raw_text(row, m_f_event_type));
        con.values.emplace_back(raw_text(row, m_f_side));
        con.values.emplace_back(std::string_view(row.band_text));
        con.values.emplace_back(*in.border_distance_m);
        con.values.emplace_back(*in.border_distance_m / 1000.0);
        con.values.push_back(in.chainage_km ? Value{*in.chainage_km} : Value{});
        if (m_presentation) {
            con.name = in.id;
            con.style = in.event_type;
        }
    }

    StatsAccumulator &m_stats;
    const EventClusters &m_clusters;
    ClusterFolder m_events;
    detail::UncertaintyRegions &m_regions;
    bool m_presentation;
    std::size_t m_f_id = *incident_field_index("id");
    std::size_t m_f_event_type = *incident_field_index("event_type");
    std::size_t m_f_side = *incident_field_index("side");
};

/// Read every incident of @p source and write its rows: this thread builds each row's
/// features once (IncidentLayers) and keeps the statistics; every format writes the rows
/// on its own thread (FanOut). Counts incidents (with and without location) into @p result.
void write_incident_layers(Outputs &out, const IncidentSource &source, IncidentLayers &layers,
                           std::uint64_t expected, const ReportStage &report,
                           ExportResult &result) {
    std::vector<detail::FanOut<IncidentRow>::Consumer> consumers;
    for (std::size_t w = 0; w < out.writers.size(); ++w) {
        consumers.emplace_back([inc_layer = out.layers[l_incidents][w],
                                con_layer = out.layers[l_connectors][w],
                                unc_layer = out.layers[l_uncertainty][w]](const IncidentRow &row) {
            inc_layer->write(row.inc);
            if (row.has_connector) {
                con_layer->write(row.con);
            }
            if (row.has_uncertainty) {
                unc_layer->write(row.unc);
            }
        });
    }
    detail::FanOut<IncidentRow> fan(std::move(consumers));
    source([&](const Incident &in) {
        if (!layers.build_row(in, fan.row())) {
            ++result.incidents_without_location;
        }
        fan.push();
        ++result.incidents;
        if (result.incidents % 10000 == 0) {
            report("incidents", result.incidents, expected);
        }
    });
    fan.close();
    report("incidents", result.incidents, expected);
}

/// Finish every writer (GeoPackage R-trees, KML spool concatenation, fsync: per format in
/// parallel), commit it (renames inside the private run directory) and list its files with
/// size, SHA-256 and feature counts.
std::vector<ManifestFile> finish_outputs(Outputs &out, const ReportStage &report) {
    report("finish", 0, out.writers.size());
    run_in_parallel(out.writers.size(), [&](std::size_t w) { out.writers[w]->finish(); });
    report("commit", 0, out.writers.size());
    for (auto &w : out.writers) {
        w->commit();
    }
    std::vector<ManifestFile> files;
    for (auto &w : out.writers) {
        for (auto &f : w->files()) {
            ManifestFile mf;
            mf.path = f.path.filename().string();
            mf.format = f.format;
            if (f.sha256.empty()) {
                mf.sha256 = sha256_file(f.path);
                mf.bytes = std::filesystem::file_size(f.path);
            } else {
                mf.sha256 = f.sha256;
                mf.bytes = f.bytes;
            }
            mf.layers = f.layers;
            files.push_back(std::move(mf));
        }
    }
    return files;
}

/// manifest.json of a run: version, time, run id, store, filter, border, sectors, bands,
/// incident totals (with the precision rule's), every file, and the caller's extra members.
std::string manifest_json(const ExportOptions &options, const BorderGeometry &border,
                          const std::string &run_id, const ExportResult &result,
                          const ExportStatistics &tables) {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto &mf : result.files) {
        nlohmann::ordered_json layers = nlohmann::ordered_json::object();
        for (const auto &[name, count] : mf.layers) {
            layers[name] = count;
        }
        files.push_back({{"path", mf.path},
                         {"format", mf.format},
                         {"bytes", mf.bytes},
                         {"sha256", mf.sha256},
                         {"layers", layers}});
    }
    nlohmann::ordered_json manifest;
    manifest["borderwatch_version"] = version_string();
    manifest["generated_at"] =
        options.generated_at.empty() ? utc_now_iso8601() : options.generated_at;
    manifest["run"] = run_id;
    // Caller-supplied text (store paths, filter values, border file names) may hold any
    // bytes; the manifest is valid JSON whatever they are.
    manifest["store"] = {{"description", sanitize_text(options.store_description)},
                         {"state", sanitize_text(options.store_state)}};
    manifest["filter"] = sanitize_text(options.filter_description);
    manifest["border"] = {{"id", sanitize_text(border.id)},
                          {"left", border.left},
                          {"right", border.right},
                          {"length_km", std::round(border.length_km * 1000.0) / 1000.0},
                          {"lines", border.lines.empty() ? 1 : border.lines.size()}};
    manifest["sector_km"] = options.sector_km;
    nlohmann::ordered_json band_labels = nlohmann::ordered_json::array();
    for (const auto &b : options.bands) {
        band_labels.push_back(b.label());
    }
    manifest["bands_km"] = band_labels;
    manifest["incidents"] = result.incidents;
    manifest["incidents_without_location"] = result.incidents_without_location;
    // Rows reporting an event another row reports (event clusters): counted once.
    manifest["merged_rows"] = result.merged_rows;
    // The precision rule's totals (as `stats`): too coarse for a distance band (left out of
    // every distance statistic), and too coarse for a border sector (in no sector feature).
    manifest["incidents_imprecise"] = tables.total().imprecise;
    const auto *sector_imprecise = tables.sectors.find({"imprecise"});
    manifest["incidents_sector_imprecise"] =
        sector_imprecise != nullptr ? sector_imprecise->count : 0;
    manifest["files"] = files;
    if (!result.notes.empty()) {
        manifest["notes"] = result.notes;
    }
    if (!options.manifest_extra_json.empty()) {
        manifest["extra"] = nlohmann::ordered_json::parse(options.manifest_extra_json);
    }
    return manifest.dump(2) + "\n";
}

/// Most sectors an export writes (each one a feature in every format).
constexpr double k_max_sectors = 1'000'000;

/// Reject options and a border export_layers() cannot work with, before anything is read.
void check_export_arguments(const ExportOptions &options, const BorderGeometry &border) {
    if (options.formats.empty()) {
        throw UsageError("no export format selected");
    }
    if (!(options.sector_km > 0)) {
        throw UsageError("sector length must be > 0 km");
    }
    const auto usable = [](const std::vector<LonLat> &v, const std::vector<double> &km) {
        return v.size() >= 2 && km.size() == v.size();
    };
    bool ok = border.lines.empty() ? usable(border.vertices, border.vertex_chainage_km) : true;
    for (const auto &l : border.lines) {
        ok = ok && usable(l.vertices, l.vertex_chainage_km);
    }
    if (!ok) {
        throw DataError("border '" + border.id + "' has no usable geometry");
    }
    // Every sector is a feature of every format: a tiny --sector-km on a long border (world
    // mode: 234,000 km) would write millions of them.
    double sectors = 0;
    const auto add_line = [&](double length_km) {
        sectors += static_cast<double>(SectorGrid{options.sector_km, length_km}.count());
    };
    if (border.lines.empty()) {
        add_line(border.length_km);
    }
    for (const auto &l : border.lines) {
        add_line(l.length_km);
    }
    if (sectors > k_max_sectors) {
        throw UsageError("--sector-km " + format_double(options.sector_km) + " cuts border '" +
                         border.id + "' into " + format_fixed(sectors, 0) + " sectors; at most " +
                         format_fixed(k_max_sectors, 0) +
                         " are exported: use a longer --sector-km");
    }
}

} // namespace

// ---------------------------------------------------------------------------------------

const char *to_string(ExportFormat format) noexcept {
    switch (format) {
    case ExportFormat::geojson:
        return "geojson";
    case ExportFormat::kml:
        return "kml";
    case ExportFormat::gpkg:
        return "gpkg";
    case ExportFormat::csv:
        return "csv";
    case ExportFormat::html:
        return "html";
    case ExportFormat::geojsonseq:
        return "geojsonseq";
    case ExportFormat::fgb:
        return "fgb";
    }
    return "";
}

std::vector<ExportFormat> parse_export_formats(const std::string &list) {
    std::vector<ExportFormat> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find(',', start);
        if (end == std::string::npos) {
            end = list.size();
        }
        const auto item = std::string(trim(std::string_view(list).substr(start, end - start)));
        std::vector<ExportFormat> add;
        if (item == "all") {
            add = {ExportFormat::geojson, ExportFormat::kml, ExportFormat::gpkg, ExportFormat::csv};
        } else if (item == "geojson") {
            add = {ExportFormat::geojson};
        } else if (item == "kml") {
            add = {ExportFormat::kml};
        } else if (item == "gpkg") {
            add = {ExportFormat::gpkg};
        } else if (item == "csv") {
            add = {ExportFormat::csv};
        } else if (item == "html") {
            add = {ExportFormat::html};
        } else if (item == "geojsonseq") {
            add = {ExportFormat::geojsonseq};
        } else if (item == "fgb") {
            add = {ExportFormat::fgb};
        } else {
            throw UsageError("unknown export format '" + item +
                             "' (choose from geojson, kml, gpkg, csv, html, geojsonseq, fgb, all)");
        }
        for (const auto f : add) {
            if (std::find(out.begin(), out.end(), f) == out.end()) {
                out.push_back(f);
            }
        }
        start = end + 1;
    }
    return out;
}

const std::vector<std::string> &export_layer_names() {
    static const std::vector<std::string> names = {
        "incidents",   "border",     "border_sectors", "distance_bands",
        "admin_stats", "connectors", "uncertainty"};
    return names;
}

std::vector<std::string> export_file_names(const std::vector<ExportFormat> &formats) {
    std::vector<std::string> out;
    for (const auto f : formats) {
        switch (f) {
        case ExportFormat::geojson:
            for (const auto &l : export_layer_names()) {
                out.push_back(l + ".geojson");
            }
            break;
        case ExportFormat::csv:
            for (const auto &l : export_layer_names()) {
                out.push_back(l + ".csv");
            }
            break;
        case ExportFormat::kml:
            out.emplace_back("borderwatch.kml");
            break;
        case ExportFormat::gpkg:
            out.emplace_back("borderwatch.gpkg");
            break;
        case ExportFormat::html:
            out.emplace_back("map.html");
            break;
        case ExportFormat::geojsonseq:
            for (const auto &l : export_layer_names()) {
                out.push_back(l + ".geojsonl");
            }
            break;
        case ExportFormat::fgb:
            for (const auto &l : export_layer_names()) {
                out.push_back(l + ".fgb");
            }
            break;
        }
    }
    return out;
}

namespace {

/// The export's view of a canonical border: its single line, with geodesic vertex chainage.
BorderGeometry border_geometry(const CanonicalBorder &line) {
    if (line.parts.size() != 1) {
        throw DataError("borders.geojson: feature '" + line.id + "' is not a LineString");
    }
    BorderGeometry b;
    b.id = line.id;
    b.left = line.left;
    b.right = line.right;
    b.source = line.source;
    b.start_name = line.start_name;
    b.end_name = line.end_name;
    b.vertices.reserve(line.parts.front().size());
    for (const auto &v : line.parts.front()) {
        b.vertices.push_back({v[0], v[1]});
    }
    b.vertex_chainage_km.reserve(b.vertices.size());
    double km = 0;
    for (std::size_t i = 0; i < b.vertices.size(); ++i) {
        if (i > 0) {
            const auto &a = b.vertices[i - 1];
            const auto &c = b.vertices[i];
            km += geodesic_inverse(a.lon, a.lat, c.lon, c.lat).distance_m / 1000.0;
        }
        b.vertex_chainage_km.push_back(km);
    }
    b.length_km = km;
    return b;
}

} // namespace

BorderGeometry load_border_geometry(const std::filesystem::path &geodata_dir,
                                    const std::string &id) {
    for (const auto &line : read_canonical_borders(geodata_dir)) {
        if (line.id == id) {
            return border_geometry(line);
        }
    }
    const auto dir = geodata_dir.empty() ? borderwatch::geodata_dir() : geodata_dir;
    throw DataError("border '" + id + "' not found in " + (dir / "borders.geojson").string());
}

BorderGeometry border_geometry(const BorderEngine &engine) {
    const auto &info = engine.info();
    BorderGeometry b;
    b.id = info.id;
    b.left = info.left;
    b.right = info.right;
    b.source = info.source;
    b.length_km = info.length_km;
    b.world = info.world;
    const auto &vertices = engine.vertices();
    const auto &chainage = engine.vertex_chainage_km();
    if (info.parts <= 1 && !info.world) {
        for (const auto &v : vertices) {
            b.vertices.push_back({v[0], v[1]});
        }
        b.vertex_chainage_km = chainage;
        return b;
    }
    // Several lines: each with its own chainage (what placements' chainage_km runs along).
    for (const auto &line : engine.lines()) {
        BorderGeometryLine l;
        l.border_id = line.border_id;
        l.left = line.left;
        l.right = line.right;
        l.part = line.part;
        l.length_km = line.length_km;
        const double start = chainage[line.first_vertex];
        for (std::size_t i = line.first_vertex; i < line.first_vertex + line.vertex_count; ++i) {
            l.vertices.push_back({vertices[i][0], vertices[i][1]});
            l.vertex_chainage_km.push_back(chainage[i] - start);
        }
        b.lines.push_back(std::move(l));
    }
    // Lines of one border together, in part order (the border layer draws each border once;
    // the world index keeps its lines in spatial order).
    std::sort(b.lines.begin(), b.lines.end(),
              [](const BorderGeometryLine &x, const BorderGeometryLine &y) {
                  return std::tie(x.border_id, x.part) < std::tie(y.border_id, y.part);
              });
    return b;
}

void use_border_sectors(StatsOptions &options, const BorderGeometry &border) {
    options.sector_lines.clear();
    if (border.lines.empty()) {
        options.border_length_km = border.length_km;
        return;
    }
    options.border_length_km.reset();
    for (const auto &l : border.lines) {
        options.sector_lines.push_back({l.border_id, l.part, l.length_km});
    }
}

BorderGeometry resolve_border_geometry(const std::string &border,
                                       const std::filesystem::path &geodata) {
    const auto dir = geodata.empty() ? geodata_dir() : geodata;
    if (std::filesystem::exists(dir / "borders.geojson")) {
        for (const auto &line : read_canonical_borders(dir)) {
            if (line.id == border) {
                return border_geometry(line);
            }
        }
    }
    return border_geometry(*BorderEngine::load(border, dir));
}

ExportResult export_layers(const ExportOptions &options, const IncidentSource &source,
                           const BorderGeometry &border, const ExportProgress &progress) {
    check_export_arguments(options, border);
    // Every file is written into a private run directory, published at the end as a set.
    auto names = export_file_names(options.formats);
    names.emplace_back("manifest.json");
    detail::ExportRun run(options.out_dir, names, options.overwrite, options.protected_paths);
    const auto &dir = run.dir();
    const auto geodata = options.geodata_dir.empty() ? geodata_dir() : options.geodata_dir;
    const ExportStyles styles{options.styles_dir.empty() ? styles_dir() : options.styles_dir};
    const ReportStage report = [&progress](const char *stage, std::uint64_t done,
                                           std::uint64_t total) {
        if (progress) {
            progress(stage, done, total);
        }
    };

    const auto ref = read_reference_data(options, geodata);
    detail::UncertaintyRegions regions(ref.admin1, ref.admin2, ref.countries);
    // The band polygons (GEOS buffers, about a second) do not depend on the incidents:
    // built on a second thread while the incidents are written.
    std::future<std::vector<detail::BandPolygon>> band_polygons;
    ExportResult result;
    const bool bands = options.distance_bands && !border.world;
    if (options.distance_bands && border.world) {
        // Not built: buffers of every land boundary on Earth (234,000 km; 28 times USA-CAN,
        // whose whole export with bands takes 2 s) at every band edge, clipped by every
        // country. The band counts per border are in the statistics instead.
        result.notes.emplace_back(
            "distance_bands: no polygons in world mode (--border nearest); the band "
            "statistics per border are in `stats --by border,band`");
    }
    if (bands) {
        band_polygons = std::async(std::launch::async, [&border, &options, &ref] {
            return detail::build_band_polygons(border, options.bands, ref.countries);
        });
    }
    Outputs out;
    open_outputs(out, options, border, dir, styles);

    // The incident layers, then the statistics layers from the finished statistics.
    const auto stats_options = export_stats_options(options, border);
    StatsAccumulator stats(stats_options, export_groupings());
    const bool presentation = std::find(options.formats.begin(), options.formats.end(),
                                        ExportFormat::kml) != options.formats.end();
    // Event clusters over the selection (a first pass), so the statistics count each once.
    const auto clusters =
        cluster_events(options.link_source ? options.link_source : source, options.link);
    IncidentLayers incident_layers(stats, clusters, regions, presentation);
    write_incident_layers(out, source, incident_layers, options.expected_incidents, report, result);
    incident_layers.finish_events();
    result.merged_rows = clusters.merged_rows();
    const ExportStatistics tables(stats.finish_all()); // quantiles need every distance
    write_border_layer(out, border, tables);
    write_sectors_layer(out, border, stats_options, tables.sectors, report);
    if (bands) {
        report("distance_bands", 0, 0);
        write_bands_layer(out, band_polygons.get(), tables.bands);
    }
    if (options.admin_stats) {
        write_admin_layer(out, ref.admin1, ref.admin2, tables, report);
    }

    // Finish every file, then the manifest, then publish the run as a set. The writers go
    // before the publication: their temporaries (KML spools) live in the run directory,
    // whose name changes when it is published.
    result.files = finish_outputs(out, report);
    out.layers.clear();
    out.writers.clear();
    write_file_atomically(dir / "manifest.json",
                          manifest_json(options, border, run.id(), result, tables));
    std::vector<std::string> published;
    for (const auto &f : result.files) {
        published.push_back(f.path);
    }
    published.emplace_back("manifest.json");
    report("publish", 0, 1);
    result.run_dir = run.publish(published);
    result.run = run.id();
    result.manifest = options.out_dir / "manifest.json";
    return result;
}

} // namespace borderwatch
