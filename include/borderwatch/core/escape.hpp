#pragma once
/// @file
/// Escaping text for the JSON, XML, CSV and SQL that borderwatch writes by hand (GeoJSON, KML,
/// JSON output of the commands, every CSV output, GeoPackage and PostGIS DDL). The
/// JSON/XML/CSV ones append to a string so streaming writers do not allocate.

#include <cstdint>
#include <string>
#include <string_view>

namespace borderwatch {

/// Append @p text as a JSON string body (no quotes); control characters as \u00XX.
/// Invalid UTF-8 is passed through byte by byte (inputs are validated on import).
void append_json_escaped(std::string &out, std::string_view text);

/// Append @p text escaped for XML character data and attribute values (&, <, >, ", ');
/// characters not allowed in XML 1.0 (C0 controls except tab/LF/CR) are dropped.
void append_xml_escaped(std::string &out, std::string_view text);

/// What CSV writers do with a cell a spreadsheet would run as a formula (CSV injection,
/// https://owasp.org/www-community/attacks/CSV_Injection).
enum class CsvFormulas : std::uint8_t {
    /// A cell for which csv_formula_risk() holds is written as "'..." (a single quote
    /// prefixed, inside a quoted field), as OWASP recommends: spreadsheets show it as text.
    neutralise,
    /// Every cell as it is (files read back by programs, e.g. import --rejects).
    raw,
};

/// True when a spreadsheet would read @p cell as a formula: it starts with '=', '+', '-',
/// '@', TAB or CR, and is not a plain decimal number ("-12.5", "+3", "-1.5e-07" are numbers
/// and stay as they are, so numeric columns are never altered).
[[nodiscard]] bool csv_formula_risk(std::string_view cell) noexcept;

/// Append @p cell as one CSV field (RFC 4180): in double quotes (inner quotes doubled) when it
/// holds @p separator, a quote, CR or LF, or starts or ends with a space; with
/// CsvFormulas::neutralise a formula-like cell (csv_formula_risk) becomes "'cell".
/// The one CSV quoting rule: csv_escape(), write_csv_record() and the export writer use it.
void append_csv_field(std::string &out, std::string_view cell, char separator = ',',
                      CsvFormulas formulas = CsvFormulas::neutralise);

/// True when append_csv_field() writes @p cell as it is (no quotes, nothing neutralised):
/// writers of many rows check it and copy such cells in one go.
[[nodiscard]] bool csv_field_is_plain(std::string_view cell, char separator = ',',
                                      CsvFormulas formulas = CsvFormulas::neutralise) noexcept;

/// @p text as a quoted JSON string.
[[nodiscard]] std::string json_quoted(std::string_view text);

/// @p text as an SQL identifier: in double quotes, inner double quotes doubled.
[[nodiscard]] std::string sql_identifier(std::string_view text);

/// @p text as an SQL string literal: in single quotes, inner single quotes doubled.
[[nodiscard]] std::string sql_literal(std::string_view text);

} // namespace borderwatch
