// delete_incidents(): gather ids (arguments, id lists, a filter), check them against the
// store, remove them in one transaction.

#include <borderwatch/query/delete.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>

#include <algorithm>
#include <set>
#include <string_view>

namespace borderwatch {

std::vector<std::string> read_id_list(const std::string &path, const TextInputOptions &text) {
    TextInput in(path, text.encoding);
    CsvReader reader(in, path, text.delimiter != 0 ? text.delimiter : CsvReader::detect_separator);
    std::vector<std::string> ids;
    CsvRecord record;
    if (!reader.next(record)) {
        return ids;
    }
    // A header naming an id column makes it a CSV; otherwise every line is an id.
    const auto column = find_column(record.fields, {"event_id_cnty", "id", "event_id"});
    const std::size_t index = column.value_or(0);
    if (!column) {
        if (record.fields.size() != 1) {
            throw InputError({path, record.line, 0, ""},
                             "an id list is one id per line, or a CSV with an 'id' or "
                             "'event_id_cnty' column");
        }
        ids.push_back(record.fields[0]);
    }
    while (reader.next(record)) {
        if (index >= record.fields.size()) {
            throw InputError({path, record.line, index + 1, column ? "id" : ""},
                             "missing (the row has " + std::to_string(record.fields.size()) +
                                 " fields)");
        }
        std::string id = record.fields[index];
        if (!id.empty()) {
            ids.push_back(std::move(id));
        }
    }
    return ids;
}

void check_delete_options(const DeleteOptions &options) {
    if (options.ids.empty() && options.id_files.empty() && !options.use_filter) {
        throw UsageError("delete: give ids, --ids-from FILE or filters (nothing is removed "
                         "by omission)");
    }
}

DeleteResult delete_incidents(IncidentStore &store, const DeleteOptions &options) {
    check_delete_options(options);
    std::vector<std::string> asked = options.ids;
    for (const auto &file : options.id_files) {
        auto more = read_id_list(file, options.text);
        asked.insert(asked.end(), more.begin(), more.end());
    }
    std::set<std::string> matched;
    if (!asked.empty()) {
        QueryFilter present;
        present.ids = asked;
        store.query(
            present, [&](const Incident &x) { matched.insert(x.id); }, StoredText::raw);
    }
    DeleteResult result;
    std::set<std::string> reported;
    for (const auto &id : asked) {
        if (matched.count(id) == 0 && reported.insert(id).second) {
            result.missing.push_back(id);
        }
    }
    if (options.use_filter) {
        store.query(
            options.filter, [&](const Incident &x) { matched.insert(x.id); }, StoredText::raw);
    }
    result.matched.assign(matched.begin(), matched.end());
    if (!options.dry_run && !result.matched.empty()) {
        result.removed = store.remove(result.matched);
    }
    return result;
}

} // namespace borderwatch
