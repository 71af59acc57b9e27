// GeoPackage through GDAL: all layers in one file, features in transactions of a few
// thousand, and QGIS default styles (styles/<layer>.qml) in the `layer_styles` table.

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/export/feature.hpp>

#include "export/detail/gdal.hpp"

#include <fstream>
#include <sstream>

namespace borderwatch {

namespace {

constexpr std::uint64_t k_transaction_size = 20000;

OGRwkbGeometryType ogr_type(GeometryType type) {
    switch (type) {
    case GeometryType::point: return wkbPoint;
    case GeometryType::line_string: return wkbLineString;
    case GeometryType::multi_line_string: return wkbMultiLineString;
    case GeometryType::polygon: return wkbPolygon;
    case GeometryType::multi_polygon: return wkbMultiPolygon;
    }
    return wkbUnknown;
}

OGRGeometryH make_points(OGRwkbGeometryType type, const std::vector<LonLat>& positions) {
    OGRGeometryH g = OGR_G_CreateGeometry(type);
    OGR_G_SetPointCount(g, static_cast<int>(positions.size()));
    for (std::size_t i = 0; i < positions.size(); ++i) {
        OGR_G_SetPoint_2D(g, static_cast<int>(i), positions[i].lon, positions[i].lat);
    }
    return g;
}

OGRGeometryH make_polygon(const std::vector<std::vector<LonLat>>& rings) {
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    for (const auto& ring : rings) {
        OGR_G_AddGeometryDirectly(poly, make_points(wkbLinearRing, ring));
    }
    return poly;
}

OGRGeometryH make_geometry(const Geometry& g) {
    switch (g.type) {
    case GeometryType::point: {
        OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(p, 0, g.parts[0][0][0].lon, g.parts[0][0][0].lat);
        return p;
    }
    case GeometryType::line_string: return make_points(wkbLineString, g.parts[0][0]);
    case GeometryType::multi_line_string: {
        OGRGeometryH m = OGR_G_CreateGeometry(wkbMultiLineString);
        for (const auto& part : g.parts) {
            OGR_G_AddGeometryDirectly(m, make_points(wkbLineString, part[0]));
        }
        return m;
    }
    case GeometryType::polygon: return make_polygon(g.parts[0]);
    case GeometryType::multi_polygon: {
        OGRGeometryH m = OGR_G_CreateGeometry(wkbMultiPolygon);
        for (const auto& part : g.parts) {
            OGR_G_AddGeometryDirectly(m, make_polygon(part));
        }
        return m;
    }
    }
    return nullptr;
}

std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class GpkgWriter;

class GpkgLayer final : public LayerWriter {
  public:
    GpkgLayer(GpkgWriter& owner, LayerSchema schema, OGRLayerH layer)
        : m_owner(owner), m_schema(std::move(schema)), m_layer(layer) {}
    void write(const Feature& feature) override;
    [[nodiscard]] std::uint64_t count() const noexcept override { return m_count; }
    [[nodiscard]] const LayerSchema& schema() const noexcept { return m_schema; }

  private:
    GpkgWriter& m_owner;
    LayerSchema m_schema;
    OGRLayerH m_layer;
    std::string m_scratch;
    std::uint64_t m_count = 0;
};

class GpkgWriter final : public FormatWriter {
  public:
    GpkgWriter(std::filesystem::path file, const ExportStyles& styles)
        : m_file(std::move(file)), m_styles_dir(styles.dir) {
        GDALAllRegister();
        detail::QuietGdal quiet;
        GDALDriverH driver = GDALGetDriverByName("GPKG");
        if (driver == nullptr) {
            throw GdalError("GDAL has no GPKG driver");
        }
        m_ds.reset(GDALCreate(driver, m_file.temp_path().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!m_ds) {
            fail("cannot create dataset");
        }
        m_srs.reset(OSRNewSpatialReference(nullptr));
        OSRImportFromEPSG(m_srs.get(), 4326);
        OSRSetAxisMappingStrategy(m_srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
    }

    [[noreturn]] void fail(const std::string& what, const std::string& layer = {}) const {
        std::string msg = "GPKG: dataset '" + m_file.target().string() + "'";
        if (!layer.empty()) {
            msg += ", layer '" + layer + "'";
        }
        throw GdalError(msg + ": " + what + ": " + CPLGetLastErrorMsg());
    }

    LayerWriter& open_layer(const LayerSchema& schema) override {
        detail::QuietGdal quiet;
        const char* options[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES", nullptr};
        OGRLayerH layer = GDALDatasetCreateLayer(m_ds.get(), schema.name.c_str(), m_srs.get(),
                                                 ogr_type(schema.geometry_type),
                                                 const_cast<char**>(options));
        if (layer == nullptr) {
            fail("cannot create layer", schema.name);
        }
        for (const auto& field : schema.fields) {
            const OGRFieldType t = field.type == FieldType::integer ? OFTInteger64
                                   : field.type == FieldType::real  ? OFTReal
                                                                    : OFTString;
            OGRFieldDefnH defn = OGR_Fld_Create(field.name.c_str(), t);
            const auto err = OGR_L_CreateField(layer, defn, TRUE);
            OGR_Fld_Destroy(defn);
            if (err != OGRERR_NONE) {
                fail("cannot create field '" + field.name + "'", schema.name);
            }
        }
        m_layers.push_back(std::make_unique<GpkgLayer>(*this, schema, layer));
        return *m_layers.back();
    }

    /// Called before each feature: keeps one transaction open, committed every N features.
    void before_feature() {
        if (!m_in_transaction) {
            if (GDALDatasetStartTransaction(m_ds.get(), FALSE) != OGRERR_NONE) {
                fail("cannot start transaction");
            }
            m_in_transaction = true;
        }
        if (++m_pending >= k_transaction_size) {
            commit_transaction();
        }
    }

    void commit_transaction() {
        if (m_in_transaction) {
            if (GDALDatasetCommitTransaction(m_ds.get()) != OGRERR_NONE) {
                fail("cannot commit transaction");
            }
            m_in_transaction = false;
            m_pending = 0;
        }
    }

    void write_styles() {
        detail::QuietGdal quiet;
        const char* options[] = {"FID=id", nullptr};
        OGRLayerH styles = GDALDatasetCreateLayer(m_ds.get(), "layer_styles", nullptr, wkbNone,
                                                  const_cast<char**>(options));
        if (styles == nullptr) {
            fail("cannot create table", "layer_styles");
        }
        // The column set QGIS itself creates (QgsOgrProviderUtils / saveStyle).
        const std::pair<const char*, OGRFieldType> columns[] = {
            {"f_table_catalog", OFTString}, {"f_table_schema", OFTString},
            {"f_table_name", OFTString},    {"f_geometry_column", OFTString},
            {"styleName", OFTString},       {"styleQML", OFTString},
            {"styleSLD", OFTString},        {"useAsDefault", OFTInteger},
            {"description", OFTString},     {"owner", OFTString},
            {"ui", OFTString},              {"update_time", OFTDateTime}};
        for (const auto& [name, type] : columns) {
            OGRFieldDefnH defn = OGR_Fld_Create(name, type);
            if (std::string_view(name) == "useAsDefault") {
                OGR_Fld_SetSubType(defn, OFSTBoolean);
            }
            OGR_L_CreateField(styles, defn, TRUE);
            OGR_Fld_Destroy(defn);
        }
        detail::FeaturePtr f(OGR_F_Create(OGR_L_GetLayerDefn(styles)));
        for (const auto& layer : m_layers) {
            const auto qml_path = m_styles_dir / (layer->schema().name + ".qml");
            if (!std::filesystem::exists(qml_path)) {
                continue;
            }
            const auto qml = read_text_file(qml_path);
            OGR_F_SetFID(f.get(), OGRNullFID);
            OGR_F_SetFieldString(f.get(), 0, "");
            OGR_F_SetFieldString(f.get(), 1, "");
            OGR_F_SetFieldString(f.get(), 2, layer->schema().name.c_str());
            OGR_F_SetFieldString(f.get(), 3, "geom");
            OGR_F_SetFieldString(f.get(), 4, layer->schema().name.c_str());
            OGR_F_SetFieldString(f.get(), 5, qml.c_str());
            OGR_F_SetFieldString(f.get(), 6, "");
            OGR_F_SetFieldInteger(f.get(), 7, 1);
            OGR_F_SetFieldString(f.get(), 8, ("borderwatch default style for " +
                                              layer->schema().name).c_str());
            OGR_F_SetFieldString(f.get(), 9, "");
            OGR_F_SetFieldNull(f.get(), 10);
            OGR_F_SetFieldNull(f.get(), 11);
            if (OGR_L_CreateFeature(styles, f.get()) != OGRERR_NONE) {
                fail("cannot insert style", "layer_styles");
            }
        }
    }

    void finish() override {
        detail::QuietGdal quiet;
        commit_transaction();
        write_styles();
        // Closing writes the spatial indexes and the gpkg_ogr_contents counts.
        GDALDatasetH ds = m_ds.release();
        CPLErrorReset();
        GDALClose(ds);
        if (CPLGetLastErrorType() >= CE_Failure) {
            fail("closing the dataset failed");
        }
    }

    void commit() override { m_file.commit(); }

    [[nodiscard]] std::vector<OutputFile> files() const override {
        OutputFile f{m_file.target(), "gpkg", {}, {}, 0};
        for (const auto& layer : m_layers) {
            f.layers.emplace_back(layer->schema().name, layer->count());
        }
        return {f};
    }

  private:
    AtomicFile m_file; // declared first: destroyed last, after the dataset is closed
    std::filesystem::path m_styles_dir;
    detail::SrsPtr m_srs;
    std::vector<std::unique_ptr<GpkgLayer>> m_layers;
    detail::DatasetPtr m_ds;
    bool m_in_transaction = false;
    std::uint64_t m_pending = 0;
};

void GpkgLayer::write(const Feature& feature) {
    m_owner.before_feature();
    detail::FeaturePtr f(OGR_F_Create(OGR_L_GetLayerDefn(m_layer)));
    for (std::size_t i = 0; i < m_schema.fields.size() && i < feature.values.size(); ++i) {
        const int index = static_cast<int>(i);
        const auto& v = feature.values[i];
        if (const auto* text = std::get_if<std::string_view>(&v)) {
            m_scratch.assign(*text);
            OGR_F_SetFieldString(f.get(), index, m_scratch.c_str());
        } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
            OGR_F_SetFieldInteger64(f.get(), index, *n);
        } else if (const auto* d = std::get_if<double>(&v)) {
            OGR_F_SetFieldDouble(f.get(), index, *d);
        } else {
            OGR_F_SetFieldNull(f.get(), index);
        }
    }
    if (!feature.geometry.empty()) {
        OGR_F_SetGeometryDirectly(f.get(), make_geometry(feature.geometry));
    }
    if (OGR_L_CreateFeature(m_layer, f.get()) != OGRERR_NONE) {
        m_owner.fail("cannot write feature " + std::to_string(m_count + 1), m_schema.name);
    }
    ++m_count;
}

} // namespace

std::unique_ptr<FormatWriter> make_gpkg_writer(const std::filesystem::path& file,
                                               const ExportStyles& styles) {
    return std::make_unique<GpkgWriter>(file, styles);
}

} // namespace borderwatch
