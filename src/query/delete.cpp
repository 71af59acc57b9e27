// delete_incidents(): gather ids (arguments, id lists, a filter), check them against the
// store, remove them in one transaction.

#include <borderwatch/query/delete.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/incidents/sources.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>

namespace borderwatch {

std::vector<SourceDeletion> read_deletion_list(const std::string &path,
                                               const TextInputOptions &text) {
    TextInput in(path, text.encoding);
    CsvReader reader(in, path, text.delimiter != 0 ? text.delimiter : CsvReader::detect_separator);
    std::vector<SourceDeletion> out;
    CsvRecord record;
    if (!reader.next(record)) {
        return out;
    }
    // A header naming an id column makes it a CSV; otherwise every line is an id.
    const auto column = find_column(record.fields, {"event_id_cnty", "id", "event_id"});
    // npos: no revisions (a size_t, not an optional: GCC 12 warns on the optional here).
    const std::size_t revision_column =
        column ? find_column(record.fields, {"deleted_timestamp"}).value_or(std::string::npos)
               : std::string::npos;
    const std::size_t index = column.value_or(0);
    if (!column) {
        if (record.fields.size() != 1) {
            throw InputError({path, record.line, 0, ""},
                             "an id list is one id per line, or a CSV with an 'id' or "
                             "'event_id_cnty' column");
        }
        out.push_back({record.fields[0], std::nullopt});
    }
    while (reader.next(record)) {
        if (index >= record.fields.size()) {
            throw InputError({path, record.line, index + 1, column ? "id" : ""},
                             "missing (the row has " + std::to_string(record.fields.size()) +
                                 " fields)");
        }
        std::string id = record.fields[index];
        if (id.empty()) {
            continue;
        }
        SourceDeletion d{std::move(id), std::nullopt};
        if (revision_column < record.fields.size() &&
            !trim(record.fields[revision_column]).empty()) {
            d.revision = parse_int(trim(record.fields[revision_column]));
            if (!d.revision) {
                throw InputError({path, record.line, revision_column + 1, "deleted_timestamp"},
                                 "'" + record.fields[revision_column] +
                                     "' is not a Unix time in seconds");
            }
        }
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<std::string> read_id_list(const std::string &path, const TextInputOptions &text) {
    std::vector<std::string> ids;
    for (auto &d : read_deletion_list(path, text)) {
        ids.push_back(std::move(d.id));
    }
    return ids;
}

std::string deletion_summary(const DeleteResult &result, const std::string &store) {
    std::string out =
        "deleted " + std::to_string(result.removed) + " of " +
        std::to_string(result.matched.size() + result.missing.size() + result.kept_newer.size()) +
        " listed incident(s) from " + store + " (" + std::to_string(result.missing.size()) +
        " not in the store";
    if (!result.kept_newer.empty()) {
        out +=
            ", " + std::to_string(result.kept_newer.size()) + " kept: revised after the deletion";
    }
    if (result.remembered > 0) {
        out += "; " + std::to_string(result.remembered) + " deletion(s) remembered";
    }
    return out + ")";
}

void check_delete_options(const DeleteOptions &options) {
    if (options.ids.empty() && options.id_files.empty() && !options.use_filter) {
        throw UsageError("delete: give ids, --ids-from FILE or filters (nothing is removed "
                         "by omission)");
    }
}

DeleteResult delete_incidents(IncidentStore &store, const DeleteOptions &options) {
    check_delete_options(options);
    std::vector<SourceDeletion> asked;
    for (const auto &id : options.ids) {
        asked.push_back({id, std::nullopt});
    }
    for (const auto &file : options.id_files) {
        auto more = read_deletion_list(file, options.text);
        asked.insert(asked.end(), std::make_move_iterator(more.begin()),
                     std::make_move_iterator(more.end()));
    }
    // The stored revision of every listed id that is present.
    std::map<std::string, std::optional<std::int64_t>> present;
    if (!asked.empty()) {
        QueryFilter listed;
        for (const auto &d : asked) {
            listed.ids.push_back(d.id);
        }
        store.query(
            listed, [&](const Incident &x) { present.emplace(x.id, x.source_revision); },
            StoredText::raw);
    }
    DeleteResult result;
    std::set<std::string> matched;
    std::set<std::string> reported;
    std::vector<SourceDeletion> remember;
    for (const auto &d : asked) {
        const auto it = present.find(d.id);
        if (it != present.end() && is_older_revision(d.revision, it->second)) {
            // The source revised the event after this deletion: the stored row stands.
            if (reported.insert(d.id).second) {
                result.kept_newer.push_back(d.id);
            }
            continue;
        }
        if (d.revision) {
            remember.push_back(d);
        }
        if (it != present.end()) {
            matched.insert(d.id);
        } else if (reported.insert(d.id).second) {
            result.missing.push_back(d.id);
        }
    }
    if (options.use_filter) {
        store.query(
            options.filter, [&](const Incident &x) { matched.insert(x.id); }, StoredText::raw);
    }
    result.matched.assign(matched.begin(), matched.end());
    if (!options.dry_run && (!result.matched.empty() || !remember.empty())) {
        auto writer = store.writer();
        if (!result.matched.empty()) {
            result.removed = writer->remove(result.matched);
        }
        writer->remember_deletions(remember);
        writer->commit();
        result.remembered = remember.size();
    }
    return result;
}

} // namespace borderwatch
