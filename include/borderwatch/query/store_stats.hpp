#pragma once
/// @file
/// `borderwatch stats` as a library call: the statistics of the stored incidents a filter
/// selects, each event counted once (event clusters over the selection).

#include <borderwatch/core/progress.hpp>
#include <borderwatch/linking/event_clusters.hpp>
#include <borderwatch/stats/stats.hpp>
#include <borderwatch/store/store.hpp>

namespace borderwatch {

struct StoreStatsOptions {
    StatsOptions stats;
    /// Linking rule (LinkOptions::automatic = false: `--no-link`, only explicit same_as).
    LinkOptions link;
};

/// One pass to link the selected rows into events, one to count them (StatsAccumulator, each
/// cluster as its merged incident; StatsTable::merged_rows says how many rows were folded).
/// Progress: stage "incidents" of the counting pass, the store's count as total.
/// @throws whatever the store throws; UsageError for bad options
[[nodiscard]] StatsTable compute_store_stats(const IncidentStore &store, const QueryFilter &filter,
                                             const StoreStatsOptions &options,
                                             const ProgressCallback &progress = {});

} // namespace borderwatch
