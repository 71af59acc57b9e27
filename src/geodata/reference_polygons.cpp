#include <borderwatch/geodata/reference_polygons.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>

#include "geodata/detail/cached_layers.hpp"
#include "geodata/detail/polygon_grid.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

namespace borderwatch {

struct ReferencePolygons::Countries {
    std::vector<std::string> iso3;
    std::unique_ptr<detail::PolygonGrid> grid;
};

struct ReferencePolygons::Admin1 {
    std::vector<AdminUnit> units;
    std::vector<AdminUnit> units_only; ///< the same units with name "" (admin_for fallback)
    std::unique_ptr<detail::PolygonGrid> grid;
};

struct ReferencePolygons::Admin2 {
    std::vector<AdminUnit> units;
    std::vector<std::string> countries; ///< ISO3 codes that have districts
    std::unique_ptr<detail::PolygonGrid> grid;
};

struct ReferencePolygons::Lazy {
    std::once_flag countries_once, admin1_once, admin2_once;
    Countries countries;
    Admin1 admin1;
    Admin2 admin2;
    std::mutex ms_mutex;
    double load_ms = 0.0;

    void add_ms(std::chrono::steady_clock::time_point start) {
        const std::lock_guard lock(ms_mutex);
        load_ms +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
    }
};

ReferencePolygons::ReferencePolygons(std::filesystem::path dir)
    : m_dir(std::move(dir)), m_lazy(std::make_unique<Lazy>()) {}
ReferencePolygons::~ReferencePolygons() = default;

std::shared_ptr<const ReferencePolygons>
ReferencePolygons::load(const std::filesystem::path &geodata) {
    const std::filesystem::path dir = geodata.empty() ? geodata_dir() : geodata;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const ReferencePolygons>> cache;
    const std::lock_guard lock(mutex);
    const auto key = std::filesystem::absolute(dir).lexically_normal().string();
    if (auto it = cache.find(key); it != cache.end()) {
        return it->second;
    }
    // The layers themselves are read on first use; a missing file is reported now, as
    // before, so callers can still choose to work without geodata.
    for (const char *name : {"countries.geojson", "admin1.geojson", "admin2.geojson"}) {
        if (!std::filesystem::exists(dir / name)) {
            throw DataError("reference data file missing: " + (dir / name).string() +
                            " (run scripts/build-geodata or set BORDERWATCH_GEODATA)");
        }
    }
    std::shared_ptr<const ReferencePolygons> polygons(new ReferencePolygons(dir));
    cache.emplace(key, polygons);
    return polygons;
}

const ReferencePolygons::Countries &ReferencePolygons::countries() const {
    Lazy &lazy = *m_lazy;
    std::call_once(lazy.countries_once, [&] {
        const auto start = std::chrono::steady_clock::now();
        auto layer = detail::load_polygon_layer(detail::CacheSettings::from_environment(),
                                                m_dir / "countries.geojson", {"iso3"});
        Countries c;
        for (auto &f : layer.fields) {
            c.iso3.push_back(std::move(f[0]));
        }
        c.grid = std::move(layer.grid);
        lazy.countries = std::move(c);
        lazy.add_ms(start);
    });
    return lazy.countries;
}

const ReferencePolygons::Admin1 &ReferencePolygons::admin1() const {
    Lazy &lazy = *m_lazy;
    std::call_once(lazy.admin1_once, [&] {
        const auto start = std::chrono::steady_clock::now();
        auto layer = detail::load_polygon_layer(detail::CacheSettings::from_environment(),
                                                m_dir / "admin1.geojson", {"id", "iso3", "name"});
        Admin1 a;
        for (const auto &f : layer.fields) {
            a.units.push_back({f[0], f[1], f[2], f[0], f[2]});
            a.units_only.push_back({f[0], f[1], f[2], f[0], ""});
        }
        a.grid = std::move(layer.grid);
        lazy.admin1 = std::move(a);
        lazy.add_ms(start);
    });
    return lazy.admin1;
}

const ReferencePolygons::Admin2 &ReferencePolygons::admin2() const {
    Lazy &lazy = *m_lazy;
    std::call_once(lazy.admin2_once, [&] {
        const auto start = std::chrono::steady_clock::now();
        auto layer = detail::load_polygon_layer(detail::CacheSettings::from_environment(),
                                                m_dir / "admin2.geojson",
                                                {"id", "iso3", "admin1", "admin1_id", "name"});
        Admin2 a;
        for (const auto &f : layer.fields) {
            a.units.push_back({f[0], f[1], f[2], f[3], f[4]});
            if (std::find(a.countries.begin(), a.countries.end(), f[1]) == a.countries.end()) {
                a.countries.push_back(f[1]);
            }
        }
        a.grid = std::move(layer.grid);
        lazy.admin2 = std::move(a);
        lazy.add_ms(start);
    });
    return lazy.admin2;
}

std::string_view ReferencePolygons::country_iso3(std::size_t k) const {
    return countries().iso3.at(k);
}

std::vector<std::vector<std::array<double, 2>>>
ReferencePolygons::country_lines(std::size_t k) const {
    return countries().grid->owner_lines(static_cast<std::uint32_t>(k));
}

std::string_view ReferencePolygons::country_at(double lon_deg, double lat_deg) const {
    const auto &c = countries();
    const auto owner = c.grid->owner_at(lon_deg, lat_deg);
    return owner == detail::PolygonGrid::none ? std::string_view() : c.iso3[owner];
}

const AdminUnit *ReferencePolygons::admin_at(double lon_deg, double lat_deg) const {
    const auto &a = admin2();
    const auto owner = a.grid->owner_at(lon_deg, lat_deg);
    return owner == detail::PolygonGrid::none ? nullptr : &a.units[owner];
}

const AdminUnit *ReferencePolygons::admin1_at(double lon_deg, double lat_deg) const {
    const auto &a = admin1();
    const auto owner = a.grid->owner_at(lon_deg, lat_deg);
    return owner == detail::PolygonGrid::none ? nullptr : &a.units[owner];
}

const AdminUnit *ReferencePolygons::admin_for(double lon_deg, double lat_deg, std::string_view iso3,
                                              double max_distance_m) const {
    if (iso3.empty()) {
        return nullptr;
    }
    if (const AdminUnit *unit = admin_at(lon_deg, lat_deg); unit != nullptr && unit->iso3 == iso3) {
        return unit;
    }
    const auto &districts = admin2();
    if (std::find(districts.countries.begin(), districts.countries.end(), iso3) ==
        districts.countries.end()) {
        return nullptr; // no districts for this country
    }
    // Gaps between the district polygons and the harmonised line (rivers, surveys):
    // take the nearest district of the same country within max_distance_m.
    const auto nearest =
        districts.grid->nearest_owner(lon_deg, lat_deg, max_distance_m, [&](std::uint32_t k) {
            return districts.units[k].iso3 == iso3;
        });
    if (nearest != detail::PolygonGrid::none) {
        return &districts.units[nearest];
    }
    const auto &regions = admin1();
    const auto owner = regions.grid->owner_at(lon_deg, lat_deg);
    if (owner != detail::PolygonGrid::none && regions.units_only[owner].iso3 == iso3) {
        return &regions.units_only[owner];
    }
    return nullptr;
}

std::size_t ReferencePolygons::country_count() const {
    return countries().iso3.size();
}
std::size_t ReferencePolygons::admin1_count() const {
    return admin1().units.size();
}
std::size_t ReferencePolygons::admin2_count() const {
    return admin2().units.size();
}
double ReferencePolygons::load_ms() const {
    const std::lock_guard lock(m_lazy->ms_mutex);
    return m_lazy->load_ms;
}

} // namespace borderwatch
