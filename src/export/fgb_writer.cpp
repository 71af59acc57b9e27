// FlatGeobuf layers through GDAL's driver, one "<layer>.fgb" per layer. GDAL decides the
// file layout (header, packed Hilbert R-tree, features in index order); this writer only
// maps the feature model onto OGR and keeps the export's crash-safety: GDAL writes a
// private "<temp>.fgb" (the driver makes a directory of any name not ending in .fgb), which
// becomes the AtomicFile's temporary at finish() and the target at commit().

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/sha256.hpp>
#include <borderwatch/export/feature.hpp>

#include "export/detail/per_layer_files.hpp"
#include "io/gdal_handles.hpp"

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace borderwatch {

namespace {

using detail::GdalDatasetPtr;
using detail::GdalQuietErrors;
using detail::OgrFeaturePtr;
using detail::OgrFieldDefnPtr;
using detail::OgrGeometryPtr;
using detail::OsrPtr;

OGRwkbGeometryType ogr_type(GeometryType type) {
    switch (type) {
    case GeometryType::point:
        return wkbPoint;
    case GeometryType::line_string:
        return wkbLineString;
    case GeometryType::multi_line_string:
        return wkbMultiLineString;
    case GeometryType::polygon:
        return wkbPolygon;
    case GeometryType::multi_polygon:
        return wkbMultiPolygon;
    }
    return wkbUnknown;
}

OGRFieldType ogr_field_type(FieldType type) {
    switch (type) {
    case FieldType::integer:
        return OFTInteger64;
    case FieldType::real:
        return OFTReal;
    case FieldType::date: // ISO text, parsed by OGR
        return OFTDate;
    case FieldType::datetime:
        return OFTDateTime;
    case FieldType::text:
        break;
    }
    return OFTString;
}

OGRGeometryH make_line(OGRwkbGeometryType type, const std::vector<LonLat> &points) {
    OGRGeometryH g = OGR_G_CreateGeometry(type);
    OGR_G_SetPointCount(g, static_cast<int>(points.size()));
    for (std::size_t i = 0; i < points.size(); ++i) {
        OGR_G_SetPoint_2D(g, static_cast<int>(i), points[i].lon, points[i].lat);
    }
    return g;
}

OGRGeometryH make_polygon(const std::vector<std::vector<LonLat>> &rings) {
    OGRGeometryH polygon = OGR_G_CreateGeometry(wkbPolygon);
    for (const auto &ring : rings) {
        OGR_G_AddGeometryDirectly(polygon, make_line(wkbLinearRing, ring));
    }
    return polygon;
}

/// The OGR form of @p g (not empty).
OgrGeometryPtr make_geometry(const Geometry &g) {
    switch (g.type) {
    case GeometryType::point: {
        OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(p, 0, g.parts[0][0][0].lon, g.parts[0][0][0].lat);
        return OgrGeometryPtr(p);
    }
    case GeometryType::line_string:
        return OgrGeometryPtr(make_line(wkbLineString, g.parts[0][0]));
    case GeometryType::multi_line_string: {
        OGRGeometryH m = OGR_G_CreateGeometry(wkbMultiLineString);
        for (const auto &part : g.parts) {
            OGR_G_AddGeometryDirectly(m, make_line(wkbLineString, part[0]));
        }
        return OgrGeometryPtr(m);
    }
    case GeometryType::polygon:
        return OgrGeometryPtr(make_polygon(g.parts[0]));
    case GeometryType::multi_polygon: {
        OGRGeometryH m = OGR_G_CreateGeometry(wkbMultiPolygon);
        for (const auto &part : g.parts) {
            OGR_G_AddGeometryDirectly(m, make_polygon(part));
        }
        return OgrGeometryPtr(m);
    }
    }
    return {};
}

class FgbLayer final : public LayerWriter {
  public:
    FgbLayer(const std::filesystem::path &dir, LayerSchema schema)
        : m_schema(std::move(schema)), m_file(dir / (m_schema.name + ".fgb")),
          m_gdal_path(m_file.temp_path().string() + ".fgb") {
        detail::ensure_gdal_registered();
        GDALDriverH driver = GDALGetDriverByName("FlatGeobuf");
        if (driver == nullptr) {
            throw GdalError("GDAL has no FlatGeobuf driver (GDAL >= 3.1 is needed)");
        }
        GdalQuietErrors quiet;
        m_dataset.reset(GDALCreate(driver, m_gdal_path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!m_dataset) {
            throw GdalError(where() + ": cannot create: " + GdalQuietErrors::reason());
        }
        OsrPtr srs(OSRNewSpatialReference(nullptr));
        auto *srs_handle = static_cast<OGRSpatialReferenceH>(srs.get());
        OSRImportFromEPSG(srs_handle, 4326);
        OSRSetAxisMappingStrategy(srs_handle, OAMS_TRADITIONAL_GIS_ORDER);
        const char *options[] = {"SPATIAL_INDEX=YES", nullptr};
        m_layer = GDALDatasetCreateLayer(
            static_cast<GDALDatasetH>(m_dataset.get()), m_schema.name.c_str(), srs_handle,
            ogr_type(m_schema.geometry_type), const_cast<char **>(options));
        if (m_layer == nullptr) {
            throw GdalError(where() + ": cannot create the layer: " + GdalQuietErrors::reason());
        }
        for (const auto &field : m_schema.fields) {
            OgrFieldDefnPtr defn(OGR_Fld_Create(field.name.c_str(), ogr_field_type(field.type)));
            if (OGR_L_CreateField(m_layer, static_cast<OGRFieldDefnH>(defn.get()), TRUE) !=
                OGRERR_NONE) {
                throw GdalError(where() + ": cannot create field '" + field.name +
                                "': " + GdalQuietErrors::reason());
            }
        }
        m_feature.reset(OGR_F_Create(OGR_L_GetLayerDefn(m_layer)));
    }

    FgbLayer(const FgbLayer &) = delete;
    FgbLayer &operator=(const FgbLayer &) = delete;

    ~FgbLayer() override {
        m_feature.reset();
        m_dataset.reset();
        std::error_code ignored;
        std::filesystem::remove(m_gdal_path, ignored);
    }

    void write(const Feature &feature) override {
        if (feature.geometry.empty()) {
            return; // FlatGeobuf has no null geometries (see make_fgb_writer)
        }
        auto *f = static_cast<OGRFeatureH>(m_feature.get());
        for (std::size_t i = 0; i < m_schema.fields.size(); ++i) {
            const Value &v = i < feature.values.size() ? feature.values[i] : Value{};
            const int index = static_cast<int>(i);
            if (const auto *text = std::get_if<std::string_view>(&v)) {
                m_text.assign(*text);
                OGR_F_SetFieldString(f, index, m_text.c_str());
            } else if (const auto *integer = std::get_if<std::int64_t>(&v)) {
                OGR_F_SetFieldInteger64(f, index, *integer);
            } else if (const auto *real = std::get_if<double>(&v)) {
                OGR_F_SetFieldDouble(f, index, *real);
            } else {
                OGR_F_SetFieldNull(f, index);
            }
        }
        OGR_F_SetGeometryDirectly(
            f, static_cast<OGRGeometryH>(make_geometry(feature.geometry).release()));
        GdalQuietErrors quiet;
        if (OGR_L_CreateFeature(m_layer, f) != OGRERR_NONE) {
            throw GdalError(where() + ": cannot write a feature: " + GdalQuietErrors::reason());
        }
        ++m_count;
    }

    [[nodiscard]] std::uint64_t count() const noexcept override { return m_count; }

    void finish() {
        m_feature.reset();
        {
            GdalQuietErrors quiet;
            CPLErrorReset();
            // Closing writes the header, the index and the features.
            GDALClose(m_dataset.release());
            if (CPLGetLastErrorType() >= CE_Failure) {
                throw GdalError(where() + ": cannot finish: " + GdalQuietErrors::reason());
            }
        }
        std::error_code ec;
        std::filesystem::rename(m_gdal_path, m_file.temp_path(), ec);
        if (ec) {
            throw IoError("cannot rename '" + m_gdal_path + "' to '" + m_file.temp_path().string() +
                          "': " + ec.message());
        }
        fsync_path(m_file.temp_path());
        m_sha256 = sha256_file(m_file.temp_path());
        m_bytes = std::filesystem::file_size(m_file.temp_path());
    }
    void commit() { m_file.commit(); }
    [[nodiscard]] OutputFile output() const {
        return OutputFile{m_file.target(), "fgb", {{m_schema.name, m_count}}, m_sha256, m_bytes};
    }

  private:
    [[nodiscard]] std::string where() const {
        return "FlatGeobuf '" + m_file.target().string() + "'";
    }

    LayerSchema m_schema;
    AtomicFile m_file; // declared before the dataset: removed after GDAL closed it
    std::string m_gdal_path;
    GdalDatasetPtr m_dataset;
    OGRLayerH m_layer = nullptr;
    OgrFeaturePtr m_feature; // reused for every feature
    std::string m_text;      // NUL-terminated copy of a text value
    std::uint64_t m_count = 0;
    std::string m_sha256;
    std::uint64_t m_bytes = 0;
};

} // namespace

std::unique_ptr<FormatWriter> make_fgb_writer(const std::filesystem::path &dir) {
    return std::make_unique<detail::PerLayerFileWriter<FgbLayer>>(dir);
}

} // namespace borderwatch
