#pragma once
/// @file
/// The reference polygons of geodata/ (countries, admin-1 regions, admin-2 districts) with
/// fast point lookups. Polygons are indexed in lon/lat (planar ring tests on the stored
/// vertices, the same model the geodata files use); lookups are thread-safe.

#include <array>
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
/// Each layer is read on its first lookup (from the geodata cache when it holds a valid
/// copy, see README "Caching"), so a command loads only the layers it asks about.
class ReferencePolygons {
  public:
    /// The layers of @p geodata (empty = geodata_dir()). One instance per directory and
    /// process; later calls return the same shared instance.
    /// @throws DataError if one of the three files is missing
    [[nodiscard]] static std::shared_ptr<const ReferencePolygons>
    load(const std::filesystem::path &geodata = {});

    ~ReferencePolygons();
    ReferencePolygons(const ReferencePolygons &) = delete;
    ReferencePolygons &operator=(const ReferencePolygons &) = delete;

    // Every lookup below may read its layer first:
    // @throws DataError/GdalError if that layer's file cannot be read.

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

    /// ISO3 of country polygon @p k (< country_count()).
    [[nodiscard]] std::string_view country_iso3(std::size_t k) const;
    /// The boundary of country polygon @p k as closed lines (lon, lat), every ring.
    [[nodiscard]] std::vector<std::vector<std::array<double, 2>>>
    country_lines(std::size_t k) const;

    /// Number of polygons per layer (countries, admin-1, admin-2).
    [[nodiscard]] std::size_t country_count() const;
    [[nodiscard]] std::size_t admin1_count() const;
    [[nodiscard]] std::size_t admin2_count() const;

    /// Time spent reading and indexing the layers loaded so far, milliseconds.
    [[nodiscard]] double load_ms() const;

  private:
    explicit ReferencePolygons(std::filesystem::path dir);
    struct Countries;
    struct Admin1;
    struct Admin2;
    const Countries &countries() const;
    const Admin1 &admin1() const;
    const Admin2 &admin2() const;

    std::filesystem::path m_dir;
    struct Lazy;
    std::unique_ptr<Lazy> m_lazy; ///< the layers, each built once on first use
};                                // class ReferencePolygons

} // namespace borderwatch
