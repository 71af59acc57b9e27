// write_query_results(): one pass over the store's query, one writer per format.

#include <borderwatch/query/write_results.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/text_table.hpp>
#include <borderwatch/incidents/incident_fields.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <ostream>

namespace borderwatch {

namespace {

constexpr std::uint64_t k_progress_every = 4096;

nlohmann::ordered_json properties(const Incident &x, const EventClusters::Membership &m) {
    nlohmann::ordered_json o;
    const auto &fields = incident_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto v = get_field(x, i);
        const std::string name(fields[i].name);
        if (std::holds_alternative<std::monostate>(v)) {
            o[name] = nullptr;
        } else if (const auto *n = std::get_if<std::int64_t>(&v)) {
            o[name] = *n;
        } else if (const auto *d = std::get_if<double>(&v)) {
            o[name] = *d;
        } else {
            o[name] = std::get<std::string>(v);
        }
    }
    o["event_cluster"] = m.cluster;
    o["cluster_size"] = m.size;
    return o;
}

} // namespace

std::uint64_t write_query_results(const IncidentStore &store, const QueryFilter &filter,
                                  const QueryOutputOptions &options, std::ostream &out,
                                  const ProgressCallback &progress) {
    const std::string &format = options.format;
    if (format != "csv" && format != "json" && format != "geojson" && format != "table") {
        throw UsageError("query: unknown format '" + format +
                         "' (choose from table, csv, json, geojson)");
    }
    // Linking reads the stored bytes: text repairs are counted once, by the output pass. The
    // table shows clusters only with --clusters: otherwise no linking pass.
    const bool show_clusters = format != "table" || options.clusters_only;
    const auto clusters = show_clusters
                              ? cluster_events(
                                    [&](const std::function<void(const Incident &)> &sink) {
                                        store.query(filter, sink, StoredText::raw);
                                    },
                                    options.link)
                              : EventClusters::build({});
    // The rows in output order: the selection by id, or with --clusters the rows of
    // multi-row events grouped by event (only those are kept in memory).
    const IncidentSource rows = [&](const std::function<void(const Incident &)> &sink) {
        if (!options.clusters_only) {
            store.query(filter, sink);
            return;
        }
        QueryFilter members = filter;
        members.ids.clear();
        for (const auto &[name, ids] : clusters.multi()) {
            (void)name;
            members.ids.insert(members.ids.end(), ids.begin(), ids.end());
        }
        if (members.ids.empty()) {
            return;
        }
        std::map<std::string, std::vector<Incident>, std::less<>> by_event;
        store.query(members, [&](const Incident &x) {
            by_event[std::string(clusters.of(x.id).cluster)].push_back(x);
        });
        for (const auto &[name, list] : by_event) {
            (void)name;
            for (const auto &x : list) {
                sink(x);
            }
        }
    };
    const std::uint64_t total = progress ? store.count() : 0;
    std::uint64_t written = 0;
    auto counted = [&] {
        ++written;
        if (progress && written % k_progress_every == 0) {
            progress("incidents", written, total);
        }
    };

    const auto &fields = incident_fields();
    if (format == "csv") {
        std::vector<std::string> row;
        for (const auto &f : fields) {
            row.emplace_back(f.name);
        }
        row.emplace_back("event_cluster");
        row.emplace_back("cluster_size");
        write_csv_record(out, row, ',', options.csv_formulas);
        rows([&](const Incident &x) {
            for (std::size_t i = 0; i < fields.size(); ++i) {
                row[i] = field_text(get_field(x, i));
            }
            const auto m = clusters.of(x.id);
            row[fields.size()] = std::string(m.cluster);
            row[fields.size() + 1] = std::to_string(m.size);
            write_csv_record(out, row, ',', options.csv_formulas);
            counted();
        });
    } else if (format == "json" || format == "geojson") {
        const bool geo = format == "geojson";
        out << (geo ? "{\"type\":\"FeatureCollection\",\"features\":[" : "[");
        rows([&](const Incident &x) {
            const auto m = clusters.of(x.id);
            out << (written == 0 ? "\n" : ",\n");
            if (!geo) {
                out << properties(x, m).dump();
                counted();
                return;
            }
            nlohmann::ordered_json f;
            f["type"] = "Feature";
            f["id"] = x.id;
            if (x.place_lon && x.place_lat) {
                f["geometry"] = {{"type", "Point"}, {"coordinates", {*x.place_lon, *x.place_lat}}};
            } else {
                f["geometry"] = nullptr;
            }
            f["properties"] = properties(x, m);
            out << f.dump();
            counted();
        });
        out << (geo ? "\n]}\n" : "\n]\n");
    } else {
        std::vector<std::string> header = {"id",          "date", "event_type",
                                           "location",    "side", "admin2",
                                           "distance_km", "band", "fatalities"};
        // distance_km and fatalities are numbers: right-aligned.
        std::vector<bool> right = {false, false, false, false, false, false, true, false, true};
        if (options.clusters_only) {
            header.insert(header.begin(), "event_cluster");
            right.insert(right.begin(), false);
        }
        std::vector<std::vector<std::string>> table;
        rows([&](const Incident &x) {
            table.push_back(
                {x.id, x.event_date, x.event_type, x.location_text, x.side, x.admin2,
                 x.border_distance_m ? format_fixed(*x.border_distance_m / 1000.0, 3) : "", x.band,
                 x.fatalities_best ? std::to_string(*x.fatalities_best) : ""});
            if (options.clusters_only) {
                table.back().insert(table.back().begin(), std::string(clusters.of(x.id).cluster));
            }
            counted();
        });
        write_text_table(out, header, table, right);
    }
    out.flush();
    if (progress) {
        progress("incidents", written, total);
    }
    return written;
}

} // namespace borderwatch
