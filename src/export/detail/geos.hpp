#pragma once
// RAII for the reentrant GEOS C API, and conversion between GEOS and the export's
// Geometry model. GEOS errors become GeometryError with GEOS's message.

#include <borderwatch/export/feature.hpp>

#include <geos_c.h>

#include <memory>
#include <string>
#include <vector>

namespace borderwatch::detail {

/// One GEOS context per use (not shared between threads); collects GEOS's last message.
class GeosContext {
  public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext &) = delete;
    GeosContext &operator=(const GeosContext &) = delete;
    [[nodiscard]] GEOSContextHandle_t handle() const noexcept { return m_handle; }
    [[nodiscard]] const std::string &last_error() const noexcept { return m_error; }

  private:
    static void on_error(const char *message, void *self);
    GEOSContextHandle_t m_handle;
    std::string m_error;
};

struct GeosDeleter {
    GEOSContextHandle_t handle = nullptr;
    void operator()(GEOSGeometry *g) const noexcept {
        if (g != nullptr) {
            GEOSGeom_destroy_r(handle, g);
        }
    }
};
using GeosPtr = std::unique_ptr<GEOSGeometry, GeosDeleter>;

/// Take ownership of a GEOS result; throws GeometryError(@p what + GEOS message) on null.
[[nodiscard]] GeosPtr geos_check(const GeosContext &ctx, GEOSGeometry *g, const char *what);

/// Polygonal Geometry (polygon / multi_polygon) or line → GEOS. Invalid polygons are made
/// valid (GEOSMakeValid).
[[nodiscard]] GeosPtr to_geos(const GeosContext &ctx, const Geometry &geometry);

/// The polygonal parts of a GEOS geometry as a multi_polygon (empty parts if none).
[[nodiscard]] Geometry polygons_from_geos(const GeosContext &ctx, const GEOSGeometry *g);

/// Snap-round a polygonal @p geometry (polygon / multi_polygon) to the grid of the
/// coordinates the writers print (k_coordinate_grid_deg, export/detail/text.hpp) with
/// GEOSGeom_setPrecision_r: every vertex on the grid, edges noded where rounding makes them
/// meet, collapsed slivers removed, so the polygons stay valid (OGC) after the writers round
/// them and read back identically in every format. The export calls this once per polygon,
/// before the feature reaches any writer. Other geometry types are left alone. The result
/// is a multi_polygon (empty parts if the polygon collapses entirely).
/// @throws GeometryError on GEOS failure
void snap_to_output_grid(const GeosContext &ctx, Geometry &geometry);

/// Vertices of the convex hull of @p geometry (any type with positions), as one closed ring
/// (or fewer points for degenerate input). @throws GeometryError
[[nodiscard]] std::vector<LonLat> convex_hull_vertices(const GeosContext &ctx,
                                                       const Geometry &geometry);

} // namespace borderwatch::detail
