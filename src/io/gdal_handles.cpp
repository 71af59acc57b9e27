#include "io/gdal_handles.hpp"

#include <borderwatch/core/error.hpp>

#include <cpl_error.h>

#include <mutex>

namespace borderwatch::detail {

void GdalDatasetCloser::operator()(void *handle) const noexcept {
    if (handle != nullptr) {
        GDALClose(handle);
    }
}
void OgrFeatureDestroyer::operator()(void *handle) const noexcept {
    if (handle != nullptr) {
        OGR_F_Destroy(static_cast<OGRFeatureH>(handle));
    }
}
void OgrGeometryDestroyer::operator()(void *handle) const noexcept {
    if (handle != nullptr) {
        OGR_G_DestroyGeometry(static_cast<OGRGeometryH>(handle));
    }
}
void OgrFieldDefnDestroyer::operator()(void *handle) const noexcept {
    if (handle != nullptr) {
        OGR_Fld_Destroy(static_cast<OGRFieldDefnH>(handle));
    }
}
void OsrReleaser::operator()(void *handle) const noexcept {
    if (handle != nullptr) {
        OSRRelease(static_cast<OGRSpatialReferenceH>(handle));
    }
}
void OctDestroyer::operator()(void *handle) const noexcept {
    if (handle != nullptr) {
        OCTDestroyCoordinateTransformation(static_cast<OGRCoordinateTransformationH>(handle));
    }
}

void ensure_gdal_registered() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

GdalQuietErrors::GdalQuietErrors() {
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
}
GdalQuietErrors::~GdalQuietErrors() {
    CPLPopErrorHandler();
}

std::string GdalQuietErrors::reason() {
    auto msg = last_message();
    return msg.empty() ? "unknown GDAL error" : msg;
}

std::string GdalQuietErrors::last_message() {
    const char *msg = CPLGetLastErrorMsg();
    return msg != nullptr ? std::string(msg) : std::string();
}

GdalDatasetPtr open_vector_dataset(const std::filesystem::path &path) {
    ensure_gdal_registered();
    GdalQuietErrors quiet;
    GdalDatasetPtr ds(
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!ds) {
        const auto msg = GdalQuietErrors::last_message();
        throw GdalError("cannot open vector dataset '" + path.string() + "'" +
                        (msg.empty() ? std::string() : ": " + msg));
    }
    return ds;
}

} // namespace borderwatch::detail
