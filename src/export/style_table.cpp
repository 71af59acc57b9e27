#include "export/detail/style_table.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/json.hpp>

#include <fstream>
#include <sstream>

namespace borderwatch::detail {

std::filesystem::path style_table_path(const ExportStyles &styles) {
    return styles.dir / "kml_styles.json";
}

nlohmann::ordered_json load_style_table(const ExportStyles &styles) {
    const auto file = style_table_path(styles);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw DataError("style file '" + file.string() + "' is missing");
    }
    std::ostringstream text;
    text << in.rdbuf();
    const auto content = text.str();
    if (const auto v = find_json_depth_violation(content)) {
        throw DataError("style file '" + file.string() + "': nested too deeply at line " +
                        std::to_string(v.line));
    }
    nlohmann::ordered_json j;
    try {
        j = nlohmann::ordered_json::parse(content, nullptr, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::exception &e) {
        throw DataError("style file '" + file.string() + "': " + e.what());
    }
    if (!j.is_object() || !j.contains("layers") || !j.at("layers").is_object()) {
        throw DataError("style file '" + file.string() + "': no \"layers\" object");
    }
    return j;
}

} // namespace borderwatch::detail
