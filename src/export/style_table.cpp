#include "export/detail/style_table.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/json.hpp>

#include <fstream>

namespace borderwatch::detail {

std::filesystem::path style_table_path(const ExportStyles &styles) {
    return styles.dir / "kml_styles.json";
}

nlohmann::json load_style_table(const ExportStyles &styles) {
    const auto file = style_table_path(styles);
    std::ifstream in(file);
    if (!in) {
        throw DataError("style file '" + file.string() + "' is missing");
    }
    nlohmann::json j;
    try {
        j = parse_json(in, file.string(), /*allow_comments=*/true);
    } catch (const nlohmann::json::exception &e) {
        throw DataError("style file '" + file.string() + "': " + e.what());
    }
    if (!j.is_object() || !j.contains("layers") || !j.at("layers").is_object()) {
        throw DataError("style file '" + file.string() + "': no \"layers\" object");
    }
    return j;
}

} // namespace borderwatch::detail
