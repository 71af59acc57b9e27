#pragma once
/// @file
/// Streaming RFC 4180 CSV reading and writing. Records carry the physical line on
/// which they start, so errors can name FILE:LINE.

#include <borderwatch/core/escape.hpp>
#include <borderwatch/core/text_input.hpp>

#include <cstddef>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// One parsed CSV record.
struct CsvRecord {
    std::vector<std::string> fields;
    std::size_t line = 0; ///< 1-based physical line where the record starts
};

/// Reads records one at a time; quoted fields may contain separators, quotes ("")
/// and newlines. Lines may end in LF, CRLF or a lone CR (core/text_input LineReader). A UTF-8
/// byte-order mark at the start is skipped. Does not own the stream, and reads it ahead.
class CsvReader {
  public:
    /// Separator value that means: detect it from the first line (detect_delimiter()).
    static constexpr char detect_separator = '\0';

    /// @param input stream to read; must outlive the reader
    /// @param file_name used only in error messages
    /// @param separator field separator (',' or '\t' or ';' or '|'), or detect_separator
    CsvReader(std::istream &input, std::string file_name, char separator = ',');

    /// Next record, or nullopt at end of input. Blank lines are skipped.
    /// @throws InputError on an unterminated quoted field
    [[nodiscard]] std::optional<CsvRecord> next();

    /// Same as next(), into @p record: its field strings are overwritten in place, so a
    /// record passed again and again costs no allocation per row (hot loops).
    /// @return false at end of input (the record is then unspecified)
    bool next(CsvRecord &record);

    [[nodiscard]] const std::string &file_name() const noexcept { return m_file_name; }
    /// The separator in use (after detection: valid once the first record was read).
    [[nodiscard]] char separator() const noexcept { return m_separator; }

  private:
    LineReader m_lines;
    std::string m_file_name;
    char m_separator;
    bool m_first = true;
    std::string m_buffer;          ///< the current physical line (reused)
    std::size_t m_fields_hint = 0; ///< fields of the previous record (reserve)
};

/// Index of a header column matching any of @p names (ASCII case-insensitive), or nullopt.
[[nodiscard]] std::optional<std::size_t> find_column(const std::vector<std::string> &header,
                                                     std::initializer_list<std::string_view> names);

/// One CSV field (append_csv_field in core/escape.hpp): quoted if it needs it (separator,
/// quote, CR/LF, leading/trailing space); formula-like cells neutralised unless
/// @p formulas is CsvFormulas::raw.
[[nodiscard]] std::string csv_escape(std::string_view field, char separator = ',',
                                     CsvFormulas formulas = CsvFormulas::neutralise);

/// Write one record followed by '\n' (fields as csv_escape()). Files meant to be read back
/// as input (reject files) pass CsvFormulas::raw so they re-import unchanged.
void write_csv_record(std::ostream &out, const std::vector<std::string> &fields,
                      char separator = ',', CsvFormulas formulas = CsvFormulas::neutralise);

} // namespace borderwatch
