// Loading geodata/gazetteer (places, names, aliases), user GeoNames and alias files, and
// building the indexes. Everything expensive (ICU transliteration, keys, border distances)
// happens here once, so resolve() is lookups only.
#include <borderwatch/gazetteer/gazetteer.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/json.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/geodata/borders.hpp>

#include "gazetteer/detail/analysis.hpp"
#include "gazetteer/detail/fold_memo.hpp"
#include "gazetteer/detail/gazetteer_impl.hpp"
#include "geodata/geodata_cache.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <unordered_set>

namespace borderwatch {

namespace {

using detail::NameEntry;
using detail::NameType;
using detail::Place;
using detail::Posting;

std::string read_text_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot open '" + path.string() + "'");
    }
    // One read of the whole file (a stream copy through ostringstream took ~3 ms of the
    // gazetteer's load).
    std::string text;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) {
        text.resize(static_cast<std::size_t>(size));
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<std::size_t>(in.gcount()));
    }
    // A file growing meanwhile, or one without a size (a pipe): the rest, if any.
    text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        throw IoError("cannot read '" + path.string() + "'");
    }
    return text;
}

/// Tab-separated lines without quoting (GeoNames and geodata TSVs never quote).
class TsvLines {
  public:
    explicit TsvLines(std::string text) : m_text(std::move(text)) {
        if (m_text.rfind("\xEF\xBB\xBF", 0) == 0) {
            m_pos = 3;
        }
    }
    /// Next line's fields; false at the end. Skips blank lines and '#' comments.
    bool next(std::vector<std::string_view> &fields) {
        while (m_pos < m_text.size()) {
            auto end = m_text.find('\n', m_pos);
            if (end == std::string::npos) {
                end = m_text.size();
            }
            std::string_view line(m_text.data() + m_pos, end - m_pos);
            m_pos = end + 1;
            ++m_line;
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (line.empty() || line.front() == '#') {
                continue;
            }
            fields.clear();
            std::size_t start = 0;
            while (true) {
                const auto tab = line.find('\t', start);
                if (tab == std::string_view::npos) {
                    fields.push_back(line.substr(start));
                    break;
                }
                fields.push_back(line.substr(start, tab - start));
                start = tab + 1;
            }
            return true;
        }
        return false;
    }
    [[nodiscard]] std::size_t line() const noexcept { return m_line; }

  private:
    std::string m_text;
    std::size_t m_pos = 0;
    std::size_t m_line = 0;
};

int rank_of(const std::string &kind, const std::string &feature_code) {
    if (kind == "country") {
        return 0;
    }
    if (kind == "admin1") {
        return 1;
    }
    if (kind == "admin2") {
        return 2;
    }
    if (kind == "populated_place") {
        return feature_code.rfind("PPLA", 0) == 0 || feature_code == "PPLC" ||
                       feature_code == "PPLG"
                   ? 3
                   : 4;
    }
    return 5;
}

int precision_of(const std::string &kind) {
    if (kind == "country") {
        return 6;
    }
    if (kind == "admin1") {
        return 4;
    }
    if (kind == "admin2") {
        return 3;
    }
    if (kind == "populated_place" || kind == "spot") {
        return 1;
    }
    if (kind == "hydrographic" || kind == "area" || kind == "road") {
        return 5;
    }
    return 2;
}

std::string kind_of_geonames_class(char feature_class) {
    switch (feature_class) {
    case 'P':
        return "populated_place";
    case 'H':
        return "hydrographic";
    case 'T':
        return "terrain";
    case 'L':
        return "area";
    case 'S':
        return "spot";
    case 'R':
        return "road";
    case 'V':
        return "vegetation";
    case 'U':
        return "undersea";
    case 'A':
        return "area";
    default:
        return "other";
    }
}

std::string iso3_of(std::string_view iso2) {
    static const std::map<std::string_view, std::string_view> table{
        {"TJ", "TJK"}, {"AF", "AFG"}, {"UZ", "UZB"}, {"KG", "KGZ"}, {"CN", "CHN"}, {"PK", "PAK"},
        {"TM", "TKM"}, {"IR", "IRN"}, {"IN", "IND"}, {"RU", "RUS"}, {"KZ", "KAZ"}};
    if (auto it = table.find(iso2); it != table.end()) {
        return std::string(it->second);
    }
    return std::string(iso2);
}

// geonames_code -> shapeID from admin1.geojson / admin2.geojson. One feature per line, so a
// string scan is enough (and far cheaper than parsing the polygons).
std::unordered_map<std::string, std::string> geonames_codes(const std::filesystem::path &path) {
    std::unordered_map<std::string, std::string> codes;
    std::ifstream in(path);
    std::string line;
    const std::string id_key = "\"id\":\"";
    const std::string code_key = "\"geonames_code\":\"";
    while (std::getline(in, line)) {
        const auto id_pos = line.find(id_key);
        const auto code_pos = line.find(code_key);
        if (id_pos == std::string::npos || code_pos == std::string::npos) {
            continue;
        }
        const auto id_start = id_pos + id_key.size();
        const auto code_start = code_pos + code_key.size();
        const auto id = line.substr(id_start, line.find('"', id_start) - id_start);
        const auto code = line.substr(code_start, line.find('"', code_start) - code_start);
        if (!code.empty()) {
            codes.emplace(code, id);
        }
    }
    return codes;
}

class Builder {
  public:
    Builder(Gazetteer::Impl &g, std::filesystem::path geodata)
        : m_g(g), m_geodata(std::move(geodata)) {}

    void load_places() {
        const auto path = m_geodata / "gazetteer" / "places.tsv";
        auto text = read_geodata(path);
        m_g.places.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
        TsvLines lines(std::move(text));
        std::vector<std::string_view> f;
        if (!lines.next(f)) {
            throw DataError(path.string() + ": empty file");
        }
        const std::vector<std::string> header(f.begin(), f.end());
        const auto col = [&](std::string_view name) {
            auto it = std::find(header.begin(), header.end(), name);
            if (it == header.end()) {
                throw DataError(path.string() + ":1: missing column '" + std::string(name) + "'");
            }
            return static_cast<std::size_t>(it - header.begin());
        };
        const auto c_id = col("id"), c_kind = col("kind"), c_name = col("name"),
                   c_ascii = col("asciiname"), c_country = col("country"), c_admin1 = col("admin1"),
                   c_admin2 = col("admin2"), c_admin1_id = col("admin1_id"),
                   c_admin2_id = col("admin2_id"), c_lon = col("lon"), c_lat = col("lat"),
                   c_pop = col("population"), c_code = col("feature_code");
        while (lines.next(f)) {
            if (f.size() < header.size()) {
                throw DataError(path.string() + ":" + std::to_string(lines.line()) + ": " +
                                std::to_string(f.size()) + " columns, expected " +
                                std::to_string(header.size()));
            }
            Place p;
            p.view.id = f[c_id];
            p.view.kind = f[c_kind];
            p.view.name = f[c_name];
            p.view.country = f[c_country];
            p.view.admin1 = f[c_admin1];
            p.view.admin2 = f[c_admin2];
            p.admin1_id = f[c_admin1_id];
            p.admin2_id = f[c_admin2_id];
            const auto lon = parse_double(f[c_lon]);
            const auto lat = parse_double(f[c_lat]);
            if (!lon || !lat) {
                throw DataError(path.string() + ":" + std::to_string(lines.line()) +
                                ": bad lon/lat");
            }
            p.view.lon = *lon;
            p.view.lat = *lat;
            p.population = parse_int(f[c_pop]).value_or(0);
            p.feature_code = f[c_code];
            const auto index = add_place(std::move(p), path, lines.line());
            add_name(index, std::string(f[c_name]), NameType::official);
            add_name(index, std::string(f[c_ascii]), NameType::ascii);
        }
    }

    void load_names() {
        const auto path = m_geodata / "gazetteer" / "names.tsv";
        TsvLines lines(read_geodata(path));
        std::vector<std::string_view> f;
        lines.next(f); // header: id name script type source
        while (lines.next(f)) {
            if (f.size() < 4) {
                throw DataError(path.string() + ":" + std::to_string(lines.line()) +
                                ": expected id, name, script, type, source");
            }
            const auto it = m_g.by_id.find(std::string(f[0]));
            if (it == m_g.by_id.end()) {
                throw DataError(path.string() + ":" + std::to_string(lines.line()) +
                                ": unknown place id '" + std::string(f[0]) + "'");
            }
            add_name(it->second, std::string(f[1]), name_type(f[3]));
        }
    }

    void load_aliases(const std::filesystem::path &path, bool user) {
        TsvLines lines(user ? read_text_file(path) : read_geodata(path));
        std::vector<std::string_view> f;
        bool first = true;
        while (lines.next(f)) {
            if (first && !f.empty() && f[0] == "alias") {
                first = false;
                continue; // header
            }
            first = false;
            const SourceLocation where{path.string(), lines.line(), 0, ""};
            if (f.size() < 2) {
                fail(user, {where.file, where.line, 2, "id"}, "expected 'alias<TAB>id[<TAB>note]'");
            }
            if (f[0].empty() || !is_valid_utf8(f[0])) {
                fail(user, {where.file, where.line, 1, "alias"}, "empty or not UTF-8");
            }
            const auto it = m_g.by_id.find(std::string(f[1]));
            if (it == m_g.by_id.end()) {
                fail(user, {where.file, where.line, 2, "id"},
                     "unknown place id '" + std::string(f[1]) + "'");
            }
            add_name(it->second, std::string(f[0]), NameType::alias);
        }
    }

    void load_geonames(const std::filesystem::path &path) {
        if (!m_codes_loaded) {
            m_admin1_codes = geonames_codes(m_geodata / "admin1.geojson");
            m_admin2_codes = geonames_codes(m_geodata / "admin2.geojson");
            m_codes_loaded = true;
        }
        TsvLines lines(read_text_file(path));
        std::vector<std::string_view> f;
        while (lines.next(f)) {
            const auto line = lines.line();
            const auto where = [&](std::size_t column, const char *field) {
                return SourceLocation{path.string(), line, column, field};
            };
            if (f.size() < 15) {
                throw InputError(where(0, ""), std::to_string(f.size()) +
                                                   " columns; a GeoNames geoname row has 19 "
                                                   "(at least 15 needed)");
            }
            const auto geonameid = parse_int(f[0]);
            if (!geonameid || *geonameid <= 0) {
                throw InputError(where(1, "geonameid"),
                                 "'" + std::string(f[0]) + "' is not a positive integer");
            }
            if (f[1].empty() || !is_valid_utf8(f[1]) || !is_valid_utf8(f[3])) {
                throw InputError(where(2, "name"), "empty or not UTF-8");
            }
            const auto lat = parse_double(f[4]);
            if (!lat || !std::isfinite(*lat) || *lat < -90 || *lat > 90) {
                throw InputError(where(5, "latitude"),
                                 "'" + std::string(f[4]) + "' is not a latitude in [-90, 90]");
            }
            const auto lon = parse_double(f[5]);
            if (!lon || !std::isfinite(*lon) || *lon < -180 || *lon > 180) {
                throw InputError(where(6, "longitude"),
                                 "'" + std::string(f[5]) + "' is not a longitude in [-180, 180]");
            }
            const std::string id = "geonames:" + std::to_string(*geonameid);
            const std::string feature_class(f[6]);
            const std::string feature_code(f[7]);
            const std::string cc(f[8]);
            const std::string code1 = cc + "." + std::string(f[10]);
            const std::string code2 = code1 + "." + std::string(f[11]);

            std::uint32_t index = 0;
            NameType type = NameType::alternate;
            if (auto it = m_g.by_id.find(id); it != m_g.by_id.end()) {
                index = it->second;
            } else if (feature_class == "A" && feature_code == "ADM1" &&
                       m_admin1_codes.count(code1) != 0 &&
                       m_g.by_id.count(m_admin1_codes[code1]) != 0) {
                index = m_g.by_id.at(m_admin1_codes[code1]);
                type = NameType::geonames_admin;
            } else if (feature_class == "A" && feature_code == "ADM2" &&
                       m_admin2_codes.count(code2) != 0 &&
                       m_g.by_id.count(m_admin2_codes[code2]) != 0) {
                index = m_g.by_id.at(m_admin2_codes[code2]);
                type = NameType::geonames_admin;
            } else if (feature_class == "A" && feature_code.rfind("PCL", 0) == 0 &&
                       m_g.country_by_iso3.count(iso3_of(cc)) != 0) {
                index = m_g.country_by_iso3.at(iso3_of(cc));
                type = NameType::geonames_admin;
            } else {
                Place p;
                p.view.id = id;
                p.view.name = f[1];
                p.view.kind =
                    kind_of_geonames_class(feature_class.empty() ? '?' : feature_class[0]);
                p.view.country = iso3_of(cc);
                p.view.lon = *lon;
                p.view.lat = *lat;
                p.population = parse_int(f[14]).value_or(0);
                p.feature_code = feature_code;
                if (auto a1 = m_admin1_codes.find(code1); a1 != m_admin1_codes.end()) {
                    if (auto unit = m_g.by_id.find(a1->second); unit != m_g.by_id.end()) {
                        p.admin1_id = a1->second;
                        p.view.admin1 = m_g.places[unit->second].view.name;
                    }
                }
                if (auto a2 = m_admin2_codes.find(code2); a2 != m_admin2_codes.end()) {
                    if (auto unit = m_g.by_id.find(a2->second); unit != m_g.by_id.end()) {
                        p.admin2_id = a2->second;
                        p.view.admin2 = m_g.places[unit->second].view.name;
                    }
                }
                index = add_place(std::move(p), path, line);
                type = NameType::official;
            }
            add_name(index, std::string(f[1]), type);
            add_name(index, std::string(f[2]), type == NameType::official ? NameType::ascii : type);
            std::size_t start = 0;
            const std::string_view alternates = f[3];
            while (start <= alternates.size() && !alternates.empty()) {
                auto comma = alternates.find(',', start);
                if (comma == std::string_view::npos) {
                    comma = alternates.size();
                }
                const auto alt = alternates.substr(start, comma - start);
                if (alt.size() >= 2) {
                    add_name(index, std::string(alt),
                             type == NameType::official ? NameType::alternate : type);
                }
                start = comma + 1;
            }
        }
    }

    void build_index() {
        // Plain keys of country and admin-1 names: "(Afghanistan)" and "(Badakhshan)" in a
        // name are qualifiers, not another name of the place.
        std::unordered_set<std::string> context_keys;
        for (const auto &n : m_g.names) {
            const auto &kind = m_g.places[n.place].view.kind;
            if (kind == "country" || kind == "admin1") {
                context_keys.insert(detail::analyse(n.text).plain());
            }
        }
        // Room for a name's key and a part or two each: no rehashing while indexing.
        m_g.plain.reserve(m_g.names.size() * 2);
        m_g.phonetic.reserve(m_g.names.size() * 2);
        m_g.skeleton.reserve(m_g.names.size());
        for (std::uint32_t i = 0; i < m_g.names.size(); ++i) {
            const auto &n = m_g.names[i];
            const auto open = n.text.find('(');
            const auto close = n.text.find(')', open == std::string::npos ? 0 : open);
            if (open != std::string::npos && close != std::string::npos) {
                index_variant(i, n.text.substr(0, open) + " " + n.text.substr(close + 1));
                const auto inner = n.text.substr(open + 1, close - open - 1);
                const auto a = detail::analyse(inner);
                if (!a.empty() && context_keys.count(a.plain()) == 0) {
                    index_variant(i, inner);
                }
            } else {
                index_variant(i, n.text);
            }
        }
    }

    void compute_border_distances() {
        const auto path = m_geodata / "borders.geojson";
        if (!std::filesystem::exists(path)) {
            return; // only a tie-breaker; the gazetteer works without it
        }
        std::vector<std::pair<double, double>> vertices;
        for (const auto &border : read_canonical_borders(m_geodata)) {
            if (border.id != "TJK-AFG") {
                continue;
            }
            for (const auto &part : border.parts) {
                for (const auto &c : part) {
                    vertices.emplace_back(c[0], c[1]);
                }
            }
        }
        if (vertices.empty()) {
            return;
        }
        // Vertices bucketed in 0.5 degree cells; a place looks in its cell and the eight
        // around it, else falls back to a sparse sample of the whole line.
        constexpr double cell = 0.5;
        std::unordered_map<std::int64_t, std::vector<std::uint32_t>> grid;
        const auto cell_key = [](std::int64_t x, std::int64_t y) { return x * 100000 + y; };
        for (std::uint32_t i = 0; i < vertices.size(); ++i) {
            const auto x = static_cast<std::int64_t>(std::floor(vertices[i].first / cell));
            const auto y = static_cast<std::int64_t>(std::floor(vertices[i].second / cell));
            grid[cell_key(x, y)].push_back(i);
        }
        const auto distance_km = [](double lon1, double lat1, double lon2, double lat2) {
            constexpr double deg = 3.14159265358979323846 / 180.0;
            const double dx = (lon2 - lon1) * std::cos((lat1 + lat2) * 0.5 * deg) * 111.32;
            const double dy = (lat2 - lat1) * 110.57;
            return std::sqrt(dx * dx + dy * dy);
        };
        for (auto &p : m_g.places) {
            const auto x = static_cast<std::int64_t>(std::floor(p.view.lon / cell));
            const auto y = static_cast<std::int64_t>(std::floor(p.view.lat / cell));
            double best = 1e9;
            for (std::int64_t dx = -1; dx <= 1; ++dx) {
                for (std::int64_t dy = -1; dy <= 1; ++dy) {
                    auto it = grid.find(cell_key(x + dx, y + dy));
                    if (it == grid.end()) {
                        continue;
                    }
                    for (auto v : it->second) {
                        // The north-south part alone is a lower bound (less a rounding margin,
                        // so the minimum is the same to the last bit): most vertices are
                        // turned away without the cosine.
                        if (std::abs(vertices[v].second - p.view.lat) * 110.57 * (1.0 - 1e-12) >=
                            best) {
                            continue;
                        }
                        best = std::min(best, distance_km(p.view.lon, p.view.lat, vertices[v].first,
                                                          vertices[v].second));
                    }
                }
            }
            if (best >= 1e9) {
                for (std::size_t v = 0; v < vertices.size(); v += 25) {
                    best = std::min(best, distance_km(p.view.lon, p.view.lat, vertices[v].first,
                                                      vertices[v].second));
                }
            }
            p.border_km = best;
        }
    }

  private:
    std::string read_geodata(const std::filesystem::path &path) {
        try {
            return read_text_file(path);
        } catch (const IoError &e) {
            throw DataError(std::string(e.what()) + " (geodata gazetteer missing? run "
                                                    "scripts/build-geodata or set --geodata)");
        }
    }

    [[noreturn]] static void fail(bool user, SourceLocation where, const std::string &message) {
        if (user) {
            throw InputError(std::move(where), message);
        }
        throw DataError(where.to_string() + ": " + message);
    }

    static NameType name_type(std::string_view type) {
        if (type == "official") {
            return NameType::official;
        }
        if (type == "ascii") {
            return NameType::ascii;
        }
        if (type == "former") {
            return NameType::former;
        }
        if (type == "geonames_admin") {
            return NameType::geonames_admin;
        }
        return NameType::alternate;
    }

    std::uint32_t add_place(Place p, const std::filesystem::path &path, std::size_t line) {
        if (p.view.id.empty()) {
            throw DataError(path.string() + ":" + std::to_string(line) + ": empty id");
        }
        p.rank = rank_of(p.view.kind, p.feature_code);
        p.view.precision = precision_of(p.view.kind);
        p.view.score = 1.0;
        const auto index = static_cast<std::uint32_t>(m_g.places.size());
        if (!m_g.by_id.emplace(p.view.id, index).second) {
            throw DataError(path.string() + ":" + std::to_string(line) + ": duplicate id '" +
                            p.view.id + "'");
        }
        if (p.view.kind == "country") {
            m_g.country_by_iso3.emplace(p.view.country, index);
        }
        m_g.places.push_back(std::move(p));
        return index;
    }

    void add_name(std::uint32_t place, std::string text, NameType type) {
        if (text.empty()) {
            return;
        }
        std::string key = std::to_string(place);
        key.push_back('\t');
        key += text;
        if (!m_seen.insert(std::move(key)).second) {
            return; // same variant again (the first, most official type wins)
        }
        m_g.names.push_back({place, std::move(text), type});
    }

    static void push(detail::KeyIndex &index, const std::string &key, Posting posting) {
        if (key.empty()) {
            return;
        }
        auto &list = index[key];
        for (auto &existing : list) {
            if (existing.place == posting.place) {
                if (posting.score > existing.score) {
                    existing = posting;
                }
                return;
            }
        }
        list.push_back(posting);
    }

    void index_variant(std::uint32_t name_index, const std::string &text) {
        const auto &n = m_g.names[name_index];
        const auto a = detail::analyse(text);
        if (a.empty()) {
            return;
        }
        const bool official = n.type == NameType::official || n.type == NameType::ascii;
        const float plain_score = official ? 1.0f : 0.95f;
        const float phonetic_score = official ? 0.92f : 0.90f;
        const auto phonetic = a.phonetic();
        push(m_g.plain, a.plain(), {n.place, name_index, plain_score});
        push(m_g.phonetic, phonetic, {n.place, name_index, phonetic_score});
        m_g.fuzzy.add(phonetic);
        const auto skeleton = detail::consonant_skeleton(phonetic);
        if (skeleton.size() >= 3) {
            push(m_g.skeleton, skeleton, {n.place, name_index, official ? 0.85f : 0.83f});
        }
        // Name parts: every proper run of words whose left-out words are all qualifiers
        // ("Badakhshan" in "Gorno-Badakhshan", "Darwaz" in "Darwaz-e Bala").
        const std::size_t count = std::min<std::size_t>(a.words.size(), 6);
        for (std::size_t begin = 0; begin < count; ++begin) {
            for (std::size_t end = begin + 1; end <= count; ++end) {
                if (begin == 0 && end == a.words.size()) {
                    continue;
                }
                bool qualifiers_only = true;
                for (std::size_t k = 0; k < a.words.size() && qualifiers_only; ++k) {
                    if ((k < begin || k >= end) && !detail::is_qualifier_word(a.words[k])) {
                        qualifiers_only = false;
                    }
                }
                bool all_qualifiers = true;
                for (std::size_t k = begin; k < end; ++k) {
                    all_qualifiers = all_qualifiers && detail::is_qualifier_word(a.words[k]);
                }
                if (!qualifiers_only || all_qualifiers) {
                    continue;
                }
                const auto part = a.phonetic(begin, end);
                push(m_g.plain, a.plain(begin, end), {n.place, name_index, plain_score - 0.10f});
                push(m_g.phonetic, part, {n.place, name_index, phonetic_score - 0.04f});
                m_g.fuzzy.add(part);
            }
        }
    }

    Gazetteer::Impl &m_g;
    std::filesystem::path m_geodata;
    std::unordered_set<std::string> m_seen;
    bool m_codes_loaded = false;
    std::unordered_map<std::string, std::string> m_admin1_codes;
    std::unordered_map<std::string, std::string> m_admin2_codes;
};

} // namespace

Gazetteer::Gazetteer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Gazetteer::~Gazetteer() = default;

namespace {

std::unique_ptr<Gazetteer::Impl> build_gazetteer(const Gazetteer::Sources &sources,
                                                 const std::filesystem::path &geodata) {
    static std::atomic<std::uint64_t> next_serial{1};
    auto impl = std::make_unique<Gazetteer::Impl>();
    impl->serial = next_serial++;
    Builder builder(*impl, geodata);
    builder.load_places();
    builder.load_names();
    builder.load_aliases(geodata / "gazetteer" / "aliases.tsv", false);
    for (const auto &file : sources.geonames_files) {
        builder.load_geonames(file);
    }
    for (const auto &file : sources.alias_files) {
        builder.load_aliases(file, true);
    }
    builder.build_index();
    for (auto &p : impl->places) {
        if (auto it = impl->by_id.find(p.admin1_id);
            !p.admin1_id.empty() && it != impl->by_id.end()) {
            p.admin1_index = it->second;
        }
        if (auto it = impl->by_id.find(p.admin2_id);
            !p.admin2_id.empty() && it != impl->by_id.end()) {
            p.admin2_index = it->second;
        }
    }
    builder.compute_border_distances();
    return impl;
}

std::string encode_folds(const detail::Folds &folds) {
    detail::ByteWriter out;
    out.put(static_cast<std::uint64_t>(folds.size()));
    for (const auto &[text, folded] : folds) {
        out.put_string(text);
        out.put_string(folded);
    }
    return out.take();
}

detail::Folds decode_folds(std::string_view bytes) {
    detail::ByteReader in(bytes);
    detail::Folds folds;
    const auto count = in.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < count; ++i) {
        auto text = in.get_string();
        auto folded = in.get_string();
        folds.emplace_back(std::move(text), std::move(folded));
    }
    if (!in.at_end()) {
        throw detail::CacheFormatError("folds: trailing data");
    }
    return folds;
}

} // namespace

std::unique_ptr<Gazetteer> Gazetteer::load(const Sources &sources) {
    const auto geodata = sources.geodata.empty() ? geodata_dir() : sources.geodata;
    // The index is built from the sources each time (cheap); what the cache keeps is the
    // names' ICU folds, so a run whose names are all known never builds the transliterator.
    const auto settings = detail::CacheSettings::from_environment();
    const auto names = geodata / "gazetteer" / "names.tsv";
    const std::string kind = "icu-folds:" + detail::fold_signature();
    std::unique_ptr<Impl> impl;
    const auto blob = detail::cached_blob(settings, names, kind, [&] {
        const detail::FoldRecorder recorder;
        impl = build_gazetteer(sources, geodata);
        return encode_folds(recorder.folds());
    });
    if (!impl) {
        try {
            detail::preload_folds(decode_folds(blob.bytes()));
        } catch (const detail::CacheFormatError &) {
            detail::discard_cache_file(settings, names, kind); // ICU folds live instead
        }
        impl = build_gazetteer(sources, geodata);
    }
    return std::unique_ptr<Gazetteer>(new Gazetteer(std::move(impl)));
}

const PlaceMatch *Gazetteer::find_by_id(std::string_view id) const {
    auto it = m_impl->by_id.find(std::string(id));
    return it == m_impl->by_id.end() ? nullptr : &m_impl->places[it->second].view;
}

std::size_t Gazetteer::place_count() const noexcept {
    return m_impl->places.size();
}
std::size_t Gazetteer::name_count() const noexcept {
    return m_impl->names.size();
}

} // namespace borderwatch
