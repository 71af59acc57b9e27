#pragma once
/// @file
/// Removing incidents: by id (arguments, or id lists read from files or stdin: ACLED's
/// deletions export `event_id_cnty,deleted_timestamp`, any CSV with an `id` column, or one
/// id per line), and/or by the query filters; with a dry run that only reports.
/// A deletion that states its revision (ACLED's `deleted_timestamp`) is remembered by the store
/// (StoreWriter::remember_deletions), so an older file delivered again cannot bring the event
/// back; a stored row newer than its deletion (the source revised the event after deleting
/// it) is kept.

#include <borderwatch/core/text_input.hpp>
#include <borderwatch/store/store.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace borderwatch {

/// The ids of an id list: a CSV whose header has `event_id_cnty`, `id` or `event_id`
/// (ACLED's deletions export, a query/export CSV), else one id per line. Blank lines are
/// skipped; "-" reads stdin. @throws IoError / InputError naming FILE:LINE
[[nodiscard]] std::vector<std::string> read_id_list(const std::string &path,
                                                    const TextInputOptions &text = {});

/// read_id_list() with each id's revision: the `deleted_timestamp` column of ACLED's deletions
/// export (Unix seconds, ACLED's `timestamp` scale) when the CSV has one; an empty cell or a
/// list without that column gives no revision. @throws InputError naming FILE:LINE and field
/// 'deleted_timestamp' for a value that is not a whole number
[[nodiscard]] std::vector<SourceDeletion> read_deletion_list(const std::string &path,
                                                             const TextInputOptions &text = {});

struct DeleteOptions {
    std::vector<std::string> ids;      ///< explicit ids
    std::vector<std::string> id_files; ///< id lists (read_id_list), "-" = stdin
    /// Remove the incidents matching this filter too (ANDed with nothing: a union with the
    /// ids). Ignored when `use_filter` is false.
    QueryFilter filter;
    bool use_filter = false;
    bool dry_run = false; ///< report what would be removed, change nothing
    TextInputOptions text;
};

struct DeleteResult {
    std::vector<std::string> matched; ///< ids present in the store to remove, sorted
    std::vector<std::string> missing; ///< asked-for ids not in the store, in input order
    /// Listed with a revision older than the stored row's (revised after the deletion):
    /// kept, in input order.
    std::vector<std::string> kept_newer;
    std::size_t removed = 0; ///< rows removed (0 on a dry run)
    std::size_t remembered =
        0; ///< deletions with a revision the store now remembers (0 on a dry run)
};

/// "deleted 3 of 5 listed incident(s) from STORE (1 not in the store, 1 kept: revised after
/// the deletion; 4 deletions remembered)": one line for the import and delete commands.
[[nodiscard]] std::string deletion_summary(const DeleteResult &result, const std::string &store);

/// @throws UsageError when @p options name neither ids, id files nor a filter (never
///         "delete everything" by omission). Checked by delete_incidents() too.
void check_delete_options(const DeleteOptions &options);

/// Find and (unless a dry run) remove the incidents, in one transaction.
/// @throws UsageError when neither ids nor a filter are given (never "delete everything"
///         by omission); whatever the store or the id files throw
DeleteResult delete_incidents(IncidentStore &store, const DeleteOptions &options);

} // namespace borderwatch
