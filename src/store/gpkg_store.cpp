// Embedded GeoPackage store (work in progress).
#include "store/detail/backends.hpp"

#include <borderwatch/core/error.hpp>

namespace borderwatch::detail {

std::unique_ptr<IncidentStore> open_gpkg_store(const std::string& /*path*/,
                                               const StoreOpenOptions& /*options*/) {
    throw Error("GeoPackage store not implemented yet");
}

} // namespace borderwatch::detail
