// GDAL's side of io/vector_features.hpp: any vector format and CRS. Its own object file, so
// the start-up program can replace it (src/cli/launcher_main.cpp) without linking GDAL.
#include "io/gdal_handles.hpp"

#include <borderwatch/core/error.hpp>

namespace borderwatch::detail {

namespace {

void append_ring(OGRGeometryH ring, std::vector<std::array<double, 2>> &out) {
    const int n = OGR_G_GetPointCount(ring);
    out.reserve(out.size() + static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        out.push_back({OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)});
    }
}

void collect_parts(OGRGeometryH geom, VectorFeature &feature) {
    if (geom == nullptr) {
        return;
    }
    const auto type = wkbFlatten(OGR_G_GetGeometryType(geom));
    switch (type) {
    case wkbLineString:
    case wkbLinearRing: {
        std::vector<std::array<double, 2>> line;
        append_ring(geom, line);
        feature.parts.push_back({std::move(line)});
        break;
    }
    case wkbPolygon: {
        std::vector<std::vector<std::array<double, 2>>> rings;
        for (int r = 0; r < OGR_G_GetGeometryCount(geom); ++r) {
            std::vector<std::array<double, 2>> ring;
            append_ring(OGR_G_GetGeometryRef(geom, r), ring);
            rings.push_back(std::move(ring));
        }
        feature.parts.push_back(std::move(rings));
        break;
    }
    case wkbMultiLineString:
    case wkbMultiPolygon:
    case wkbGeometryCollection:
        for (int i = 0; i < OGR_G_GetGeometryCount(geom); ++i) {
            collect_parts(OGR_G_GetGeometryRef(geom, i), feature);
        }
        break;
    default:
        break; // points and other types carry no line or area
    }
}

} // namespace

std::vector<VectorFeature> read_gdal_features(const std::filesystem::path &path,
                                              const std::vector<std::string> &field_names) {
    auto ds = open_vector_dataset(path);
    GdalQuietErrors quiet;
    if (GDALDatasetGetLayerCount(ds.get()) < 1) {
        throw GdalError("dataset '" + path.string() + "' has no layer");
    }
    OGRLayerH layer = GDALDatasetGetLayer(ds.get(), 0);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    std::vector<int> indexes;
    for (const auto &name : field_names) {
        indexes.push_back(OGR_FD_GetFieldIndex(defn, name.c_str()));
    }

    // Transform to WGS84 lon/lat when the layer says it is in another CRS.
    OctPtr transform;
    if (OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(layer); layer_srs != nullptr) {
        OsrPtr wgs84(OSRNewSpatialReference(nullptr));
        OSRImportFromEPSG(static_cast<OGRSpatialReferenceH>(wgs84.get()), 4326);
        OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(wgs84.get()),
                                  OAMS_TRADITIONAL_GIS_ORDER);
        const char *options[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", nullptr};
        if (OSRIsSameEx(layer_srs, static_cast<OGRSpatialReferenceH>(wgs84.get()), options) == 0) {
            OsrPtr source(OSRClone(layer_srs));
            OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(source.get()),
                                      OAMS_TRADITIONAL_GIS_ORDER);
            transform.reset(
                OCTNewCoordinateTransformation(static_cast<OGRSpatialReferenceH>(source.get()),
                                               static_cast<OGRSpatialReferenceH>(wgs84.get())));
            if (!transform) {
                throw GdalError(
                    "dataset '" + path.string() +
                    "': cannot transform its CRS to EPSG:4326: " + GdalQuietErrors::last_message());
            }
        }
    }

    std::vector<VectorFeature> out;
    OGR_L_ResetReading(layer);
    while (true) {
        OgrFeaturePtr feature(OGR_L_GetNextFeature(layer));
        if (!feature) {
            break;
        }
        auto *fh = static_cast<OGRFeatureH>(feature.get());
        VectorFeature vf;
        for (int index : indexes) {
            if (index >= 0 && OGR_F_IsFieldSetAndNotNull(fh, index) != 0) {
                vf.fields.emplace_back(OGR_F_GetFieldAsString(fh, index));
            } else {
                vf.fields.emplace_back();
            }
        }
        OGRGeometryH geom = OGR_F_GetGeometryRef(fh);
        if (geom != nullptr && transform) {
            if (OGR_G_Transform(geom, static_cast<OGRCoordinateTransformationH>(transform.get())) !=
                OGRERR_NONE) {
                throw GdalError("dataset '" + path.string() + "', feature " +
                                std::to_string(OGR_F_GetFID(fh)) +
                                ": cannot transform geometry to EPSG:4326");
            }
        }
        collect_parts(geom, vf);
        out.push_back(std::move(vf));
    }
    return out;
}

} // namespace borderwatch::detail
