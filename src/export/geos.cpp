#include "export/detail/geos.hpp"

#include <borderwatch/core/error.hpp>

#include "export/detail/text.hpp"

#include <cstdarg>

namespace borderwatch::detail {

GeosContext::GeosContext() : m_handle(GEOS_init_r()) {
    GEOSContext_setErrorMessageHandler_r(m_handle, &GeosContext::on_error, this);
}

GeosContext::~GeosContext() {
    GEOS_finish_r(m_handle);
}

void GeosContext::on_error(const char *message, void *self) {
    static_cast<GeosContext *>(self)->m_error = message != nullptr ? message : "";
}

GeosPtr geos_check(const GeosContext &ctx, GEOSGeometry *g, const char *what) {
    if (g == nullptr) {
        throw GeometryError(std::string(what) + ": " + ctx.last_error());
    }
    return GeosPtr(g, GeosDeleter{ctx.handle()});
}

namespace {

GEOSCoordSequence *make_sequence(const GeosContext &ctx, const std::vector<LonLat> &points) {
    auto *seq = GEOSCoordSeq_create_r(ctx.handle(), static_cast<unsigned>(points.size()), 2);
    for (std::size_t i = 0; i < points.size(); ++i) {
        GEOSCoordSeq_setXY_r(ctx.handle(), seq, static_cast<unsigned>(i), points[i].lon,
                             points[i].lat);
    }
    return seq;
}

GEOSGeometry *make_polygon(const GeosContext &ctx, const std::vector<std::vector<LonLat>> &rings) {
    auto *h = ctx.handle();
    GEOSGeometry *shell = GEOSGeom_createLinearRing_r(h, make_sequence(ctx, rings.at(0)));
    std::vector<GEOSGeometry *> holes;
    for (std::size_t r = 1; r < rings.size(); ++r) {
        holes.push_back(GEOSGeom_createLinearRing_r(h, make_sequence(ctx, rings[r])));
    }
    return GEOSGeom_createPolygon_r(h, shell, holes.data(), static_cast<unsigned>(holes.size()));
}

std::vector<LonLat> ring_points(const GeosContext &ctx, const GEOSGeometry *ring) {
    const auto *seq = GEOSGeom_getCoordSeq_r(ctx.handle(), ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(ctx.handle(), seq, &n);
    std::vector<LonLat> out(n);
    for (unsigned i = 0; i < n; ++i) {
        GEOSCoordSeq_getXY_r(ctx.handle(), seq, i, &out[i].lon, &out[i].lat);
    }
    return out;
}

void collect_polygons(const GeosContext &ctx, const GEOSGeometry *g, Geometry &out) {
    auto *h = ctx.handle();
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g) == 1) {
            return;
        }
        std::vector<std::vector<LonLat>> rings;
        rings.push_back(ring_points(ctx, GEOSGetExteriorRing_r(h, g)));
        const int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; ++i) {
            rings.push_back(ring_points(ctx, GEOSGetInteriorRingN_r(h, g, i)));
        }
        out.parts.push_back(std::move(rings));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; ++i) {
            collect_polygons(ctx, GEOSGetGeometryN_r(h, g, i), out);
        }
    }
}

} // namespace

GeosPtr to_geos(const GeosContext &ctx, const Geometry &geometry) {
    auto *h = ctx.handle();
    switch (geometry.type) {
    case GeometryType::line_string:
        return geos_check(
            ctx, GEOSGeom_createLineString_r(h, make_sequence(ctx, geometry.parts.at(0).at(0))),
            "line string");
    case GeometryType::polygon:
    case GeometryType::multi_polygon: {
        std::vector<GEOSGeometry *> polys;
        for (const auto &part : geometry.parts) {
            polys.push_back(make_polygon(ctx, part));
        }
        auto multi = geos_check(ctx,
                                GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys.data(),
                                                            static_cast<unsigned>(polys.size())),
                                "multipolygon");
        if (GEOSisValid_r(h, multi.get()) != 1) {
            return geos_check(ctx, GEOSMakeValid_r(h, multi.get()), "make valid");
        }
        return multi;
    }
    default:
        break;
    }
    throw GeometryError("to_geos: unsupported geometry type");
}

Geometry polygons_from_geos(const GeosContext &ctx, const GEOSGeometry *g) {
    Geometry out;
    out.type = GeometryType::multi_polygon;
    collect_polygons(ctx, g, out);
    return out;
}

void snap_to_output_grid(const GeosContext &ctx, Geometry &geometry) {
    if ((geometry.type != GeometryType::polygon && geometry.type != GeometryType::multi_polygon) ||
        geometry.empty()) {
        return;
    }
    const auto input = to_geos(ctx, geometry); // made valid first: setPrecision wants valid input
    // Flags 0: the snap-rounding overlay, whose result is valid (not GEOS_PREC_NO_TOPO).
    const auto snapped = geos_check(
        ctx, GEOSGeom_setPrecision_r(ctx.handle(), input.get(), k_coordinate_grid_deg, 0),
        "snap-rounding to the output grid");
    geometry = polygons_from_geos(ctx, snapped.get());
}

std::vector<LonLat> convex_hull_vertices(const GeosContext &ctx, const Geometry &geometry) {
    auto *h = ctx.handle();
    std::vector<GEOSGeometry *> points;
    for (const auto &part : geometry.parts) {
        for (const auto &ring : part) {
            for (const auto &p : ring) {
                points.push_back(GEOSGeom_createPointFromXY_r(h, p.lon, p.lat));
            }
        }
    }
    const auto cloud = geos_check(ctx,
                                  GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, points.data(),
                                                              static_cast<unsigned>(points.size())),
                                  "hull points");
    const auto hull = geos_check(ctx, GEOSConvexHull_r(h, cloud.get()), "convex hull");
    std::vector<LonLat> out;
    const int type = GEOSGeomTypeId_r(h, hull.get());
    if (type == GEOS_POLYGON) {
        out = ring_points(ctx, GEOSGetExteriorRing_r(h, hull.get()));
    } else if (type == GEOS_LINESTRING || type == GEOS_POINT) {
        const auto *seq = GEOSGeom_getCoordSeq_r(h, hull.get());
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, seq, &n);
        out.resize(n);
        for (unsigned i = 0; i < n; ++i) {
            GEOSCoordSeq_getXY_r(h, seq, i, &out[i].lon, &out[i].lat);
        }
    }
    return out;
}

} // namespace borderwatch::detail
