// Geodesic border buffers without a global projection: each stretch of the border is
// buffered in its own ellipsoidal azimuthal-equidistant frame (x = s sin α, y = s cos α
// from the stretch's middle vertex, s and α from exact geodesics), so distances are true
// to ~1e-4 relative within the band widths used here; the pieces are mapped back with
// the exact direct problem and unioned in lon/lat.

#include "export/detail/bands.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/geodesy/geodesic.hpp>

#include "export/detail/geos.hpp"

#include <cmath>
#include <numbers>

namespace borderwatch::detail {

namespace {

constexpr double k_deg = std::numbers::pi / 180.0;
constexpr int k_quadrant_segments = 16;

struct Frame {
    LonLat centre;
    [[nodiscard]] std::pair<double, double> forward(const LonLat &p) const {
        const auto inv = geodesic_inverse(centre.lon, centre.lat, p.lon, p.lat);
        const double a = inv.azimuth1_deg * k_deg;
        return {inv.distance_m * std::sin(a), inv.distance_m * std::cos(a)};
    }
    [[nodiscard]] LonLat inverse(double x, double y) const {
        const double s = std::hypot(x, y);
        const double az = std::atan2(x, y) / k_deg;
        const auto p = geodesic_direct(centre.lon, centre.lat, az, s);
        return {p[0], p[1]};
    }
};

/// The buffer of vertices [first, last] at @p distance_m, in lon/lat.
GeosPtr stretch_buffer(const GeosContext &ctx, const std::vector<LonLat> &vertices,
                       std::size_t first, std::size_t last, double distance_m) {
    auto *h = ctx.handle();
    const Frame frame{vertices[(first + last) / 2]};
    auto *seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(last - first + 1), 2);
    for (std::size_t i = first; i <= last; ++i) {
        const auto [x, y] = frame.forward(vertices[i]);
        GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(i - first), x, y);
    }
    auto line = geos_check(ctx, GEOSGeom_createLineString_r(h, seq), "border stretch");
    auto buffer = geos_check(ctx, GEOSBuffer_r(h, line.get(), distance_m, k_quadrant_segments),
                             "border buffer");
    Geometry planar = polygons_from_geos(ctx, buffer.get());
    for (auto &poly : planar.parts) {
        for (auto &ring : poly) {
            for (auto &p : ring) {
                p = frame.inverse(p.lon, p.lat);
            }
        }
    }
    return to_geos(ctx, planar);
}

/// Append the buffers of a line's stretches of <= @p chunk_km to @p pieces.
void line_buffers(const GeosContext &ctx, const std::vector<LonLat> &vertices,
                  const std::vector<double> &chainage_km, double distance_m, double chunk_km,
                  std::vector<GEOSGeometry *> &pieces) {
    std::size_t first = 0;
    const std::size_t n = vertices.size();
    while (first + 1 < n) {
        std::size_t last = first + 1;
        while (last + 1 < n && chainage_km[last + 1] - chainage_km[first] <= chunk_km) {
            ++last;
        }
        pieces.push_back(stretch_buffer(ctx, vertices, first, last, distance_m).release());
        first = last;
    }
}

GeosPtr border_buffer(const GeosContext &ctx, const BorderGeometry &border, double distance_m,
                      double chunk_km) {
    std::vector<GEOSGeometry *> pieces;
    line_buffers(ctx, border.vertices, border.vertex_chainage_km, distance_m, chunk_km, pieces);
    for (const auto &line : border.lines) { // a border of several lines: every line
        line_buffers(ctx, line.vertices, line.vertex_chainage_km, distance_m, chunk_km, pieces);
    }
    auto *h = ctx.handle();
    auto collection =
        geos_check(ctx,
                   GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, pieces.data(),
                                               static_cast<unsigned>(pieces.size())),
                   "buffer pieces");
    return geos_check(ctx, GEOSUnaryUnion_r(h, collection.get()), "buffer union");
}

} // namespace

std::vector<BandPolygon> build_band_polygons(const BorderGeometry &border,
                                             const std::vector<DistanceBand> &bands,
                                             const std::vector<ReferenceFeature> &countries,
                                             double chunk_km) {
    if (border.vertices.size() < 2 && border.lines.empty()) {
        throw GeometryError("border '" + border.id + "' has fewer than 2 vertices");
    }
    GeosContext ctx;
    auto *h = ctx.handle();
    // Buffers at each distinct finite band edge, smallest first.
    std::vector<std::pair<double, GeosPtr>> buffers;
    for (const auto &band : bands) {
        if (band.max_km) {
            buffers.emplace_back(*band.max_km,
                                 border_buffer(ctx, border, *band.max_km * 1000.0, chunk_km));
        }
    }
    std::vector<BandPolygon> out;
    for (const auto &side : {border.left, border.right}) {
        const ReferenceFeature *country = nullptr;
        for (const auto &c : countries) {
            if (text_property(c.properties, "iso3") == side) {
                country = &c;
            }
        }
        if (country == nullptr) {
            continue;
        }
        auto shape = to_geos(ctx, country->geometry);
        // Clipped cumulative buffer per edge value.
        std::vector<std::pair<double, GeosPtr>> clipped;
        for (const auto &[km, buffer] : buffers) {
            clipped.emplace_back(
                km, geos_check(ctx, GEOSIntersection_r(h, shape.get(), buffer.get()), "band clip"));
        }
        const auto find = [&](double km) -> const GEOSGeometry * {
            for (const auto &[k, g] : clipped) {
                if (k == km) {
                    return g.get();
                }
            }
            return nullptr;
        };
        for (const auto &band : bands) {
            const GEOSGeometry *outer = band.max_km ? find(*band.max_km) : shape.get();
            const GEOSGeometry *inner = band.min_km > 0 ? find(band.min_km) : nullptr;
            GeosPtr region;
            if (inner != nullptr) {
                region = geos_check(ctx, GEOSDifference_r(h, outer, inner), "band ring");
            } else {
                region = geos_check(ctx, GEOSGeom_clone_r(h, outer), "band clone");
            }
            out.push_back({side, band, polygons_from_geos(ctx, region.get())});
        }
    }
    return out;
}

} // namespace borderwatch::detail
