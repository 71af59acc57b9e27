#include <borderwatch/query/store_stats.hpp>

namespace borderwatch {

StatsTable compute_store_stats(const IncidentStore &store, const QueryFilter &filter,
                               const StoreStatsOptions &options, const ProgressCallback &progress) {
    const IncidentSource selection = [&](const std::function<void(const Incident &)> &sink) {
        store.query(filter, sink);
    };
    // Linking reads the stored bytes: text repairs are counted once, by the counting pass.
    const auto clusters = cluster_events(
        [&](const std::function<void(const Incident &)> &sink) {
            store.query(filter, sink, StoredText::raw);
        },
        options.link);
    StatsAccumulator acc(options.stats);
    acc.set_merged_rows(clusters.merged_rows());
    ClusterFolder folder(clusters, [&acc](const Incident &x) { (void)acc.add(x); });
    const std::uint64_t total = progress ? store.count() : 0;
    std::uint64_t done = 0;
    selection([&](const Incident &x) {
        folder.add(x);
        if (progress && ++done % 4096 == 0) {
            progress("incidents", done, total);
        }
    });
    folder.finish();
    if (progress) {
        progress("incidents", done, total);
    }
    return acc.finish();
}

} // namespace borderwatch
