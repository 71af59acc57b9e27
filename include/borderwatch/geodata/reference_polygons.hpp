#pragma once
/// @file
/// The reference polygons of geodata/ (countries, admin-1 regions, admin-2 districts) with
/// fast point lookups. Polygons are indexed in lon/lat (planar ring tests on the stored
/// vertices, the same model the geodata files use); lookups are thread-safe.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// An admin-2 district (with its admin-1 region) or an admin-1 region (admin1 == name).
struct AdminUnit {
    std::string id;        ///< geoBoundaries shapeID
    std::string iso3;      ///< country, ISO3
    std::string admin1;    ///< current official admin-1 name
    std::string admin1_id; ///< admin-1 shapeID (its own id for admin-1 units)
    std::string name;      ///< current official name of this unit
};

namespace detail {
class PolygonGrid;
} // namespace detail

/// Countries (countries.geojson), admin-1 (admin1.geojson) and admin-2 (admin2.geojson).
class ReferencePolygons {
  public:
    /// Load the three layers from @p geodata (empty = geodata_dir()). Loaded once per
    /// directory and process; later calls return the same shared instance.
    /// @throws DataError/GdalError if a file is missing or unreadable
    [[nodiscard]] static std::shared_ptr<const ReferencePolygons>
    load(const std::filesystem::path &geodata = {});

    ~ReferencePolygons();
    ReferencePolygons(const ReferencePolygons &) = delete;
    ReferencePolygons &operator=(const ReferencePolygons &) = delete;

    /// ISO3 of the country polygon containing the point, "" if none.
    [[nodiscard]] std::string_view country_at(double lon_deg, double lat_deg) const;

    /// The admin-2 district containing the point, or nullptr.
    [[nodiscard]] const AdminUnit *admin_at(double lon_deg, double lat_deg) const;

    /// The admin-1 region containing the point, or nullptr.
    [[nodiscard]] const AdminUnit *admin1_at(double lon_deg, double lat_deg) const;

    /// The district of country @p iso3 for the point: the containing one if it belongs to
    /// @p iso3, otherwise the nearest district of @p iso3 whose boundary is within
    /// @p max_distance_m (local planar approximation, fine for a few km), otherwise the
    /// admin-1 region of @p iso3 containing the point (returned with name "" ), else nullptr.
    [[nodiscard]] const AdminUnit *admin_for(double lon_deg, double lat_deg, std::string_view iso3,
                                             double max_distance_m = 5000.0) const;

    /// Number of polygons per layer (countries, admin-1, admin-2).
    [[nodiscard]] std::size_t country_count() const noexcept;
    [[nodiscard]] std::size_t admin1_count() const noexcept;
    [[nodiscard]] std::size_t admin2_count() const noexcept;

    /// Time spent reading and indexing, milliseconds.
    [[nodiscard]] double load_ms() const noexcept { return m_load_ms; }

  private:
    ReferencePolygons();
    std::vector<std::string> m_country_iso3;
    std::vector<AdminUnit> m_admin1;
    std::vector<AdminUnit> m_admin2;
    std::vector<AdminUnit> m_admin1_only;
    std::vector<std::string> m_admin2_countries; ///< ISO3 codes that have districts ///< admin-1
                                                 ///< units with name "" (admin_for fallback)
    std::unique_ptr<detail::PolygonGrid> m_countries;
    std::unique_ptr<detail::PolygonGrid> m_admin1_grid;
    std::unique_ptr<detail::PolygonGrid> m_admin2_grid;
    double m_load_ms = 0.0;
}; // class ReferencePolygons

} // namespace borderwatch
