#pragma once
// Pieces of the HTML map writer (html_writer.cpp) that tests check on their own: JSON text
// that is safe inside a <script> element, and Leaflet read from disk, made inert for a page
// that must not load anything.

#include <filesystem>
#include <string>
#include <string_view>

namespace borderwatch::detail {

/// Append @p text as the body of a JSON string (no quotes) that may sit inside an HTML
/// <script> element: JSON escaping, and every '<' as \u003c, so no "</script>" or "<!--"
/// can end or change the element whatever the text holds.
void append_script_json_escaped(std::string &out, std::string_view text);

/// Leaflet's script and stylesheet, ready to be inlined.
struct LeafletAssets {
    std::string js;  ///< leaflet.min.js (or leaflet.js), source-map comment removed
    std::string css; ///< leaflet.css, url(images/...) references replaced by `none`
    std::filesystem::path dir;
};

/// Read Leaflet from @p dir (Debian's libjs-leaflet layout). The script must not contain
/// "</script" nor the stylesheet "</style" (they could not be inlined).
/// @throws DataError naming the directory and the package to install
[[nodiscard]] LeafletAssets load_leaflet(const std::filesystem::path &dir);

/// The map page's own script and stylesheet (src/export/html_map.{js,css}, built in).
[[nodiscard]] std::string_view html_map_script();
[[nodiscard]] std::string_view html_map_stylesheet();

} // namespace borderwatch::detail
