#pragma once
// Backend factories behind open_store() (src/store/store.cpp). Each backend lives in its
// own translation unit:
//  - open_gpkg_store:    src/store/gpkg_store.cpp (the embedded default)
//  - open_postgis_store: src/store/postgis_store.cpp. Until the PostGIS backend lands,
//    src/store/postgis_store_stub.cpp defines it and throws Error("PostGIS support not
//    built"); whoever adds postgis_store.cpp deletes that stub in the same commit.

#include <borderwatch/store/store.hpp>

#include <memory>
#include <string>

namespace borderwatch::detail {

/// @p path is a file path (never empty). @throws IoError, GdalError, DataError
std::unique_ptr<IncidentStore> open_gpkg_store(const std::string &path,
                                               const StoreOpenOptions &options);

/// @p spec is "PG:..." or a postgresql:// URI (is_postgis_spec(spec) is true).
/// @throws Error
std::unique_ptr<IncidentStore> open_postgis_store(const std::string &spec,
                                                  const StoreOpenOptions &options);

} // namespace borderwatch::detail
