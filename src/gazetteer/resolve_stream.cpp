// resolve_stream(): read queries in batches, resolve them on worker threads, write them in
// input order (core/ordered_pipeline). JSON is streamed as the same bytes
// nlohmann::json::dump(2) gives for the whole array: each entry dumped alone and indented.

#include <borderwatch/gazetteer/resolve_stream.hpp>

#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/core/ordered_pipeline.hpp>
#include <borderwatch/core/text_table.hpp>
#include <borderwatch/core/utf8.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <ostream>

namespace borderwatch {

const std::vector<std::string> &resolve_columns() {
    static const std::vector<std::string> columns{
        "query",  "name", "matched", "id",    "kind",      "country",   "admin1",
        "admin2", "lon",  "lat",     "score", "precision", "ambiguous", "suggestions"};
    return columns;
}

namespace {

constexpr std::size_t k_batch = 256;

struct Query {
    std::string text;
    SourceLocation where;
    bool invalid_utf8 = false;
    std::optional<ResolveResult> result; ///< empty: rejected (see error)
    std::string error;
};

using Batch = std::vector<Query>;

/// The queries of the options: the arguments, or the lines of the input (BOM dropped).
class QueryReader {
  public:
    explicit QueryReader(const ResolveStreamOptions &options) : m_options(options) {
        if (!options.input.empty()) {
            // Same text input as every reader: --encoding, the UTF-16 check, LF/CRLF/CR.
            m_input = std::make_unique<TextInput>(options.input, options.text.encoding);
            m_lines = std::make_unique<LineReader>(*m_input);
        }
    }

    /// Up to k_batch queries into @p batch (reusing its strings); false when none is left.
    bool read(Batch &batch) {
        batch.resize(k_batch);
        std::size_t n = 0;
        while (n < k_batch && next(batch[n])) {
            ++n;
        }
        batch.resize(n);
        return n > 0;
    }

    [[nodiscard]] std::size_t total_known() const noexcept {
        return m_lines ? 0 : m_options.queries.size();
    }

  private:
    bool next(Query &q) {
        q.result.reset();
        q.error.clear();
        if (!m_lines) {
            if (m_next >= m_options.queries.size()) {
                return false;
            }
            q.text = m_options.queries[m_next];
            q.where = {"argument " + std::to_string(m_next + 1), 0, 0, "query"};
            ++m_next;
            return true;
        }
        if (!m_lines->next(q.text)) {
            return false;
        }
        if (m_lines->line_number() == 1 && q.text.rfind("\xEF\xBB\xBF", 0) == 0) {
            q.text.erase(0, 3);
        }
        q.where = {m_options.input, m_lines->line_number(), 0, "query"};
        return true;
    }

    const ResolveStreamOptions &m_options;
    std::unique_ptr<TextInput> m_input;
    std::unique_ptr<LineReader> m_lines;
    std::size_t m_next = 0;
};

void append_rows(const Query &q, std::vector<std::vector<std::string>> &rows) {
    const auto &result = *q.result;
    for (const auto &m : result.candidates) {
        rows.push_back({m.query, m.name, m.matched, m.id, m.kind, m.country, m.admin1, m.admin2,
                        format_fixed(m.lon, 6), format_fixed(m.lat, 6), format_fixed(m.score, 3),
                        std::to_string(m.precision), m.ambiguous ? "true" : "false", ""});
    }
    if (!result.matched) {
        std::string suggestions;
        for (const auto &s : result.suggestions) {
            suggestions += (suggestions.empty() ? "" : "; ") + s;
        }
        rows.push_back({q.text, "", "", "", "", "", "", "", "", "", "0", "", "false", suggestions});
    }
}

nlohmann::ordered_json json_entry(const Query &q) {
    const auto &result = *q.result;
    nlohmann::ordered_json entry;
    entry["query"] = q.text;
    entry["matched"] = result.matched;
    entry["candidates"] = nlohmann::ordered_json::array();
    for (const auto &m : result.candidates) {
        nlohmann::ordered_json c;
        c["name"] = m.name;
        c["matched"] = m.matched;
        c["id"] = m.id;
        c["kind"] = m.kind;
        c["country"] = m.country;
        c["admin1"] = m.admin1;
        c["admin2"] = m.admin2;
        c["lon"] = m.lon;
        c["lat"] = m.lat;
        c["score"] = m.score;
        c["precision"] = m.precision;
        c["ambiguous"] = m.ambiguous;
        entry["candidates"].push_back(std::move(c));
    }
    entry["suggestions"] = result.suggestions;
    return entry;
}

/// Writes results in one format as they come.
class ResultWriter {
  public:
    ResultWriter(const ResolveStreamOptions &options, std::ostream &out)
        : m_format(options.format), m_formulas(options.csv_formulas), m_out(out) {
        if (m_format == "csv") {
            write_csv_record(m_out, resolve_columns(), ',', m_formulas);
        } else if (m_format != "json" && m_format != "table") {
            throw UsageError("resolve: unknown format '" + m_format +
                             "' (choose from table, csv, json)");
        }
    }

    void write(const Query &q) {
        if (m_format == "json") {
            // dump(2) of the entry, indented one level: the bytes of the whole array's dump(2)
            // (JSON strings hold no raw newline, so every '\n' starts a line).
            const std::string text = json_entry(q).dump(2);
            m_out << (m_entries == 0 ? "[\n  " : ",\n  ");
            std::size_t start = 0;
            for (std::size_t nl = text.find('\n'); nl != std::string::npos;
                 nl = text.find('\n', start)) {
                m_out.write(text.data() + start, static_cast<std::streamsize>(nl + 1 - start));
                m_out << "  ";
                start = nl + 1;
            }
            m_out.write(text.data() + start, static_cast<std::streamsize>(text.size() - start));
        } else {
            m_rows.clear();
            append_rows(q, m_format == "table" ? m_table : m_rows);
            for (const auto &row : m_rows) {
                write_csv_record(m_out, row, ',', m_formulas);
            }
        }
        ++m_entries;
    }

    void finish() {
        if (m_format == "json") {
            m_out << (m_entries == 0 ? "[]\n" : "\n]\n");
        } else if (m_format == "table") {
            write_text_table(m_out, resolve_columns(), m_table);
        }
        m_out.flush();
    }

  private:
    std::string m_format;
    CsvFormulas m_formulas;
    std::ostream &m_out;
    std::size_t m_entries = 0;
    std::vector<std::vector<std::string>> m_rows;  // csv: one query's rows
    std::vector<std::vector<std::string>> m_table; // table: every row (column widths)
};

} // namespace

ResolveStreamResult resolve_stream(const Gazetteer &gazetteer, const ResolveStreamOptions &options,
                                   std::ostream &out, const ResolveMessages &messages,
                                   const ProgressCallback &progress) {
    QueryReader reader(options);
    ResultWriter writer(options, out);
    ResolveStreamResult result;
    std::size_t invalid_utf8 = 0; // for the --encoding hint
    // The lines are scanned for invalid UTF-8 only when the hint can be given.
    const bool hint_possible = options.hints && !options.input.empty() &&
                               options.text.encoding.empty() && static_cast<bool>(messages);

    run_ordered_pipeline<Batch>(
        options.threads, [&](Batch &batch) { return reader.read(batch); },
        [&](Batch &batch) {
            for (auto &q : batch) {
                q.invalid_utf8 = false;
                if (hint_possible) {
                    const auto issue = find_text_issue(q.text);
                    q.invalid_utf8 = issue && issue->kind == TextIssueKind::invalid_utf8;
                }
                try {
                    q.result = gazetteer.resolve(q.text, options.resolve);
                } catch (const InputError &e) {
                    q.error = q.where.to_string() + ' ' + e.message();
                }
            }
        },
        [&](const Batch &batch) {
            for (const auto &q : batch) {
                ++result.queries;
                invalid_utf8 += q.invalid_utf8 ? 1 : 0;
                if (!q.result) {
                    ++result.rejected;
                    if (messages) {
                        messages(q.error);
                    }
                    continue;
                }
                writer.write(q);
            }
            if (progress) {
                progress("queries", result.queries, reader.total_known());
            }
        });
    writer.finish();
    if (hint_possible) {
        if (const auto hint = encoding_hint(options.input, invalid_utf8, result.queries);
            !hint.empty()) {
            messages("resolve: hint: " + hint);
        }
    }
    return result;
}

} // namespace borderwatch
