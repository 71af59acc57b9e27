#pragma once
/// @file
/// Escaping text for the JSON, XML and SQL that borderwatch writes by hand (GeoJSON, KML,
/// JSON output of the commands, GeoPackage and PostGIS DDL). The JSON/XML ones append to a
/// string so streaming writers do not allocate.

#include <string>
#include <string_view>

namespace borderwatch {

/// Append @p text as a JSON string body (no quotes); control characters as \u00XX.
/// Invalid UTF-8 is passed through byte by byte (inputs are validated on import).
void append_json_escaped(std::string &out, std::string_view text);

/// Append @p text escaped for XML character data and attribute values (&, <, >, ", ');
/// characters not allowed in XML 1.0 (C0 controls except tab/LF/CR) are dropped.
void append_xml_escaped(std::string &out, std::string_view text);

/// @p text as a quoted JSON string.
[[nodiscard]] std::string json_quoted(std::string_view text);

/// @p text as an SQL identifier: in double quotes, inner double quotes doubled.
[[nodiscard]] std::string sql_identifier(std::string_view text);

/// @p text as an SQL string literal: in single quotes, inner single quotes doubled.
[[nodiscard]] std::string sql_literal(std::string_view text);

} // namespace borderwatch
