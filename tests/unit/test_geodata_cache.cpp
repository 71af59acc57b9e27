// The geodata cache (src/geodata/geodata_cache.*): what it serves equals a direct GeoJSON
// load; stale, damaged, truncated or foreign cache files are rebuilt (never trusted, never a
// crash); an unwritable cache directory falls back to the direct load.
#include <catch2/catch.hpp>

#include <borderwatch/core/paths.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>
#include <borderwatch/placement/border_engine.hpp>

#include "geodata/byte_io.hpp"
#include "geodata/detail/cached_layers.hpp"
#include "geodata/geodata_cache.hpp"
#include "test_helpers.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

using namespace borderwatch;
using detail::CacheOutcome;
using detail::CacheSettings;

namespace {

const std::vector<std::string> admin1_fields{"id", "iso3", "name"};

CacheSettings cache_in(const std::filesystem::path &dir) {
    CacheSettings s;
    s.enabled = true;
    s.dir = dir;
    return s;
}

std::string grid_bytes(const detail::PolygonLayer &layer) {
    detail::ByteWriter out;
    layer.grid->save(out);
    return out.take();
}

void check_same(const detail::PolygonLayer &a, const detail::PolygonLayer &b) {
    REQUIRE(a.fields == b.fields);
    REQUIRE(grid_bytes(a) == grid_bytes(b));
    for (double lon = 60.0; lon <= 76.0; lon += 0.37) {
        for (double lat = 29.0; lat <= 41.0; lat += 0.29) {
            REQUIRE(a.grid->owner_at(lon, lat) == b.grid->owner_at(lon, lat));
        }
    }
}

void check_same(const std::vector<CanonicalBorder> &a, const std::vector<CanonicalBorder> &b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].id == b[i].id);
        CHECK(a[i].left == b[i].left);
        CHECK(a[i].right == b[i].right);
        CHECK(a[i].source == b[i].source);
        CHECK(a[i].start_name == b[i].start_name);
        CHECK(a[i].end_name == b[i].end_name);
        REQUIRE(a[i].parts == b[i].parts); // exact doubles
    }
}

std::string read_all(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::filesystem::path &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

/// Sets an environment variable for the scope, restoring the old value.
class ScopedEnv {
  public:
    ScopedEnv(const char *name, const char *value) : m_name(name) {
        if (const char *old = std::getenv(name); old != nullptr) {
            m_old = old;
            m_had = true;
        }
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (m_had) {
            ::setenv(m_name, m_old.c_str(), 1);
        } else {
            ::unsetenv(m_name);
        }
    }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv &operator=(const ScopedEnv &) = delete;

  private:
    const char *m_name;
    std::string m_old;
    bool m_had = false;
};

} // namespace

TEST_CASE("geodata cache: a cached layer equals the GeoJSON load", "[geodata][cache]") {
    const auto geodata = geodata_dir();
    const auto dir = test::unique_temp_dir("bw-cache");
    const CacheSettings off;
    CacheOutcome outcome = CacheOutcome::hit;

    SECTION("polygon layers") {
        for (const auto &[file, fields] :
             std::vector<std::pair<std::string, std::vector<std::string>>>{
                 {"countries.geojson", {"iso3"}}, {"admin1.geojson", admin1_fields}}) {
            const auto direct = detail::load_polygon_layer(off, geodata / file, fields, &outcome);
            CHECK(outcome == CacheOutcome::disabled);
            const auto first =
                detail::load_polygon_layer(cache_in(dir), geodata / file, fields, &outcome);
            CHECK(outcome == CacheOutcome::built);
            const auto second =
                detail::load_polygon_layer(cache_in(dir), geodata / file, fields, &outcome);
            CHECK(outcome == CacheOutcome::hit);
            check_same(direct, first);
            check_same(direct, second);
        }
    }
    SECTION("border lines") {
        const auto path = geodata / "borders.geojson";
        const auto direct = detail::load_canonical_borders(off, path, &outcome);
        CHECK(outcome == CacheOutcome::disabled);
        const auto first = detail::load_canonical_borders(cache_in(dir), path, &outcome);
        CHECK(outcome == CacheOutcome::built);
        const auto second = detail::load_canonical_borders(cache_in(dir), path, &outcome);
        CHECK(outcome == CacheOutcome::hit);
        check_same(direct, first);
        check_same(direct, second);
        CHECK(std::any_of(direct.begin(), direct.end(),
                          [](const CanonicalBorder &b) { return b.id == "TJK-AFG"; }));
    }
    SECTION("parallel first runs") {
        const auto path = geodata / "borders.geojson";
        const auto direct = detail::load_canonical_borders(off, path);
        std::vector<std::vector<CanonicalBorder>> results(4);
        std::vector<std::thread> threads;
        for (auto &r : results) {
            threads.emplace_back(
                [&r, &dir, &path] { r = detail::load_canonical_borders(cache_in(dir), path); });
        }
        for (auto &t : threads) {
            t.join();
        }
        for (const auto &r : results) {
            check_same(direct, r);
        }
        for (const auto &entry : std::filesystem::directory_iterator(dir)) {
            CHECK(entry.path().extension() == ".bwc"); // no temporary left behind
        }
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("geodata cache: damaged, truncated and foreign files are rebuilt", "[geodata][cache]") {
    const auto geodata = geodata_dir();
    const auto dir = test::unique_temp_dir("bw-cache");
    const auto settings = cache_in(dir);
    const auto path = geodata / "borders.geojson";
    const auto direct = detail::load_canonical_borders(CacheSettings{}, path);
    CacheOutcome outcome = CacheOutcome::hit;
    (void)detail::load_canonical_borders(settings, path, &outcome);
    REQUIRE(outcome == CacheOutcome::built);
    const auto file = detail::cache_file_path(settings, path, "canonical-borders");
    REQUIRE(std::filesystem::exists(file));
    const std::string good = read_all(file);
    REQUIRE(good.size() > 200);

    const auto expect_rebuilt = [&](const std::string &bytes) {
        write_all(file, bytes);
        const auto again = detail::load_canonical_borders(settings, path, &outcome);
        CHECK(outcome == CacheOutcome::rebuilt);
        check_same(direct, again);
        CHECK(read_all(file) == good); // and the rebuilt file is the good one again
    };

    SECTION("truncated anywhere") {
        for (const std::size_t size :
             {std::size_t{0}, std::size_t{1}, std::size_t{8}, std::size_t{17}, std::size_t{40},
              std::size_t{150}, good.size() / 2, good.size() - 1}) {
            expect_rebuilt(good.substr(0, size));
        }
    }
    SECTION("too long") {
        expect_rebuilt(good + "x");
    }
    SECTION("a flipped byte in the payload") {
        for (const std::size_t at : {good.size() - 1, good.size() - 1000, good.size() / 2}) {
            std::string bad = good;
            bad[at] = static_cast<char>(bad[at] ^ 0x5a);
            expect_rebuilt(bad);
        }
    }
    SECTION("a flipped byte in the header") {
        for (std::size_t at = 0; at < 62; at += 3) { // magic, format, version, kind
            std::string bad = good;
            bad[at] = static_cast<char>(bad[at] ^ 0x21);
            expect_rebuilt(bad);
        }
    }
    SECTION("another cache format version") {
        std::string bad = good;
        // magic (8-byte length + 8 bytes), then the u32 format number
        bad[16] = static_cast<char>(bad[16] + 1);
        expect_rebuilt(bad);
    }
    SECTION("another borderwatch version") {
        // after the magic, format and byte-order mark: the version string's length, then text
        const std::string version = version_string();
        const auto at = good.find(version);
        REQUIRE(at == 32);
        std::string bad = good;
        bad[at] = bad[at] == '9' ? '8' : '9';
        expect_rebuilt(bad);
    }
    SECTION("random garbage") {
        std::string noise(good.size(), '\0');
        unsigned x = 12345;
        for (auto &c : noise) {
            x = x * 1103515245U + 12345U;
            c = static_cast<char>(x >> 16);
        }
        expect_rebuilt(noise);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("geodata cache: a changed source is noticed", "[geodata][cache]") {
    const auto dir = test::unique_temp_dir("bw-cache");
    const auto settings = cache_in(dir / "cache");
    const auto source = dir / "borders.geojson";
    std::filesystem::copy_file(geodata_dir() / "borders.geojson", source);
    CacheOutcome outcome = CacheOutcome::hit;
    const auto first = detail::load_canonical_borders(settings, source, &outcome);
    REQUIRE(outcome == CacheOutcome::built);

    SECTION("touched, same content: the cache stays") {
        std::filesystem::last_write_time(source, std::filesystem::last_write_time(source) +
                                                     std::chrono::seconds(5));
        const auto again = detail::load_canonical_borders(settings, source, &outcome);
        CHECK(outcome == CacheOutcome::hit);
        check_same(first, again);
        // the new mtime was recorded: the next run needs no hash either
        (void)detail::load_canonical_borders(settings, source, &outcome);
        CHECK(outcome == CacheOutcome::hit);
    }
    SECTION("new content: rebuilt from it") {
        auto text = read_all(source);
        const auto at = text.find("TJK-AFG");
        REQUIRE(at != std::string::npos);
        text.replace(at, 7, "TJK-AFX");
        write_all(source, text);
        const auto again = detail::load_canonical_borders(settings, source, &outcome);
        CHECK(outcome == CacheOutcome::rebuilt);
        CHECK(std::any_of(again.begin(), again.end(),
                          [](const CanonicalBorder &b) { return b.id == "TJK-AFX"; }));
    }
    SECTION("a missing source is the data error it always was") {
        std::filesystem::remove(source);
        CHECK_THROWS_WITH(detail::load_canonical_borders(settings, source),
                          Catch::Contains("reference data file missing"));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("geodata cache: an unusable cache directory falls back to the direct load",
          "[geodata][cache]") {
    const auto dir = test::unique_temp_dir("bw-cache");
    const auto geodata = geodata_dir();
    write_all(dir / "a-file", "not a directory");
    const auto settings = cache_in(dir / "a-file" / "cache"); // cannot be created, even by root
    CacheOutcome outcome = CacheOutcome::hit;
    const auto direct =
        detail::load_polygon_layer(CacheSettings{}, geodata / "admin1.geojson", admin1_fields);
    const auto layer =
        detail::load_polygon_layer(settings, geodata / "admin1.geojson", admin1_fields, &outcome);
    CHECK(outcome == CacheOutcome::not_stored);
    check_same(direct, layer);
    std::filesystem::remove_all(dir);
}

TEST_CASE("geodata cache: settings from the environment", "[geodata][cache]") {
    SECTION("BORDERWATCH_CACHE_DIR first") {
        const ScopedEnv a("BORDERWATCH_NO_CACHE", nullptr);
        const ScopedEnv b("BORDERWATCH_CACHE_DIR", "/tmp/x-cache");
        const ScopedEnv c("XDG_CACHE_HOME", "/tmp/xdg");
        const auto s = CacheSettings::from_environment();
        CHECK(s.enabled);
        CHECK(s.dir == "/tmp/x-cache");
    }
    SECTION("then XDG_CACHE_HOME, then HOME") {
        const ScopedEnv a("BORDERWATCH_NO_CACHE", nullptr);
        const ScopedEnv b("BORDERWATCH_CACHE_DIR", nullptr);
        {
            const ScopedEnv c("XDG_CACHE_HOME", "/tmp/xdg");
            CHECK(CacheSettings::from_environment().dir == "/tmp/xdg/borderwatch");
        }
        const ScopedEnv c("XDG_CACHE_HOME", nullptr);
        const ScopedEnv d("HOME", "/tmp/home");
        CHECK(CacheSettings::from_environment().dir == "/tmp/home/.cache/borderwatch");
    }
    SECTION("BORDERWATCH_NO_CACHE disables it") {
        const ScopedEnv a("BORDERWATCH_NO_CACHE", "1");
        CHECK_FALSE(CacheSettings::from_environment().enabled);
        const ScopedEnv b("BORDERWATCH_NO_CACHE", "0");
        CHECK(CacheSettings::from_environment().enabled);
    }
}

TEST_CASE("gazetteer: results with the fold cache equal those without", "[gazetteer][cache]") {
    const auto dir = test::unique_temp_dir("bw-cache");
    const std::vector<std::string> queries{
        "Darboz", "Дарвоз", "Шамсиддин Шохин", "فیض آباد", "Ishkashim", "Qalai Khumb", "Хорог"};
    std::vector<ResolveResult> without;
    {
        const ScopedEnv off("BORDERWATCH_NO_CACHE", "1");
        const auto g = Gazetteer::load();
        for (const auto &q : queries) {
            without.push_back(g->resolve(q));
        }
    }
    const ScopedEnv on("BORDERWATCH_NO_CACHE", nullptr);
    const ScopedEnv where("BORDERWATCH_CACHE_DIR", dir.c_str());
    for (int run = 0; run < 2; ++run) { // builds the cache, then uses it
        const auto g = Gazetteer::load();
        for (std::size_t i = 0; i < queries.size(); ++i) {
            const auto r = g->resolve(queries[i]);
            REQUIRE(r.matched == without[i].matched);
            REQUIRE(r.candidates.size() == without[i].candidates.size());
            for (std::size_t k = 0; k < r.candidates.size(); ++k) {
                CHECK(r.candidates[k].id == without[i].candidates[k].id);
                CHECK(r.candidates[k].score == without[i].candidates[k].score);
                CHECK(r.candidates[k].matched == without[i].candidates[k].matched);
            }
        }
    }
    bool names_cached = false; // the folds, beside the border lines the gazetteer reads too
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        names_cached = names_cached || entry.path().filename().string().rfind("names-", 0) == 0;
    }
    CHECK(names_cached);
    std::filesystem::remove_all(dir);
}

namespace {

std::unique_ptr<BorderEngine> load_without_cache(const std::string &border) {
    const ScopedEnv off("BORDERWATCH_NO_CACHE", "1");
    return BorderEngine::load(border);
}

} // namespace

TEST_CASE("border engine: an index from the cache answers exactly as a fresh one",
          "[geodata][cache]") {
    const auto dir = test::unique_temp_dir("bw-cache");
    const auto fresh = load_without_cache("TJK-AFG");
    const ScopedEnv on("BORDERWATCH_NO_CACHE", nullptr);
    const ScopedEnv where("BORDERWATCH_CACHE_DIR", dir.c_str());
    for (const char *name : {"TJK-AFG", "AFG-TJK"}) {
        (void)BorderEngine::load(name); // builds and stores
    }
    const auto cached = BorderEngine::load("TJK-AFG");
    CHECK(cached->info().length_km == fresh->info().length_km);
    CHECK(cached->info().vertices == fresh->info().vertices);
    CHECK(cached->vertex_chainage_km() == fresh->vertex_chainage_km());
    for (double lon = 66.0; lon <= 76.0; lon += 0.23) {
        for (double lat = 34.0; lat <= 40.0; lat += 0.17) {
            const auto a = fresh->place(lon, lat);
            const auto b = cached->place(lon, lat);
            REQUIRE(a.border_distance_m == b.border_distance_m);
            REQUIRE(a.nearest_lon == b.nearest_lon);
            REQUIRE(a.nearest_lat == b.nearest_lat);
            REQUIRE(a.chainage_km == b.chainage_km);
            REQUIRE(a.bearing_deg == b.bearing_deg);
            REQUIRE(a.side == b.side);
            REQUIRE(a.admin2 == b.admin2);
        }
    }
    const auto reversed = BorderEngine::load("AFG-TJK"); // its own cache entry, not TJK-AFG's
    CHECK(reversed->info().start_lon == fresh->info().end_lon);
    std::filesystem::remove_all(dir);
}

TEST_CASE("world mode: the lines and index from the cache answer exactly as a fresh load",
          "[geodata][cache][world]") {
    const auto dir = test::unique_temp_dir("bw-cache");
    const auto fresh = load_without_cache("nearest");
    const ScopedEnv on("BORDERWATCH_NO_CACHE", nullptr);
    const ScopedEnv where("BORDERWATCH_CACHE_DIR", dir.c_str());
    (void)BorderEngine::load("nearest"); // builds and stores
    auto check_same = [&](const BorderEngine &cached) {
        CHECK(cached.info().id == fresh->info().id);
        CHECK(cached.info().source == fresh->info().source);
        CHECK(cached.info().world);
        CHECK(cached.info().parts == fresh->info().parts);
        CHECK(cached.info().length_km == fresh->info().length_km);
        CHECK(cached.vertices() == fresh->vertices());
        const auto a = fresh->lines();
        const auto b = cached.lines();
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            REQUIRE(a[i].border_id == b[i].border_id);
            REQUIRE(a[i].left == b[i].left);
            REQUIRE(a[i].right == b[i].right);
            REQUIRE(a[i].part == b[i].part);
            REQUIRE(a[i].first_vertex == b[i].first_vertex);
        }
        for (double lon = -179.0; lon <= 180.0; lon += 7.3) {
            for (double lat = -85.0; lat <= 85.0; lat += 6.1) {
                const auto x = fresh->place(lon, lat);
                const auto y = cached.place(lon, lat);
                REQUIRE(x.border_distance_m == y.border_distance_m);
                REQUIRE(x.border_id == y.border_id);
                REQUIRE(x.part == y.part);
                REQUIRE(x.chainage_km == y.chainage_km);
                REQUIRE(x.side == y.side);
                REQUIRE(x.neighbour == y.neighbour);
                REQUIRE(x.nearest_country == y.nearest_country);
            }
        }
    };
    // The one world cache file (the NE lines' stem); a hit leaves it as it is (a payload that
    // did not restore would be removed and rebuilt: a new file).
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().filename().string().rfind("boundary_lines_ne10m-", 0) == 0) {
            files.push_back(entry.path());
        }
    }
    REQUIRE(files.size() == 1);
    const auto written = std::filesystem::last_write_time(files[0]);
    check_same(*BorderEngine::load("nearest")); // read from the cache, no GeoJSON parsed
    CHECK(std::filesystem::last_write_time(files[0]) == written);

    // A damaged cache file is rebuilt from the GeoJSON, and the answers stay the same.
    std::string bytes = read_all(files[0]);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
    write_all(files[0], bytes);
    check_same(*BorderEngine::load("nearest"));
    std::filesystem::remove_all(dir);
}

namespace {

std::string describe(const ResolveResult &r) {
    std::ostringstream out;
    out.precision(17);
    for (const auto &c : r.candidates) {
        out << c.id << '|' << c.name << '|' << c.matched << '|' << c.kind << '|' << c.country << '|'
            << c.admin1 << '|' << c.admin2 << '|' << c.lon << '|' << c.lat << '|' << c.score << '|'
            << c.precision << '|' << c.ambiguous << '\n';
    }
    return out.str();
}

} // namespace

TEST_CASE("the gazetteer's cached index resolves exactly as a freshly built one",
          "[geodata][cache][gazetteer]") {
    const auto dir = test::unique_temp_dir("gazetteer-index");
    const ScopedEnv cache_dir("BORDERWATCH_CACHE_DIR", dir.c_str());
    std::unique_ptr<Gazetteer> fresh;
    {
        const ScopedEnv off("BORDERWATCH_NO_CACHE", "1");
        fresh = Gazetteer::load({});
    }
    const ScopedEnv on("BORDERWATCH_NO_CACHE", nullptr);
    const auto first = Gazetteer::load({}); // builds and stores the index
    bool stored = false;
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        stored = stored || entry.path().filename().string().rfind("places-", 0) == 0;
    }
    REQUIRE(stored);
    const auto cached = Gazetteer::load({}); // reads it back
    CHECK(cached->place_count() == fresh->place_count());
    CHECK(cached->name_count() == fresh->name_count());
    // Queries: every fifth name of the gazetteer as written (Latin, Cyrillic, Arabic script),
    // the same with a letter dropped (fuzzy), and with its last letter doubled.
    std::ifstream names(geodata_dir() / "gazetteer" / "names.tsv");
    std::string line;
    std::getline(names, line); // header
    std::vector<std::string> queries{
        "Darboz", "Shamsiddin Shokhin", "Khatron", "Badakshan", "Хорог",
        "بدخشان", "Kabul, Afghanistan"};
    for (std::size_t n = 0; std::getline(names, line); ++n) {
        const auto tab = line.find('\t');
        const auto name = line.substr(tab + 1, line.find('\t', tab + 1) - tab - 1);
        if (n % 5 != 0 || name.size() < 4) {
            continue;
        }
        queries.push_back(name);
        if (static_cast<unsigned char>(name[1]) < 0x80) { // an ASCII first letter pair
            queries.push_back(name.substr(0, 1) + name.substr(2));
        }
        if (static_cast<unsigned char>(name.back()) < 0x80) {
            queries.push_back(name + name.back());
        }
    }
    REQUIRE(queries.size() > 1500);
    ResolveOptions options;
    options.top = 3;
    std::size_t differences = 0;
    for (const auto &q : queries) {
        const auto expected = describe(fresh->resolve(q, options));
        if (describe(cached->resolve(q, options)) != expected ||
            describe(first->resolve(q, options)) != expected) {
            ++differences;
            WARN("differs: " << q);
        }
    }
    CHECK(differences == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("the gazetteer's cached index follows its other files", "[geodata][cache][gazetteer]") {
    const auto dir = test::unique_temp_dir("gazetteer-follow");
    const auto geodata = dir / "geodata";
    std::filesystem::create_directories(geodata / "gazetteer");
    for (const char *name : {"places.tsv", "names.tsv", "aliases.tsv"}) {
        std::filesystem::copy_file(geodata_dir() / "gazetteer" / name,
                                   geodata / "gazetteer" / name);
    }
    std::filesystem::copy_file(geodata_dir() / "borders.geojson", geodata / "borders.geojson");
    const ScopedEnv cache_dir("BORDERWATCH_CACHE_DIR", (dir / "cache").c_str());
    const ScopedEnv on("BORDERWATCH_NO_CACHE", nullptr);
    Gazetteer::Sources sources;
    sources.geodata = geodata;
    const auto before = Gazetteer::load(sources);
    CHECK(before->resolve("Qwertzistan").candidates.empty());
    // A new alias (aliases.tsv is not the cache's source file): the index must be rebuilt.
    std::ofstream(geodata / "gazetteer" / "aliases.tsv", std::ios::app)
        << "Qwertzistan\tiso3:TJK\ttest alias\n";
    const auto after = Gazetteer::load(sources);
    const auto r = after->resolve("Qwertzistan");
    REQUIRE_FALSE(r.candidates.empty());
    CHECK(r.candidates.front().id == "iso3:TJK");
    std::filesystem::remove_all(dir);
}
