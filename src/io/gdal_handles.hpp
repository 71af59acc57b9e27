#pragma once
// RAII owners for GDAL/OGR C handles, and the few reading helpers built on them.
// Every GDALClose / OGR_*_Destroy in borderwatch lives in these deleters.

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "io/vector_features.hpp"

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace borderwatch::detail {

struct GdalDatasetCloser {
    void operator()(void *handle) const noexcept;
};
struct OgrFeatureDestroyer {
    void operator()(void *handle) const noexcept;
};
struct OgrGeometryDestroyer {
    void operator()(void *handle) const noexcept;
};
struct OgrFieldDefnDestroyer {
    void operator()(void *handle) const noexcept;
};
struct OsrReleaser {
    void operator()(void *handle) const noexcept;
};
struct OctDestroyer {
    void operator()(void *handle) const noexcept;
};

/// Owns a GDALDatasetH (GDALClose on destruction).
using GdalDatasetPtr = std::unique_ptr<void, GdalDatasetCloser>;
/// Owns an OGRFeatureH.
using OgrFeaturePtr = std::unique_ptr<void, OgrFeatureDestroyer>;
/// Owns an OGRGeometryH (only for geometries we created or took ownership of).
using OgrGeometryPtr = std::unique_ptr<void, OgrGeometryDestroyer>;
/// Owns an OGRFieldDefnH (OGR_Fld_Destroy).
using OgrFieldDefnPtr = std::unique_ptr<void, OgrFieldDefnDestroyer>;
/// Owns an OGRSpatialReferenceH (OSRRelease).
using OsrPtr = std::unique_ptr<void, OsrReleaser>;
/// Owns an OGRCoordinateTransformationH.
using OctPtr = std::unique_ptr<void, OctDestroyer>;

/// GDALAllRegister() once per process (thread-safe).
void ensure_gdal_registered();

/// While alive, GDAL/CPL errors are collected instead of printed (a quiet handler is pushed).
class GdalQuietErrors {
  public:
    GdalQuietErrors();
    ~GdalQuietErrors();
    GdalQuietErrors(const GdalQuietErrors &) = delete;
    GdalQuietErrors &operator=(const GdalQuietErrors &) = delete;
    /// The last error message GDAL reported ("" if none).
    [[nodiscard]] static std::string last_message();
    /// last_message(), or "unknown GDAL error" when GDAL gave none (for exception texts).
    [[nodiscard]] static std::string reason();
};

/// Open a vector dataset read-only. @throws GdalError naming the path and GDAL's message
[[nodiscard]] GdalDatasetPtr open_vector_dataset(const std::filesystem::path &path);

} // namespace borderwatch::detail
