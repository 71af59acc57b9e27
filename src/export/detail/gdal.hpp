#pragma once
// RAII for the GDAL/OGR C handles the export uses, and a scope that routes GDAL's own
// messages away from stderr (errors are turned into GdalError with the last message).

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_error.h>

#include <memory>

namespace borderwatch::detail {

struct DatasetCloser {
    void operator()(void* ds) const noexcept {
        if (ds != nullptr) {
            GDALClose(ds);
        }
    }
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;

struct FeatureDestroyer {
    void operator()(OGRFeatureH f) const noexcept { OGR_F_Destroy(f); }
};
using FeaturePtr = std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, FeatureDestroyer>;

struct SrsReleaser {
    void operator()(OGRSpatialReferenceH s) const noexcept { OSRRelease(s); }
};
using SrsPtr = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsReleaser>;

/// While alive, GDAL messages are not printed (they are read back with CPLGetLastErrorMsg).
class QuietGdal {
  public:
    QuietGdal() noexcept { CPLPushErrorHandler(CPLQuietErrorHandler); }
    ~QuietGdal() { CPLPopErrorHandler(); }
    QuietGdal(const QuietGdal&) = delete;
    QuietGdal& operator=(const QuietGdal&) = delete;
};

} // namespace borderwatch::detail
