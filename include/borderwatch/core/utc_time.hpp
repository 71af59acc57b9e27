#pragma once
/// @file
/// The current time in UTC as text: the one formatter behind every timestamp borderwatch
/// writes (store metadata, manifests, run ids, update state).

#include <string>

namespace borderwatch {

/// "2026-12-04T18:32:56Z" (ISO 8601, seconds, UTC).
[[nodiscard]] std::string utc_now_iso8601();

/// "2026-12-04T18:32:56.000Z": the GeoPackage DATETIME form (milliseconds required; GDAL
/// warns "non-conformant" without them), used for Incident::updated_at and store metadata.
[[nodiscard]] std::string utc_now_iso8601_millis();

/// "20261204T183256Z" (ISO 8601 basic format): sorts as text, safe in file names.
[[nodiscard]] std::string utc_now_compact();

} // namespace borderwatch
