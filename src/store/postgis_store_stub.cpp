// Placeholder until src/store/postgis_store.cpp exists; delete this file when adding it
// (see src/store/detail/backends.hpp).
#include "store/detail/backends.hpp"

#include <borderwatch/core/error.hpp>

namespace borderwatch::detail {

std::unique_ptr<IncidentStore> open_postgis_store(const std::string& /*spec*/,
                                                  const StoreOpenOptions& /*options*/) {
    throw Error("PostGIS support not built");
}

} // namespace borderwatch::detail
