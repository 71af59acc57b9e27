#include <borderwatch/core/csv.hpp>

#include <borderwatch/core/error.hpp>

#include <algorithm>
#include <cctype>

namespace borderwatch {

CsvReader::CsvReader(std::istream &input, std::string file_name, char separator)
    : m_lines(input), m_file_name(std::move(file_name)), m_separator(separator) {}

std::optional<CsvRecord> CsvReader::next() {
    CsvRecord record;
    record.fields.reserve(m_fields_hint);
    if (!next(record)) {
        return std::nullopt;
    }
    return record;
}

bool CsvReader::next(CsvRecord &record) {
    std::string &line = m_buffer; // reused: no allocation per record
    while (true) {
        if (!m_lines.next(line)) {
            return false;
        }
        if (m_first) {
            m_first = false;
            if (line.rfind("\xEF\xBB\xBF", 0) == 0) {
                line.erase(0, 3);
            }
        }
        if (!line.empty()) {
            break;
        }
    }
    if (m_separator == detect_separator) {
        m_separator = detect_delimiter(line);
    }

    record.line = m_lines.line_number();
    // Fields are written into the record's existing strings (their capacity is reused when
    // the caller passes the same record again); `count` of them are in use.
    std::size_t count = 0;
    auto next_field = [&record, &count]() -> std::string & {
        if (count == record.fields.size()) {
            record.fields.emplace_back();
        }
        auto &f = record.fields[count++];
        f.clear();
        return f;
    };
    std::string *field = &next_field();
    bool in_quotes = false;
    bool field_was_quoted = false;
    // Copies runs of plain characters at once (find the next quote / separator) rather than
    // character by character: CSV parsing is on the hot path of every import.
    std::size_t pos = 0;
    while (true) {
        if (pos >= line.size()) {
            if (!in_quotes) {
                break;
            }
            // Quoted field continues on the next physical line.
            if (!m_lines.next(line)) {
                throw InputError({m_file_name, record.line, count, ""},
                                 "unterminated quoted field");
            }
            *field += '\n';
            pos = 0;
            continue;
        }
        if (in_quotes) {
            const auto quote = line.find('"', pos);
            if (quote == std::string::npos) {
                field->append(line, pos, std::string::npos);
                pos = line.size();
                continue;
            }
            field->append(line, pos, quote - pos);
            pos = quote + 1;
            if (pos < line.size() && line[pos] == '"') {
                *field += '"';
                ++pos;
            } else {
                in_quotes = false;
            }
            continue;
        }
        const char c = line[pos];
        if (c == '"' && field->empty() && !field_was_quoted) {
            in_quotes = true;
            field_was_quoted = true;
            ++pos;
        } else if (c == m_separator) {
            field = &next_field();
            field_was_quoted = false;
            ++pos;
        } else {
            // A plain run up to the next separator: once the field is non-empty a quote in it
            // is an ordinary character.
            auto end = line.find(m_separator, pos + 1);
            if (end == std::string::npos) {
                end = line.size();
            }
            field->append(line, pos, end - pos);
            pos = end;
        }
    }
    record.fields.resize(count);
    m_fields_hint = count;
    return true;
}

std::optional<std::size_t> find_column(const std::vector<std::string> &header,
                                       std::initializer_list<std::string_view> names) {
    const auto iequals = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() &&
               std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return std::tolower(static_cast<unsigned char>(x)) ==
                          std::tolower(static_cast<unsigned char>(y));
               });
    };
    for (const auto name : names) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (iequals(header[i], name)) {
                return i;
            }
        }
    }
    return std::nullopt;
}

std::string csv_escape(std::string_view field, char separator, CsvFormulas formulas) {
    std::string out;
    append_csv_field(out, field, separator, formulas);
    return out;
}

void write_csv_record(std::ostream &out, const std::vector<std::string> &fields, char separator,
                      CsvFormulas formulas) {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) {
            line.push_back(separator);
        }
        append_csv_field(line, fields[i], separator, formulas);
    }
    line.push_back('\n');
    out << line;
}

} // namespace borderwatch
