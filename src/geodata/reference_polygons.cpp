#include <borderwatch/geodata/reference_polygons.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>

#include "geodata/detail/polygon_grid.hpp"
#include "io/gdal_handles.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

namespace borderwatch {

namespace {

detail::PolygonGrid::Owners owners_of(std::vector<detail::VectorFeature> &features) {
    detail::PolygonGrid::Owners owners;
    owners.reserve(features.size());
    for (auto &f : features) {
        owners.push_back(std::move(f.parts));
    }
    return owners;
}

std::vector<detail::VectorFeature> read_layer(const std::filesystem::path &path,
                                              const std::vector<std::string> &fields) {
    if (!std::filesystem::exists(path)) {
        throw DataError("reference data file missing: " + path.string() +
                        " (run scripts/build-geodata or set BORDERWATCH_GEODATA)");
    }
    return detail::read_vector_features(path, fields);
}

} // namespace

ReferencePolygons::ReferencePolygons() = default;
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

    const auto start = std::chrono::steady_clock::now();
    std::shared_ptr<ReferencePolygons> polygons(new ReferencePolygons());

    auto countries = read_layer(dir / "countries.geojson", {"iso3"});
    for (const auto &f : countries) {
        polygons->m_country_iso3.push_back(f.fields.at(0));
    }
    polygons->m_countries = std::make_unique<detail::PolygonGrid>(owners_of(countries));

    auto admin1 = read_layer(dir / "admin1.geojson", {"id", "iso3", "name"});
    for (const auto &f : admin1) {
        polygons->m_admin1.push_back(
            {f.fields[0], f.fields[1], f.fields[2], f.fields[0], f.fields[2]});
        polygons->m_admin1_only.push_back({f.fields[0], f.fields[1], f.fields[2], f.fields[0], ""});
    }
    polygons->m_admin1_grid = std::make_unique<detail::PolygonGrid>(owners_of(admin1));

    auto admin2 = read_layer(dir / "admin2.geojson", {"id", "iso3", "admin1", "admin1_id", "name"});
    for (const auto &f : admin2) {
        polygons->m_admin2.push_back(
            {f.fields[0], f.fields[1], f.fields[2], f.fields[3], f.fields[4]});
        auto &cs = polygons->m_admin2_countries;
        if (std::find(cs.begin(), cs.end(), f.fields[1]) == cs.end()) {
            cs.push_back(f.fields[1]);
        }
    }
    polygons->m_admin2_grid = std::make_unique<detail::PolygonGrid>(owners_of(admin2));

    polygons->m_load_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    cache.emplace(key, polygons);
    return polygons;
}

std::string_view ReferencePolygons::country_at(double lon_deg, double lat_deg) const {
    const auto owner = m_countries->owner_at(lon_deg, lat_deg);
    return owner == detail::PolygonGrid::none ? std::string_view() : m_country_iso3[owner];
}

const AdminUnit *ReferencePolygons::admin_at(double lon_deg, double lat_deg) const {
    const auto owner = m_admin2_grid->owner_at(lon_deg, lat_deg);
    return owner == detail::PolygonGrid::none ? nullptr : &m_admin2[owner];
}

const AdminUnit *ReferencePolygons::admin1_at(double lon_deg, double lat_deg) const {
    const auto owner = m_admin1_grid->owner_at(lon_deg, lat_deg);
    return owner == detail::PolygonGrid::none ? nullptr : &m_admin1[owner];
}

const AdminUnit *ReferencePolygons::admin_for(double lon_deg, double lat_deg, std::string_view iso3,
                                              double max_distance_m) const {
    if (iso3.empty()) {
        return nullptr;
    }
    if (const AdminUnit *unit = admin_at(lon_deg, lat_deg); unit != nullptr && unit->iso3 == iso3) {
        return unit;
    }
    if (std::find(m_admin2_countries.begin(), m_admin2_countries.end(), iso3) ==
        m_admin2_countries.end()) {
        return nullptr; // no districts for this country
    }
    // Gaps between the district polygons and the harmonised line (rivers, surveys):
    // take the nearest district of the same country within max_distance_m.
    const auto nearest =
        m_admin2_grid->nearest_owner(lon_deg, lat_deg, max_distance_m,
                                     [&](std::uint32_t k) { return m_admin2[k].iso3 == iso3; });
    if (nearest != detail::PolygonGrid::none) {
        return &m_admin2[nearest];
    }
    const auto owner = m_admin1_grid->owner_at(lon_deg, lat_deg);
    if (owner != detail::PolygonGrid::none && m_admin1_only[owner].iso3 == iso3) {
        return &m_admin1_only[owner];
    }
    return nullptr;
}

std::size_t ReferencePolygons::country_count() const noexcept {
    return m_country_iso3.size();
}
std::size_t ReferencePolygons::admin1_count() const noexcept {
    return m_admin1.size();
}
std::size_t ReferencePolygons::admin2_count() const noexcept {
    return m_admin2.size();
}

} // namespace borderwatch
