#include <borderwatch/placement/border_engine.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/geodata/reference_polygons.hpp>
#include <borderwatch/geodesy/geodesic.hpp>

#include "geodata/geodata_cache.hpp"
#include "geodesy/wgs84.hpp"
#include "io/gdal_handles.hpp"
#include "placement/detail/border_index.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace borderwatch {

namespace {

using Line = std::vector<std::array<double, 2>>;

/// Points further than this from the line take their side from the country polygons only.
constexpr double line_side_max_m = 5000.0;

bool same_point(const std::array<double, 2> &a, const std::array<double, 2> &b) {
    return std::abs(a[0] - b[0]) <= 1e-9 && std::abs(a[1] - b[1]) <= 1e-9;
}

/// Chain line parts end to end into one line. Parts may be reversed when @p may_reverse.
Line merge_parts(std::vector<Line> parts, bool may_reverse, const std::string &what) {
    parts.erase(
        std::remove_if(parts.begin(), parts.end(), [](const Line &l) { return l.size() < 2; }),
        parts.end());
    if (parts.empty()) {
        throw GeometryError(what + ": no line geometry found");
    }
    Line merged = std::move(parts.front());
    std::vector<bool> used(parts.size(), false);
    used[0] = true;
    std::size_t remaining = parts.size() - 1;
    bool progress = true;
    while (remaining > 0 && progress) {
        progress = false;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (used[i]) {
                continue;
            }
            Line &part = parts[i];
            if (same_point(merged.back(), part.front())) {
                merged.insert(merged.end(), part.begin() + 1, part.end());
            } else if (same_point(part.back(), merged.front())) {
                merged.insert(merged.begin(), part.begin(), part.end() - 1);
            } else if (may_reverse && same_point(merged.back(), part.back())) {
                merged.insert(merged.end(), part.rbegin() + 1, part.rend());
            } else if (may_reverse && same_point(part.front(), merged.front())) {
                merged.insert(merged.begin(), part.rbegin(), part.rend() - 1);
            } else {
                continue;
            }
            used[i] = true;
            --remaining;
            progress = true;
        }
    }
    if (remaining > 0) {
        throw GeometryError(
            what + ": its " + std::to_string(parts.size()) + " parts do not join into one line (" +
            std::to_string(remaining) + " part(s) left unconnected, e.g. starting at " +
            std::to_string(
                parts[std::find(used.begin(), used.end(), false) - used.begin()].front()[0]) +
            " E)");
    }
    return merged;
}

void remove_repeated_vertices(Line &line) {
    line.erase(std::unique(line.begin(), line.end(), same_point), line.end());
}

void check_coordinates(const Line &line, const std::string &what) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        const auto &v = line[i];
        if (!std::isfinite(v[0]) || !std::isfinite(v[1]) || v[0] < -180.0 || v[0] > 180.0 ||
            v[1] < -90.0 || v[1] > 90.0) {
            throw GeometryError(what + ": vertex " + std::to_string(i) + " (" +
                                std::to_string(v[0]) + ", " + std::to_string(v[1]) +
                                ") is not a lon/lat coordinate in degrees (EPSG:4326 expected)");
        }
    }
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

bool is_pair_name(const std::string &s) {
    if (s.size() != 7 || s[3] != '-') {
        return false;
    }
    for (std::size_t i = 0; i < 7; ++i) {
        if (i != 3 && !std::isalpha(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

std::filesystem::path geodata_or_default(const std::filesystem::path &geodata) {
    return geodata.empty() ? geodata_dir() : geodata;
}

} // namespace

BorderEngine::BorderEngine() : m_index(std::make_unique<detail::BorderIndex>()) {}
BorderEngine::~BorderEngine() = default;

std::unique_ptr<BorderEngine> BorderEngine::load(const std::string &border,
                                                 const std::filesystem::path &geodata) {
    std::unique_ptr<BorderEngine> engine(new BorderEngine());
    detail::BorderIndex &index = *engine->m_index;
    const std::string name = upper(border);
    const bool is_file = !is_pair_name(name) || std::filesystem::exists(border);
    std::filesystem::path line_source; // the geodata file the line comes from (keys the cache)

    if (is_file) {
        const std::filesystem::path path(border);
        if (!std::filesystem::exists(path)) {
            throw UsageError("unknown border '" + border +
                             "': not a country pair like TJK-AFG and no such file (see "
                             "'borderwatch border --list')");
        }
        auto features = detail::read_vector_features(path, {});
        std::vector<Line> parts;
        for (auto &f : features) {
            for (auto &part : f.parts) {
                if (!part.empty()) {
                    parts.push_back(std::move(part.front()));
                }
            }
        }
        index.vertices = merge_parts(std::move(parts), true, "border file '" + border + "'");
        index.info.id = path.filename().string();
        index.info.source = path.string();
        try {
            engine->m_polygons = ReferencePolygons::load(geodata);
        } catch (const DataError &) {
            // A user line works without geodata/: side and admin units stay empty.
        }
    } else {
        const auto dir = geodata_or_default(geodata);
        const std::string aaa = name.substr(0, 3);
        const std::string bbb = name.substr(4, 3);
        bool found = false;
        for (auto &b : read_canonical_borders(dir)) {
            const bool forward = b.left == aaa && b.right == bbb;
            const bool backward = b.left == bbb && b.right == aaa;
            if ((!forward && !backward) || b.parts.empty()) {
                continue;
            }
            Line line = merge_parts(std::move(b.parts), false, "border '" + b.id + "'");
            if (backward) {
                std::reverse(line.begin(), line.end());
            }
            index.vertices = std::move(line);
            index.info.id = name;
            index.info.source = "borders.geojson feature " + b.id + ": " + b.source +
                                (backward ? " (reversed)" : "");
            line_source = dir / "borders.geojson";
            found = true;
            break;
        }
        if (!found) {
            const auto ne_path = dir / "boundary_lines_ne10m.geojson";
            if (!std::filesystem::exists(ne_path)) {
                throw DataError("reference data file missing: " + ne_path.string());
            }
            std::vector<Line> parts;
            for (auto &f : detail::read_vector_features(ne_path, {"left", "right"})) {
                const bool forward = f.fields[0] == aaa && f.fields[1] == bbb;
                const bool backward = f.fields[0] == bbb && f.fields[1] == aaa;
                if (!forward && !backward) {
                    continue;
                }
                for (auto &part : f.parts) {
                    Line line = std::move(part.front());
                    if (backward) {
                        std::reverse(line.begin(), line.end());
                    }
                    parts.push_back(std::move(line));
                }
            }
            if (parts.empty()) {
                throw UsageError("unknown border '" + border + "': no boundary between " + aaa +
                                 " and " + bbb + " in geodata (see 'borderwatch border --list')");
            }
            const std::size_t count = parts.size();
            index.vertices = merge_parts(std::move(parts), false, "border " + name);
            index.info.id = name;
            index.info.source =
                "Natural Earth 1:10m boundary lines (boundary_lines_ne10m.geojson), " +
                std::to_string(count) + " part(s) merged";
            line_source = ne_path;
        }
        index.info.left = aaa;
        index.info.right = bbb;
        engine->m_polygons = ReferencePolygons::load(dir);
    }
    remove_repeated_vertices(index.vertices);
    check_coordinates(index.vertices, "border '" + index.info.id + "'");
    // A geodata border's index comes from the geodata cache when it holds one for these exact
    // vertices (restore() compares them), else it is built and stored; same arrays either way,
    // so the same answers. A user's line file is indexed afresh (not cached: such files come
    // and go, and the cache would only grow).
    if (is_file) {
        index.build();
        return engine;
    }
    bool built = false;
    detail::load_cached(
        detail::CacheSettings::from_environment(), line_source, "border-index:" + name,
        [&] {
            index.build();
            built = true;
            detail::ByteWriter out;
            index.save(out);
            return out.take();
        },
        [&](detail::ByteReader &in) {
            if (!built) {
                index.restore(in);
            }
            return true;
        });
    return engine;
}

std::vector<BorderListEntry> BorderEngine::available_borders(const std::filesystem::path &geodata) {
    const auto dir = geodata_or_default(geodata);
    std::vector<BorderListEntry> out;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto &b : read_canonical_borders(dir)) {
        out.push_back({b.left + "-" + b.right, b.left, b.right, "borders.geojson"});
        seen.insert(std::minmax(b.left, b.right));
    }
    std::vector<BorderListEntry> ne;
    for (const auto &f :
         detail::read_vector_features(dir / "boundary_lines_ne10m.geojson", {"left", "right"})) {
        if (f.fields[0].empty() || f.fields[1].empty() || f.fields[0] == f.fields[1]) {
            continue;
        }
        if (seen.insert(std::minmax(f.fields[0], f.fields[1])).second) {
            ne.push_back({f.fields[0] + "-" + f.fields[1], f.fields[0], f.fields[1],
                          "boundary_lines_ne10m.geojson"});
        }
    }
    std::sort(ne.begin(), ne.end(), [](const auto &x, const auto &y) { return x.id < y.id; });
    out.insert(out.end(), ne.begin(), ne.end());
    return out;
}

namespace {

void check_point(double lon, double lat) {
    if (!std::isfinite(lon) || lon < -180.0 || lon > 180.0) {
        throw GeometryError("longitude " + std::to_string(lon) + " is outside [-180, 180]");
    }
    if (!std::isfinite(lat) || lat < -90.0 || lat > 90.0) {
        throw GeometryError("latitude " + std::to_string(lat) + " is outside [-90, 90]");
    }
}

Placement geometric_fields(const detail::LineHit &hit) {
    Placement p;
    p.border_distance_m = hit.distance_m;
    p.nearest_lon = hit.lon;
    p.nearest_lat = hit.lat;
    p.chainage_km = hit.chainage_m / 1000.0;
    p.bearing_deg = hit.bearing_deg;
    return p;
}

} // namespace

Placement BorderEngine::place(double lon_deg, double lat_deg) const {
    check_point(lon_deg, lat_deg);
    const detail::LineHit hit = m_index->nearest_fast(lon_deg, lat_deg);
    Placement p = geometric_fields(hit);
    add_side_and_admin(p, lon_deg, lat_deg, hit);
    return p;
}

std::optional<double> BorderEngine::distance_within_m(double lon_deg, double lat_deg,
                                                      double limit_m) const {
    check_point(lon_deg, lat_deg);
    if (m_index->distance_lower_bound_m(lon_deg, lat_deg) > limit_m) {
        return std::nullopt;
    }
    const double d = m_index->nearest_fast(lon_deg, lat_deg).distance_m;
    if (!(d <= limit_m)) {
        return std::nullopt;
    }
    return d;
}

Placement BorderEngine::place_exact(double lon_deg, double lat_deg) const {
    check_point(lon_deg, lat_deg);
    const detail::LineHit hit = m_index->nearest_exact(lon_deg, lat_deg);
    Placement p = geometric_fields(hit);
    add_side_and_admin(p, lon_deg, lat_deg, hit);
    return p;
}

Placement BorderEngine::place_brute_force(double lon_deg, double lat_deg) const {
    check_point(lon_deg, lat_deg);
    return geometric_fields(m_index->nearest_brute_force(lon_deg, lat_deg));
}

void BorderEngine::add_side_and_admin(Placement &p, double lon, double lat,
                                      const detail::LineHit &hit) const {
    const auto &info = m_index->info;
    // Districts are clipped to the harmonised countries, so a district also gives the country.
    const AdminUnit *unit = m_polygons ? m_polygons->admin_at(lon, lat) : nullptr;
    std::string_view country;
    if (unit != nullptr) {
        country = unit->iso3;
    } else if (m_polygons) {
        country = m_polygons->country_at(lon, lat);
    }
    std::string_view side = country;
    if (hit.distance_m <= line_side_max_m && !info.left.empty() && !info.right.empty() &&
        (country.empty() || country == info.left || country == info.right)) {
        // Near the line its own geometry decides, so side never contradicts the line.
        const int ls = m_index->line_side(hit.p_ecef, hit);
        if (ls >= 0) {
            side = ls == 1 ? info.left : info.right;
        }
    }
    p.side = side;
    if (m_polygons && !side.empty()) {
        if (unit == nullptr || unit->iso3 != side) {
            unit = m_polygons->admin_for(lon, lat, side);
        }
        if (unit != nullptr) {
            p.admin1 = unit->admin1;
            p.admin2 = unit->name;
        }
    }
}

const BorderInfo &BorderEngine::info() const {
    return m_index->info;
}
const std::vector<std::array<double, 2>> &BorderEngine::vertices() const {
    return m_index->vertices;
}
const std::vector<double> &BorderEngine::vertex_chainage_km() const {
    return m_index->vertex_chainage_km;
}
double BorderEngine::index_build_ms() const {
    return m_index->build_ms;
}

std::array<double, 2> BorderEngine::point_at_chainage(double chainage_km) const {
    const auto &idx = *m_index;
    const double total = idx.vertex_chainage_m.back();
    const double ch =
        std::clamp(std::isfinite(chainage_km) ? chainage_km * 1000.0 : 0.0, 0.0, total);
    auto it = std::upper_bound(idx.vertex_chainage_m.begin(), idx.vertex_chainage_m.end(), ch);
    std::size_t e = it == idx.vertex_chainage_m.begin()
                        ? 0
                        : static_cast<std::size_t>(it - idx.vertex_chainage_m.begin()) - 1;
    if (e >= idx.edge_length_m.size()) {
        return idx.vertices.back();
    }
    const double along = ch - idx.vertex_chainage_m[e];
    if (along <= 0.0) {
        return idx.vertices[e];
    }
    return geodesic_direct(idx.vertices[e][0], idx.vertices[e][1], idx.edge_azimuth1_deg[e], along);
}

} // namespace borderwatch
