#include <borderwatch/placement/border_engine.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/geodata/reference_polygons.hpp>
#include <borderwatch/geodesy/geodesic.hpp>

#include "geodata/geodata_cache.hpp"
#include "geodesy/wgs84.hpp"
#include "io/vector_features.hpp"
#include "placement/detail/border_index.hpp"
#include "placement/detail/country_coasts.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace borderwatch {

namespace detail {

struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
    }
};

/// World mode: each country's own land boundaries as one index of their parts, built on
/// the first point in that country (a few milliseconds), then shared by every thread.
struct CountryIndexes {
    /// ISO3 -> index below (looked up once per point: hashed, by string_view)
    std::unordered_map<std::string, std::size_t, TransparentHash, std::equal_to<>> slot;
    std::vector<std::vector<std::uint32_t>> parts; ///< the world index's parts
    std::unique_ptr<std::once_flag[]> once;
    std::vector<std::unique_ptr<BorderIndex>> index;
    std::once_flag coasts_once; ///< the country boundaries, for points at sea
    std::unique_ptr<CountryCoasts> coasts;
};

} // namespace detail

namespace {

using Line = std::vector<std::array<double, 2>>;

/// Points further than this from the line take their side from the country polygons only.
constexpr double line_side_max_m = 5000.0;

bool same_point(const std::array<double, 2> &a, const std::array<double, 2> &b) {
    return std::abs(a[0] - b[0]) <= 1e-9 && std::abs(a[1] - b[1]) <= 1e-9;
}

/// Grow @p merged by every part (not yet @p used) whose end meets one of its ends, until none
/// does; parts may be reversed when @p may_reverse. Marks the parts taken. @return how many
std::size_t chain_parts(Line &merged, std::vector<Line> &parts, std::vector<bool> &used,
                        bool may_reverse) {
    std::size_t taken = 0;
    bool progress = true;
    while (progress) {
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
            ++taken;
            progress = true;
        }
    }
    return taken;
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
    const std::size_t remaining = parts.size() - 1 - chain_parts(merged, parts, used, may_reverse);
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

/// Chain line parts end to end where they meet; what does not join becomes another line.
/// When every part joins, the result is merge_parts()'s one line.
std::vector<Line> join_parts(std::vector<Line> parts, bool may_reverse) {
    parts.erase(
        std::remove_if(parts.begin(), parts.end(), [](const Line &l) { return l.size() < 2; }),
        parts.end());
    std::vector<Line> lines;
    while (!parts.empty()) {
        // The chain of the first part, as merge_parts() joins it; the parts it does not take
        // start the next line.
        Line merged = std::move(parts.front());
        parts.erase(parts.begin());
        std::vector<bool> used(parts.size(), false);
        (void)chain_parts(merged, parts, used, may_reverse);
        std::vector<Line> rest;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (!used[i]) {
                rest.push_back(std::move(parts[i]));
            }
        }
        lines.push_back(std::move(merged));
        parts = std::move(rest);
    }
    return lines;
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

namespace {

std::unique_ptr<detail::CountryIndexes> make_country_indexes(const detail::BorderIndex &world) {
    auto c = std::make_unique<detail::CountryIndexes>();
    for (std::uint32_t k = 0; k < world.parts.size(); ++k) {
        const auto &b = world.part_borders[world.parts[k].border];
        for (const std::string *iso : {&b.left, &b.right}) {
            auto [it, fresh] = c->slot.emplace(*iso, c->parts.size());
            if (fresh) {
                c->parts.emplace_back();
            }
            c->parts[it->second].push_back(k);
        }
    }
    c->once = std::make_unique<std::once_flag[]>(c->parts.size());
    c->index.resize(c->parts.size());
    return c;
}

} // namespace

void BorderEngine::add_own_border(Placement &p, double lon, double lat, const detail::LineHit &hit,
                                  SearchStart *start) const {
    if (!m_countries) {
        return;
    }
    auto &c = *m_countries;
    if (p.side.empty()) {
        if (m_polygons) { // at sea: the country whose boundary is nearest
            std::call_once(c.coasts_once,
                           [&] { c.coasts = std::make_unique<detail::CountryCoasts>(m_polygons); });
            p.nearest_country = c.coasts->nearest(lon, lat).iso3;
        }
        return;
    }
    p.nearest_country = p.side;
    const auto it = c.slot.find(p.side);
    if (it == c.slot.end()) {
        return; // an island country: no land boundary
    }
    // The other country of the boundary a hit lies on.
    auto across = [&](const detail::BorderIndex &index, const detail::LineHit &at) {
        const auto &part = index.part_of_edge(index.segments[at.segment].edge);
        const auto &pair = index.part_borders[part.border];
        return std::string_view(pair.left == p.side ? pair.right : pair.left);
    };
    if (p.border_id.substr(0, 3) == p.side || p.border_id.substr(4, 3) == p.side) {
        p.own_border_distance_m = p.border_distance_m;
        p.neighbour = across(*m_index, hit);
        return;
    }
    const std::size_t slot = it->second;
    std::call_once(c.once[slot], [&] {
        auto idx = std::make_unique<detail::BorderIndex>();
        const auto &w = *m_index;
        idx->info.id = it->first;
        idx->part_borders = w.part_borders;
        for (const std::uint32_t k : c.parts[slot]) {
            const std::uint32_t first = w.parts[k].first_vertex;
            const std::uint32_t end = k + 1 < w.parts.size()
                                          ? w.parts[k + 1].first_vertex
                                          : static_cast<std::uint32_t>(w.vertices.size());
            idx->parts.push_back({static_cast<std::uint32_t>(idx->vertices.size()),
                                  w.parts[k].border, w.parts[k].number});
            idx->vertices.insert(idx->vertices.end(), w.vertices.begin() + first,
                                 w.vertices.begin() + end);
        }
        idx->build();
        c.index[slot] = std::move(idx);
    });
    const bool same_country = start != nullptr && start->own_slot == slot;
    const auto own = c.index[slot]->nearest_fast(
        lon, lat, same_country ? start->own_segment : detail::no_segment);
    if (start != nullptr) {
        start->own_slot = slot;
        start->own_segment = own.segment;
    }
    p.own_border_distance_m = own.distance_m;
    p.neighbour = across(*c.index[slot], own);
}
BorderEngine::~BorderEngine() = default;

namespace {

/// Put @p lines into @p index as parts of border @p border (repeated vertices dropped; a line
/// left with fewer than 2 vertices is skipped), numbered from 1 in order.
void add_lines(detail::BorderIndex &index, std::vector<Line> lines, std::uint32_t border,
               const std::string &what) {
    std::uint32_t number = 0;
    for (auto &line : lines) {
        remove_repeated_vertices(line);
        if (line.size() < 2) {
            continue;
        }
        check_coordinates(line, what);
        index.parts.push_back(
            {static_cast<std::uint32_t>(index.vertices.size()), border, ++number});
        index.vertices.insert(index.vertices.end(), line.begin(), line.end());
    }
}

/// Position of (x, y) in [0, 1)^2 along a Hilbert curve of 2^16 x 2^16 cells.
std::uint64_t hilbert_key(double x, double y) {
    constexpr std::uint32_t n = 1U << 16;
    auto cell = [](double v) {
        return static_cast<std::uint32_t>(std::clamp(v, 0.0, 1.0 - 1e-12) * n);
    };
    std::uint32_t cx = cell(x);
    std::uint32_t cy = cell(y);
    std::uint64_t key = 0;
    // Branch-free: the quadrant bits of scattered points are unpredictable.
    for (std::uint32_t s = n / 2; s > 0; s /= 2) {
        const std::uint32_t rx = (cx & s) != 0U ? 1U : 0U;
        const std::uint32_t ry = (cy & s) != 0U ? 1U : 0U;
        key += static_cast<std::uint64_t>(s) * s * ((3U * rx) ^ ry);
        // Rotate the quadrant: reflect when rx = 1 and ry = 0 (n - 1 - c), then swap when
        // ry = 0.
        const std::uint32_t reflect = (n - 1) & (0U - (rx & (ry ^ 1U)));
        cx ^= reflect;
        cy ^= reflect;
        const std::uint32_t swap = (cx ^ cy) & (0U - (ry ^ 1U));
        cx ^= swap;
        cy ^= swap;
    }
    return key;
}

/// Reorder the parts of @p index along a Hilbert curve of their middle vertices. The index's
/// tree groups consecutive sub-segments, so neighbouring lines must be neighbours in the
/// arrays: in the data's order (pairs sorted by name) the upper nodes mix continents, and a
/// search for a far point visits most of them. Parts keep their border and number.
void order_parts_spatially(detail::BorderIndex &index) {
    const std::size_t n = index.parts.size();
    std::vector<std::pair<std::uint64_t, std::size_t>> keys;
    keys.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t first = index.parts[k].first_vertex;
        const std::size_t end = k + 1 < n ? index.parts[k + 1].first_vertex : index.vertices.size();
        const auto &mid = index.vertices[first + (end - first) / 2];
        keys.emplace_back(hilbert_key((mid[0] + 180.0) / 360.0, (mid[1] + 90.0) / 180.0), k);
    }
    std::sort(keys.begin(), keys.end());
    std::vector<detail::BorderPart> parts;
    std::vector<std::array<double, 2>> vertices;
    vertices.reserve(index.vertices.size());
    for (const auto &[key, k] : keys) {
        const std::size_t first = index.parts[k].first_vertex;
        const std::size_t end = k + 1 < n ? index.parts[k + 1].first_vertex : index.vertices.size();
        detail::BorderPart part = index.parts[k];
        part.first_vertex = static_cast<std::uint32_t>(vertices.size());
        parts.push_back(part);
        vertices.insert(vertices.end(), index.vertices.begin() + static_cast<std::ptrdiff_t>(first),
                        index.vertices.begin() + static_cast<std::ptrdiff_t>(end));
    }
    index.parts = std::move(parts);
    index.vertices = std::move(vertices);
}

/// World mode: every pair of boundary_lines_ne10m.geojson, the canonical lines replacing
/// Natural Earth's for their pairs. Pairs in file order (sorted by left, right), each oriented
/// as its first feature; parts joined where they meet.
void load_world(detail::BorderIndex &index, const std::filesystem::path &dir) {
    std::set<std::pair<std::string, std::string>> canonical_pairs;
    for (auto &b : read_canonical_borders(dir)) {
        if (b.parts.empty()) {
            continue;
        }
        canonical_pairs.insert(std::minmax(b.left, b.right));
        const auto border = static_cast<std::uint32_t>(index.part_borders.size());
        index.part_borders.push_back({b.left + "-" + b.right, b.left, b.right});
        add_lines(index, {merge_parts(std::move(b.parts), false, "border '" + b.id + "'")}, border,
                  "border '" + b.id + "'");
    }
    const auto ne_path = dir / "boundary_lines_ne10m.geojson";
    if (!std::filesystem::exists(ne_path)) {
        throw DataError("reference data file missing: " + ne_path.string());
    }
    std::vector<std::pair<std::string, std::string>> order;
    std::map<std::pair<std::string, std::string>, std::vector<Line>> pairs;
    std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> oriented;
    for (auto &f : detail::read_vector_features(ne_path, {"left", "right"})) {
        if (f.fields[0].empty() || f.fields[1].empty() || f.fields[0] == f.fields[1]) {
            continue;
        }
        const auto key = std::minmax(f.fields[0], f.fields[1]);
        if (canonical_pairs.count(key) != 0) {
            continue;
        }
        auto [it, fresh] = oriented.emplace(key, std::pair{f.fields[0], f.fields[1]});
        if (fresh) {
            order.push_back(key);
        }
        const bool backward = it->second.first != f.fields[0];
        for (auto &part : f.parts) {
            Line line = std::move(part.front());
            if (backward) {
                std::reverse(line.begin(), line.end());
            }
            pairs[key].push_back(std::move(line));
        }
    }
    for (const auto &key : order) {
        const auto &[left, right] = oriented[key];
        const auto border = static_cast<std::uint32_t>(index.part_borders.size());
        index.part_borders.push_back({left + "-" + right, left, right});
        add_lines(index, join_parts(std::move(pairs[key]), false), border,
                  "border " + left + "-" + right);
    }
    order_parts_spatially(index);
    index.info.id = "nearest";
    index.info.world = true;
    index.info.source = "world mode: every Natural Earth 1:10m land boundary "
                        "(boundary_lines_ne10m.geojson), the canonical lines of borders.geojson "
                        "for their pairs; " +
                        std::to_string(index.part_borders.size()) + " borders";
}

/// The index of a geodata border: from the geodata cache (@p source's file of @p kind), else
/// built and stored. With @p read_line the cache file holds the line too and @p read_line
/// (which fills an empty index's line) runs only to build it; without, @p index holds the
/// line already and a cached index must match it.
void index_from_cache(detail::BorderIndex &index, const std::filesystem::path &source,
                      const std::string &kind,
                      const std::function<void(detail::BorderIndex &)> &read_line) {
    bool built = false;
    detail::load_cached(
        detail::CacheSettings::from_environment(), source, kind,
        [&] {
            if (read_line) {
                index = detail::BorderIndex(); // nothing left of a damaged cache file's line
                read_line(index);
            }
            index.build();
            built = true;
            detail::ByteWriter out;
            index.save(out);
            return out.take();
        },
        [&](detail::ByteReader &in) {
            if (!built) {
                index.restore(in, static_cast<bool>(read_line));
            }
            return true;
        });
}

} // namespace

std::unique_ptr<BorderEngine> BorderEngine::load(const std::string &border,
                                                 const std::filesystem::path &geodata) {
    std::unique_ptr<BorderEngine> engine(new BorderEngine());
    detail::BorderIndex &index = *engine->m_index;
    const std::string name = upper(border);
    const bool world = name == "NEAREST" && !std::filesystem::exists(border);
    const bool is_file = !world && (!is_pair_name(name) || std::filesystem::exists(border));
    std::filesystem::path line_source; // the geodata file the line comes from (keys the cache)
    std::vector<Line> lines;

    if (world) {
        // The whole line set comes from the cache with its index: no GeoJSON is parsed on a
        // hit (the Natural Earth lines took ~90 ms). The cache file is checked against the
        // Natural Earth lines; borders.geojson, whose lines replace theirs, names the kind.
        const auto dir = geodata_or_default(geodata);
        engine->m_polygons = ReferencePolygons::load(dir);
        index_from_cache(index, dir / "boundary_lines_ne10m.geojson",
                         "border-index:nearest:" + detail::file_stamp(dir / "borders.geojson"),
                         [&](detail::BorderIndex &fresh) { load_world(fresh, dir); });
        engine->m_countries = make_country_indexes(index);
        return engine;
    }
    if (is_file) {
        const std::filesystem::path path(border);
        if (!std::filesystem::exists(path)) {
            throw UsageError("unknown border '" + border +
                             "': not a country pair like TJK-AFG, not 'nearest' and no such file "
                             "(see 'borderwatch border --list')");
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
        lines = join_parts(std::move(parts), true);
        if (lines.empty()) {
            throw GeometryError("border file '" + border + "': no line geometry found");
        }
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
            lines.push_back(std::move(line));
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
            lines = join_parts(std::move(parts), false);
            index.info.id = name;
            index.info.source =
                "Natural Earth 1:10m boundary lines (boundary_lines_ne10m.geojson), " +
                std::to_string(count) + " part(s) joined into " + std::to_string(lines.size()) +
                " line(s)";
            line_source = ne_path;
        }
        index.info.left = aaa;
        index.info.right = bbb;
        engine->m_polygons = ReferencePolygons::load(dir);
    }
    index.part_borders.push_back({index.info.id, index.info.left, index.info.right});
    add_lines(index, std::move(lines), 0, "border '" + index.info.id + "'");
    if (index.parts.empty()) {
        throw GeometryError("border '" + index.info.id + "' needs at least 2 distinct vertices");
    }
    // A geodata border's index comes from the geodata cache when it holds one for these exact
    // vertices (restore() compares them), else it is built and stored; same arrays either way,
    // so the same answers. A user's line file is indexed afresh (not cached: such files come
    // and go, and the cache would only grow).
    if (is_file) {
        index.build();
        return engine;
    }
    index_from_cache(index, line_source, "border-index:" + name, nullptr);
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

Placement geometric_fields(const detail::BorderIndex &index, const detail::LineHit &hit) {
    Placement p;
    p.border_distance_m = hit.distance_m;
    p.nearest_lon = hit.lon;
    p.nearest_lat = hit.lat;
    p.chainage_km = index.chainage_in_part_m(hit) / 1000.0;
    p.bearing_deg = hit.bearing_deg;
    const detail::BorderPart &part = index.part_of_edge(index.segments[hit.segment].edge);
    p.part = part.number;
    p.border_id = index.part_borders[part.border].id;
    return p;
}

} // namespace

Placement BorderEngine::place(double lon_deg, double lat_deg) const {
    check_point(lon_deg, lat_deg);
    SearchStart start;
    return place_near(lon_deg, lat_deg, start);
}

Placement BorderEngine::place_near(double lon_deg, double lat_deg, SearchStart &start) const {
    const detail::LineHit hit = m_index->nearest_fast(lon_deg, lat_deg, start.segment);
    start.segment = hit.segment;
    Placement p = geometric_fields(*m_index, hit);
    add_side_and_admin(p, lon_deg, lat_deg, hit);
    add_own_border(p, lon_deg, lat_deg, hit, &start);
    return p;
}

namespace {

/// Above this many bytes of sub-segments the index no longer stays in the caches between
/// scattered queries (TJK-AFG: 0.2 MB; world mode: 17 MB).
constexpr std::size_t cached_index_max_bytes = std::size_t{4} << 20U;
/// Fewer points than this gain nothing from ordering.
constexpr std::size_t order_min_points = 64;
/// How many points ahead place_many() fetches the input and output slots (a placement takes
/// ~2 us, far longer than a memory access).
constexpr std::size_t prefetch_ahead = 2;

} // namespace

bool BorderEngine::orders_batches() const noexcept {
    return m_index->segments.size() * sizeof(detail::Segment) > cached_index_max_bytes;
}

void BorderEngine::place_many(std::span<const std::array<double, 2>> points,
                              std::span<Placement> out) const {
    if (out.size() != points.size()) {
        throw std::invalid_argument("place_many: as many outputs as points are needed");
    }
    for (const auto &pt : points) {
        check_point(pt[0], pt[1]);
    }
    if (points.size() < order_min_points || !orders_batches()) {
        for (std::size_t i = 0; i < points.size(); ++i) {
            out[i] = place(points[i][0], points[i][1]);
        }
        return;
    }
    std::vector<std::pair<std::uint64_t, std::size_t>> order(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        order[i] = {hilbert_key((points[i][0] + 180.0) / 360.0, (points[i][1] + 90.0) / 180.0), i};
    }
    std::sort(order.begin(), order.end());
    SearchStart start; // the previous point's nearest sub-segments
    for (std::size_t k = 0; k < order.size(); ++k) {
        // In curve order the input and output slots are scattered over megabytes: fetch the
        // next point's while this one is placed, instead of stalling on them in turn.
        if (k + prefetch_ahead < order.size()) {
            const std::size_t next = order[k + prefetch_ahead].second;
            __builtin_prefetch(&points[next]);
            const auto *slot = reinterpret_cast<const char *>(&out[next]);
            for (std::size_t b = 0; b < sizeof(Placement); b += 64) {
                __builtin_prefetch(slot + b, 1);
            }
            __builtin_prefetch(slot + sizeof(Placement) - 1, 1);
        }
        const std::size_t i = order[k].second;
        out[i] = place_near(points[i][0], points[i][1], start);
    }
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
    Placement p = geometric_fields(*m_index, hit);
    add_side_and_admin(p, lon_deg, lat_deg, hit);
    add_own_border(p, lon_deg, lat_deg, hit);
    return p;
}

Placement BorderEngine::place_brute_force(double lon_deg, double lat_deg) const {
    check_point(lon_deg, lat_deg);
    return geometric_fields(*m_index, m_index->nearest_brute_force(lon_deg, lat_deg));
}

void BorderEngine::add_side_and_admin(Placement &p, double lon, double lat,
                                      const detail::LineHit &hit) const {
    const auto &info =
        m_index->part_borders[m_index->part_of_edge(m_index->segments[hit.segment].edge).border];
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
std::vector<BorderLine> BorderEngine::lines() const {
    const auto &idx = *m_index;
    const auto &km = idx.vertex_chainage_km;
    std::vector<BorderLine> out;
    if (idx.parts.empty()) { // not built: one line of the border itself
        out.push_back({idx.info.id, idx.info.left, idx.info.right, 1, 0, idx.vertices.size(),
                       km.empty() ? 0.0 : km.back()});
        return out;
    }
    for (std::size_t i = 0; i < idx.parts.size(); ++i) {
        const auto &part = idx.parts[i];
        const std::size_t end =
            i + 1 < idx.parts.size() ? idx.parts[i + 1].first_vertex : idx.vertices.size();
        const auto &border = idx.part_borders[part.border];
        out.push_back({border.id, border.left, border.right, part.number, part.first_vertex,
                       end - part.first_vertex, km[end - 1] - km[part.first_vertex]});
    }
    return out;
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
