#pragma once
// The style table every presentation format draws from: `<styles.dir>/kml_styles.json`
// (generated with the QGIS .qml files by styles/generate_styles.py). KML turns it into
// <Style> elements, the HTML map into its symbols and legend; neither keeps colours itself.

#include <borderwatch/export/feature.hpp>

#include <nlohmann/json.hpp>

namespace borderwatch::detail {

/// Path of the style table in @p styles.
[[nodiscard]] std::filesystem::path style_table_path(const ExportStyles &styles);

/// The parsed style table (comments allowed), members in the file's order (the order of the
/// categories is the order of the legends).
/// @throws DataError if the file is missing or not JSON with a "layers" object
[[nodiscard]] nlohmann::ordered_json load_style_table(const ExportStyles &styles);

} // namespace borderwatch::detail
