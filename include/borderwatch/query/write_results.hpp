#pragma once
/// @file
/// The output of `borderwatch query`: the incidents a filter matches, streamed from a store
/// as CSV (every field), JSON (an array of objects), GeoJSON (a FeatureCollection with the
/// placed point) or a summary table.

#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/progress.hpp>
#include <borderwatch/linking/event_clusters.hpp>
#include <borderwatch/store/store.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace borderwatch {

/// Formats of write_query_results(), the first being the terminal's.
inline const std::vector<std::string> query_formats{"table", "csv", "json", "geojson"};

struct QueryOutputOptions {
    std::string format = "csv"; ///< one of query_formats (the table is buffered)
    CsvFormulas csv_formulas = CsvFormulas::neutralise;
    /// Event clusters over the selection (linking/event_clusters.hpp): csv/json/geojson rows
    /// carry `event_cluster` (the cluster's smallest member id) and `cluster_size`.
    LinkOptions link;
    /// `--clusters`: only the rows of events reported by two or more rows, grouped by
    /// event_cluster (then id), with the cluster columns in every format.
    bool clusters_only = false;
};

/// Stream the incidents of @p store matching @p filter to @p out, ordered by id (a first pass
/// over the selection links its rows into events). Progress:
/// stage "incidents", incidents written, the store's count as total.
/// @return incidents written
/// @throws UsageError for an unknown format; whatever the store throws
std::uint64_t write_query_results(const IncidentStore &store, const QueryFilter &filter,
                                  const QueryOutputOptions &options, std::ostream &out,
                                  const ProgressCallback &progress = {});

} // namespace borderwatch
