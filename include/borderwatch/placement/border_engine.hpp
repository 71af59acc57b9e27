#pragma once
/// @file
/// The border engine: where is a WGS84 point relative to the border, exactly and fast.
///
/// The border is a polyline whose edges are geodesics on the WGS84 ellipsoid between
/// consecutive vertices. For a point the engine returns the geodesic distance to that
/// polyline (within 1 mm of the exact minimum, Karney geodesics via PROJ geod_*), the
/// nearest border point, its chainage, the side (country) and the admin units.

#include <borderwatch/geodata/borders.hpp> // CanonicalBorder, read_canonical_borders()

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

class ReferencePolygons;

/// Where a point lies relative to the border. Field names equal the output column names.
/// The text fields view names owned by the BorderEngine that made the placement (no
/// allocation per point): valid while that engine lives; copy them to keep them longer.
struct Placement {
    double border_distance_m = 0.0; ///< geodesic (WGS84) distance to the border polyline, metres
    double nearest_lon = 0.0;       ///< nearest border point, longitude in degrees
    double nearest_lat = 0.0;       ///< nearest border point, latitude in degrees
    double chainage_km = 0.0;       ///< along the border from its first vertex to the nearest point
    std::string_view side;          ///< ISO3 of the country containing the point ("" if none known)
    std::string_view admin1;        ///< current official region/province name ("" if not covered)
    std::string_view admin2;        ///< current official district name ("" if not covered)
    double bearing_deg = 0.0;       ///< azimuth from the point to the nearest border point, [0,360)
    /// The border (country pair, "FRA-DEU") of the nearest point: the loaded border's id, or
    /// in world mode (BorderEngine::load("nearest")) the nearest international boundary's.
    std::string_view border_id;
    /// 1-based number of the border's part (line) holding the nearest point; chainage_km runs
    /// along that part from its first vertex. 1 for a border of one line.
    std::size_t part = 1;
    /// World mode only (NaN otherwise, or when the point is in no country or its country has
    /// no land boundary): geodesic distance to the nearest international land boundary of
    /// the country the point is in (`side`), metres (PRIO-GRID's bdist3 sense). Equals
    /// border_distance_m when the nearest boundary is one of that country's.
    double own_border_distance_m = std::numeric_limits<double>::quiet_NaN();
    /// World mode only ("" otherwise, at sea, or for a country without a land boundary): ISO3
    /// of the nearest neighbouring country, across the boundary own_border_distance_m measures
    /// to.
    std::string_view neighbour;
    /// World mode only: ISO3 of the nearest country — `side` on land; at sea the country
    /// whose boundary (coast or land boundary, exact geodesic distance) is nearest.
    std::string_view nearest_country;
};

/// Facts about the loaded border.
struct BorderInfo {
    std::string id;     ///< "TJK-AFG", "UZB-KGZ", or the file name for a user line
    std::string left;   ///< ISO3 of the country on the left of the line's direction ("" if unknown)
    std::string right;  ///< ISO3 of the country on the right ("" if unknown)
    std::string source; ///< where the line comes from (data set and feature, or file path)
    std::size_t vertices = 0; ///< number of vertices of the polyline (all parts)
    std::size_t parts = 1;    ///< number of lines (parts) of the border
    bool world = false;       ///< world mode: every international land boundary at once
    double length_km = 0.0;   ///< geodesic length (sum of the exact edge lengths of all parts), km
    double start_lon = 0.0, start_lat = 0.0; ///< first vertex, degrees
    double end_lon = 0.0, end_lat = 0.0;     ///< last vertex, degrees
};

/// One line (part) of a loaded border: BorderEngine::vertices() [first_vertex, first_vertex +
/// vertex_count). A border is a set of lines; world mode holds the lines of every border.
struct BorderLine {
    std::string border_id;        ///< the border the line belongs to ("USA-CAN")
    std::string left;             ///< ISO3 on the left of the line's direction
    std::string right;            ///< ISO3 on the right
    std::size_t part = 1;         ///< 1-based number of the line within its border
    std::size_t first_vertex = 0; ///< index into vertices() and vertex_chainage_km()
    std::size_t vertex_count = 0;
    double length_km = 0.0; ///< geodesic length; chainage_km of a placement runs 0..length_km
};

/// One entry of BorderEngine::available_borders().
struct BorderListEntry {
    std::string id;     ///< name accepted by BorderEngine::load ("TJK-AFG", "AFG-IRN", ...)
    std::string left;   ///< ISO3 on the left
    std::string right;  ///< ISO3 on the right
    std::string source; ///< "borders.geojson" or "boundary_lines_ne10m.geojson"
};

namespace detail {
struct BorderIndex;
struct LineHit;
struct CountryIndexes;
} // namespace detail

/// Places points against one border. Immutable after load(); place() is thread-safe.
class BorderEngine {
  public:
    /// Load a border and build its index.
    /// @param border "TJK-AFG" (default), "TJK-CHN", any "AAA-BBB" pair of ISO3 codes found in
    ///        geodata/boundary_lines_ne10m.geojson (parts joined end to end where they meet,
    ///        oriented so AAA is on the left; what does not join stays a separate part, e.g.
    ///        USA-CAN; "AFG-TJK" is the canonical line reversed), "nearest" (world mode: every
    ///        international land boundary of boundary_lines_ne10m.geojson, the canonical lines
    ///        of borders.geojson replacing Natural Earth's for their pairs; each point gets the
    ///        nearest of them), or a path to any OGR-readable LineString/MultiLineString file
    ///        in EPSG:4326 (parts joined end to end where they meet).
    /// @param geodata the geodata directory; empty means geodata_dir()
    /// @throws UsageError for an unknown border name, DataError/GdalError for unreadable data,
    ///         GeometryError for a part with fewer than 2 distinct vertices
    static std::unique_ptr<BorderEngine> load(const std::string &border = "TJK-AFG",
                                              const std::filesystem::path &geodata = {});

    /// Borders that load() accepts by name: the canonical ones from borders.geojson and
    /// every country pair of boundary_lines_ne10m.geojson (both orientations listed once,
    /// as left-right of the data). @throws DataError/GdalError
    static std::vector<BorderListEntry>
    available_borders(const std::filesystem::path &geodata = {});

    ~BorderEngine();
    BorderEngine(const BorderEngine &) = delete;
    BorderEngine &operator=(const BorderEngine &) = delete;

    /// Place one point (fast path; within 1 mm of place_exact()).
    /// @param lon_deg longitude in degrees, [-180, 180]
    /// @param lat_deg latitude in degrees, [-90, 90]
    /// @throws GeometryError for non-finite or out-of-range coordinates
    [[nodiscard]] Placement place(double lon_deg, double lat_deg) const;

    /// Place many points: out[i] is exactly place(points[i]). When the index is larger than
    /// the processor's caches (world mode) the points are placed in the order of a Hilbert
    /// curve over lon/lat, so that neighbours share the index's cache lines; a scattered
    /// batch of 65,536 points then runs ~1.5x faster than one call per point.
    /// @throws GeometryError for the first invalid point, before any is placed
    void place_many(std::span<const std::array<double, 2>> points, std::span<Placement> out) const;

    /// Whether place_many() orders its points (the index exceeds the caches): callers that
    /// read in batches make them large then (locate: 65,536 rows instead of 8,192).
    [[nodiscard]] bool orders_batches() const noexcept;

    /// The border distance of a point in metres when it is at most @p limit_m, else nullopt;
    /// far points are turned away by a bound without a search, and no side or admin unit is
    /// looked up (the lon/lat swap check asks this of every far point).
    [[nodiscard]] std::optional<double> distance_within_m(double lon_deg, double lat_deg,
                                                          double limit_m) const;

    /// Same result computed the slow, straightforward way: exact geodesic minimisation
    /// (Newton iterations on geod_* geodesics) over every edge that a rigorous 3D lower
    /// bound cannot exclude. Used by tests as the reference and by the benchmark.
    [[nodiscard]] Placement place_exact(double lon_deg, double lat_deg) const;

    /// The baseline of the benchmark: exact geodesic minimisation over every edge, no index.
    /// Returns only the geometric fields (distance, nearest point, chainage, bearing).
    [[nodiscard]] Placement place_brute_force(double lon_deg, double lat_deg) const;

    /// Facts about the border.
    [[nodiscard]] const BorderInfo &info() const;
    /// The polyline's vertices as {lon, lat} in degrees, in line order.
    [[nodiscard]] const std::vector<std::array<double, 2>> &vertices() const;
    /// The lines of the border in vertex order (one for most borders).
    [[nodiscard]] std::vector<BorderLine> lines() const;
    /// Chainage of each vertex in km (first is 0, last is info().length_km), cumulative over
    /// the lines (a line's own chainage: subtract the value at its first vertex).
    [[nodiscard]] const std::vector<double> &vertex_chainage_km() const;
    /// The border point at a chainage (clamped to [0, length_km]), {lon, lat} in degrees,
    /// exact (geod_* position along the edge).
    [[nodiscard]] std::array<double, 2> point_at_chainage(double chainage_km) const;

    /// Time spent building the spatial index in load(), milliseconds (for reports).
    [[nodiscard]] double index_build_ms() const;

  private:
    BorderEngine();
    /// Where the previous point of a batch found its nearest sub-segments: the world index's,
    /// and in world mode its own country's (slot) index's; ~0U for none.
    struct SearchStart {
        std::uint32_t segment = ~0U;
        std::size_t own_slot = ~std::size_t{0};
        std::uint32_t own_segment = ~0U;
    };
    /// place() of a checked point, each search bounded from the start by @p start's
    /// sub-segments, which are then set to the point's own.
    Placement place_near(double lon_deg, double lat_deg, SearchStart &start) const;
    void add_side_and_admin(Placement &p, double lon_deg, double lat_deg,
                            const detail::LineHit &hit) const;
    std::unique_ptr<detail::BorderIndex> m_index;
    /// World mode: own_border_distance_m and neighbour (@p hit: the world index's nearest).
    void add_own_border(Placement &p, double lon_deg, double lat_deg, const detail::LineHit &hit,
                        SearchStart *start = nullptr) const;
    std::shared_ptr<const ReferencePolygons> m_polygons;
    /// World mode: per country, the index of its own boundaries (built on first use).
    std::unique_ptr<detail::CountryIndexes> m_countries;
}; // class BorderEngine

} // namespace borderwatch
