#pragma once
// Bulk load of a GeoPackage R-tree (SQLite rtree module tables %_node, %_rowid, %_parent):
// entries are collected through an external sort in Hilbert order of their centres and
// packed into full nodes bottom-up, with memory bounded by one sort chunk plus one cell per
// leaf node. Shared by the incident store (commit of an import) and the GeoPackage export.

#include "core/spool_sort.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace borderwatch::detail {

// One R-tree entry on its way into a bulk load: the 32-bit box SQLite's R-tree stores and
// the Hilbert index of its centre (the leaf order).
struct RtreeEntry {
    std::uint32_t hilbert;
    float box[4]; // minx, maxx, miny, maxy
    std::int64_t fid;
};
struct HilbertOrder {
    bool operator()(const RtreeEntry &a, const RtreeEntry &b) const noexcept {
        return a.hilbert != b.hilbert ? a.hilbert < b.hilbert : a.fid < b.fid;
    }
};
using RtreeSorter = SpoolSorter<RtreeEntry, HilbertOrder>;

/// The entry of a row with envelope [minx, maxx] x [miny, maxy] (degrees): its box rounded
/// outwards to the floats the R-tree stores, ordered by the Hilbert index of its centre.
[[nodiscard]] RtreeEntry rtree_entry(std::int64_t fid, double minx, double maxx, double miny,
                                     double maxy);

/// Replace the content of the GeoPackage R-tree @p rtree (e.g. "rtree_incidents_geom") by
/// the entries of @p entries (consumed). Node size as SQLite chose it for the table (its
/// root must exist). Runs inside the caller's transaction. Throws IoError on SQLite errors.
void pack_rtree(sqlite3 *db, const std::string &file, const std::string &rtree,
                RtreeSorter &entries);

} // namespace borderwatch::detail
