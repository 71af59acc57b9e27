// The update config (TOML via toml++): parsed strictly — unknown keys and wrong types are
// usage errors naming the file and key, because a typo in a cron job's config would
// otherwise be silently ignored for months.

#include <borderwatch/schedule/update.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>
#include <borderwatch/core/sha256.hpp>
#include <borderwatch/core/text_input.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/stats/bands.hpp>
#include <borderwatch/store/store.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace borderwatch {

namespace {

class ConfigReader {
  public:
    ConfigReader(const toml::table &root, std::string file)
        : m_root(root), m_file(std::move(file)) {}

    [[noreturn]] void fail(const std::string &key, const std::string &message) const {
        throw UsageError(m_file + ": key '" + key + "': " + message);
    }

    void check_keys(const toml::table &table, const std::string &prefix,
                    const std::set<std::string> &allowed) const {
        for (const auto &[key, node] : table) {
            if (allowed.count(std::string(key.str())) == 0) {
                fail(prefix + std::string(key.str()), "unknown key");
            }
        }
    }

    [[nodiscard]] const toml::table *table(const char *name) const {
        const auto *node = m_root.get(name);
        if (node == nullptr) {
            return nullptr;
        }
        if (!node->is_table()) {
            fail(name, "must be a table [" + std::string(name) + "]");
        }
        return node->as_table();
    }

    [[nodiscard]] std::optional<std::string> text(const toml::table *t, const std::string &prefix,
                                                  const char *key) const {
        if (t == nullptr || t->get(key) == nullptr) {
            return std::nullopt;
        }
        const auto v = t->get(key)->value<std::string>();
        if (!v) {
            fail(prefix + key, "must be a string");
        }
        check_text(*t->get(key), prefix + key, *v);
        return v;
    }

    /// The core/utf8 rule for a string value (TOML escapes such as \u0000 can carry NUL and
    /// control characters): `FILE:LINE: field 'key': NUL at byte N`.
    void check_text(const toml::node &node, const std::string &key, const std::string &v) const {
        if (const auto issue = find_text_issue(v)) {
            throw UsageError(
                SourceLocation{m_file, static_cast<std::size_t>(node.source().begin.line), 0, key}
                    .to_string() +
                " " + describe_text_issue(*issue));
        }
    }

    [[nodiscard]] std::optional<double> number(const toml::table *t, const std::string &prefix,
                                               const char *key) const {
        if (t == nullptr || t->get(key) == nullptr) {
            return std::nullopt;
        }
        const auto *node = t->get(key);
        if (!node->is_number()) {
            fail(prefix + key, "must be a number");
        }
        return node->value<double>();
    }

    [[nodiscard]] std::optional<bool> boolean(const toml::table *t, const std::string &prefix,
                                              const char *key) const {
        if (t == nullptr || t->get(key) == nullptr) {
            return std::nullopt;
        }
        const auto *node = t->get(key);
        if (!node->is_boolean()) {
            fail(prefix + key, "must be true or false");
        }
        return node->value<bool>();
    }

    [[nodiscard]] std::optional<std::vector<std::string>>
    texts(const toml::table *t, const std::string &prefix, const char *key) const {
        if (t == nullptr || t->get(key) == nullptr) {
            return std::nullopt;
        }
        const auto *node = t->get(key);
        std::vector<std::string> out;
        if (node->is_string()) {
            out.push_back(*node->value<std::string>());
            check_text(*node, prefix + key, out.back());
            return out;
        }
        if (!node->is_array()) {
            fail(prefix + key, "must be a string or an array of strings");
        }
        for (const auto &item : *node->as_array()) {
            const auto v = item.value<std::string>();
            if (!v) {
                fail(prefix + key, "must be an array of strings");
            }
            check_text(item, prefix + key, *v);
            out.push_back(*v);
        }
        return out;
    }

    [[nodiscard]] std::optional<std::vector<double>>
    numbers(const toml::table *t, const std::string &prefix, const char *key) const {
        if (t == nullptr || t->get(key) == nullptr) {
            return std::nullopt;
        }
        const auto *node = t->get(key);
        if (!node->is_array()) {
            fail(prefix + key, "must be an array of numbers");
        }
        std::vector<double> out;
        for (const auto &item : *node->as_array()) {
            if (!item.is_number()) {
                fail(prefix + key, "must be an array of numbers");
            }
            out.push_back(*item.value<double>());
        }
        return out;
    }

    [[nodiscard]] const toml::table &root() const noexcept { return m_root; }

  private:
    const toml::table &m_root;
    std::string m_file;
};

/// toml++ limits nested arrays and inline tables (TOML_MAX_NESTED_VALUES) but not dotted keys:
/// `a.a.a…` 100,000 parts deep builds tables whose destruction overflows the stack. Count
/// the key separators on each line (dots outside strings and comments that are not inside a
/// number) and refuse before parsing. @return the 1-based line that has too many, or 0.
std::size_t line_with_deep_dotted_key(std::string_view text, std::size_t max_parts) {
    std::size_t line = 1;
    std::size_t dots = 0;
    std::string_view open_multiline; // the triple quote while inside a multi-line string
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            dots = 0;
            continue;
        }
        if (!open_multiline.empty()) {
            if (c == '\\' && open_multiline.front() == '"') {
                ++i;
            } else if (text.substr(i, 3) == open_multiline) {
                i += 2;
                open_multiline = {};
            }
            continue;
        }
        if (c == '#') {
            while (i + 1 < text.size() && text[i + 1] != '\n') {
                ++i;
            }
        } else if (c == '"' || c == '\'') {
            const std::string_view triple =
                c == '"' ? std::string_view("\"\"\"") : std::string_view("'''");
            if (text.substr(i, 3) == triple) {
                open_multiline = triple;
                i += 2;
                continue;
            }
            for (++i; i < text.size() && text[i] != c && text[i] != '\n'; ++i) {
                i += (c == '"' && text[i] == '\\') ? 1 : 0;
            }
            if (i < text.size() && text[i] == '\n') {
                --i; // unterminated: the parser reports it
            }
        } else if (c == '.' &&
                   !(i > 0 && digit(text[i - 1]) && i + 1 < text.size() && digit(text[i + 1]))) {
            if (++dots >= max_parts) {
                return line;
            }
        }
    }
    return 0;
}

std::filesystem::path resolve(const std::filesystem::path &base, const std::string &p) {
    const std::filesystem::path path(p);
    return path.is_absolute() ? path : (base / path).lexically_normal();
}

} // namespace

UpdateConfig parse_update_config(const std::string &toml_text,
                                 const std::filesystem::path &base_dir,
                                 const std::string &file_name) {
    constexpr std::size_t max_key_parts = 64;
    if (const auto line = line_with_deep_dotted_key(toml_text, max_key_parts)) {
        throw UsageError(file_name + ":" + std::to_string(line) + ": a key with more than " +
                         std::to_string(max_key_parts) + " dotted parts; refusing to read it");
    }
    // The one text rule before the TOML parser sees the bytes: invalid UTF-8, NUL or a control
    // character anywhere is named by line, with its byte in that line.
    if (const auto issue = find_text_issue(toml_text)) {
        const auto line_start = toml_text.rfind('\n', issue->byte == 0 ? 0 : issue->byte - 1);
        const std::size_t start =
            line_start == std::string::npos || issue->byte == 0 ? 0 : line_start + 1;
        auto in_line = *issue;
        in_line.byte = issue->byte - start;
        const auto line = 1 + static_cast<std::size_t>(std::count(
                                  toml_text.begin(),
                                  toml_text.begin() + static_cast<std::ptrdiff_t>(start), '\n'));
        throw UsageError(SourceLocation{file_name, line, 0, {}}.to_string() + " " +
                         describe_text_issue(in_line));
    }
    toml::table root;
    try {
        root = toml::parse(toml_text, file_name);
    } catch (const toml::parse_error &e) {
        const auto &where = e.source().begin;
        throw UsageError(file_name + ":" + std::to_string(where.line) + ":" +
                         std::to_string(where.column) + ": " + std::string(e.description()));
    }
    const ConfigReader r(root, file_name);
    r.check_keys(root, "", {"store", "inputs", "export", "filter", "lock"});

    UpdateConfig c;
    c.config_file = file_name;
    const auto store = r.text(&root, "", "store");
    if (!store || store->empty()) {
        r.fail("store", "required (a .gpkg path or PG:... connection)");
    }
    c.store = is_postgis_spec(*store) ? *store : resolve(base_dir, *store).string();

    const auto *inputs = r.table("inputs");
    if (inputs != nullptr) {
        r.check_keys(
            *inputs, "inputs.",
            {"paths", "articles", "deletions", "extensions", "format", "encoding", "delimiter"});
        for (const auto &p :
             r.texts(inputs, "inputs.", "paths").value_or(std::vector<std::string>{})) {
            c.inputs.push_back(resolve(base_dir, p));
        }
        for (const auto &p :
             r.texts(inputs, "inputs.", "articles").value_or(std::vector<std::string>{})) {
            c.articles.push_back(resolve(base_dir, p));
        }
        for (const auto &p :
             r.texts(inputs, "inputs.", "deletions").value_or(std::vector<std::string>{})) {
            c.deletions.push_back(resolve(base_dir, p));
        }
        if (auto ext = r.texts(inputs, "inputs.", "extensions")) {
            c.extensions.clear();
            for (auto e : *ext) {
                if (!e.empty() && e[0] == '.') {
                    e.erase(0, 1);
                }
                c.extensions.push_back(e);
            }
        }
        c.input_format = r.text(inputs, "inputs.", "format").value_or("auto");
        static const std::set<std::string> formats = {"auto", "native", "acled", "ucdp", "geojson"};
        if (formats.count(c.input_format) == 0) {
            r.fail("inputs.format", "must be one of auto, native, acled, ucdp, geojson");
        }
        if (auto encoding = r.text(inputs, "inputs.", "encoding"); encoding && !encoding->empty()) {
            try {
                (void)check_encoding(*encoding);
            } catch (const UsageError &e) {
                r.fail("inputs.encoding", e.what());
            }
            c.input_text.encoding = *encoding;
        }
        if (auto delimiter = r.text(inputs, "inputs.", "delimiter")) {
            try {
                c.input_text.delimiter = parse_delimiter(*delimiter);
            } catch (const UsageError &e) {
                r.fail("inputs.delimiter", e.what());
            }
        }
    }

    const auto *exp = r.table("export");
    if (exp == nullptr) {
        r.fail("export", "required table [export] with dir = \"...\"");
    }
    r.check_keys(*exp, "export.", {"dir", "formats", "border", "sector_km", "bands_km", "link"});
    const auto dir = r.text(exp, "export.", "dir");
    if (!dir || dir->empty()) {
        r.fail("export.dir", "required");
    }
    c.export_dir = resolve(base_dir, *dir);
    if (auto formats = r.texts(exp, "export.", "formats")) {
        std::string list;
        for (const auto &f : *formats) {
            list += (list.empty() ? "" : ",") + f;
        }
        try {
            c.formats = parse_export_formats(list);
        } catch (const UsageError &e) {
            r.fail("export.formats", e.what());
        }
    }
    c.border = r.text(exp, "export.", "border").value_or("TJK-AFG");
    c.sector_km = r.number(exp, "export.", "sector_km").value_or(50.0);
    c.link.automatic = r.boolean(exp, "export.", "link").value_or(true);
    if (!(c.sector_km > 0)) {
        r.fail("export.sector_km", "must be > 0");
    }
    // The one band syntax (parse_band_edges): "0,1,5,10,25,50" as --bands, or the same edges
    // as an array of numbers.
    if (const auto *node = exp->get("bands_km")) {
        const auto numbers =
            node->is_string() ? std::nullopt : r.numbers(exp, "export.", "bands_km");
        try {
            c.bands = distance_bands(numbers ? band_edges_from_km(*numbers, {})
                                             : parse_band_edges(*node->value<std::string>(), {}));
        } catch (const UsageError &e) {
            r.fail("export.bands_km", e.what());
        }
    }

    if (const auto *f = r.table("filter")) {
        r.check_keys(*f, "filter.",
                     {"within_km", "beyond_km", "side", "admin1", "admin2", "near", "km", "bbox",
                      "from", "to", "type", "min_fatalities", "precision_max"});
        c.filter.within_km = r.number(f, "filter.", "within_km");
        c.filter.beyond_km = r.number(f, "filter.", "beyond_km");
        c.filter.side = r.text(f, "filter.", "side").value_or("");
        c.filter.admin1 = r.texts(f, "filter.", "admin1").value_or(std::vector<std::string>{});
        c.filter.admin2 = r.texts(f, "filter.", "admin2").value_or(std::vector<std::string>{});
        c.filter.near = r.text(f, "filter.", "near").value_or("");
        c.filter.near_km = r.number(f, "filter.", "km");
        c.filter.bbox = r.text(f, "filter.", "bbox").value_or("");
        c.filter.from_date = r.text(f, "filter.", "from").value_or("");
        c.filter.to_date = r.text(f, "filter.", "to").value_or("");
        c.filter.event_types = r.texts(f, "filter.", "type").value_or(std::vector<std::string>{});
        if (auto n = r.number(f, "filter.", "min_fatalities")) {
            c.filter.min_fatalities = static_cast<int>(*n);
        }
        if (auto n = r.number(f, "filter.", "precision_max")) {
            c.filter.precision_max = static_cast<int>(*n);
        }
        try {
            validate_filter_spec(c.filter);
        } catch (const UsageError &e) {
            throw UsageError(file_name + ": [filter]: " + e.what());
        }
    }

    if (const auto *l = r.table("lock")) {
        r.check_keys(*l, "lock.", {"mode", "timeout_s", "file"});
        const auto mode = r.text(l, "lock.", "mode").value_or("wait");
        if (mode == "wait") {
            c.lock_mode = LockMode::wait;
        } else if (mode == "fail") {
            c.lock_mode = LockMode::fail;
        } else {
            r.fail("lock.mode", "must be \"wait\" or \"fail\"");
        }
        if (auto t = r.number(l, "lock.", "timeout_s")) {
            if (!(*t >= 0)) {
                r.fail("lock.timeout_s", "must be >= 0");
            }
            c.lock_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*t * 1000));
        }
        if (auto file = r.text(l, "lock.", "file")) {
            c.lock_file = resolve(base_dir, *file);
        }
    }
    if (c.lock_file.empty()) {
        c.lock_file = c.export_dir / ".borderwatch-update.lock";
    }
    if (c.state_file.empty()) {
        c.state_file = is_postgis_spec(c.store)
                           ? c.export_dir / ".borderwatch-update-state.json"
                           : std::filesystem::path(c.store + ".update-state.json");
    }
    return c;
}

UpdateConfig load_update_config(const std::filesystem::path &file) {
    std::ifstream in = open_input_file(file); // IoError: "cannot open 'FILE': reason"
    std::ostringstream ss;
    ss << in.rdbuf();
    const auto base = std::filesystem::absolute(file).parent_path();
    auto c = parse_update_config(ss.str(), base, file.string());
    c.config_file = file;
    return c;
}

std::string export_settings_hash(const UpdateConfig &c) {
    std::string key = "formats:";
    for (const auto f : c.formats) {
        key += std::string(to_string(f)) + ",";
    }
    key += "|border:" + c.border + "|sector_km:" + std::to_string(c.sector_km) + "|bands:";
    for (const auto &b : c.bands) {
        key += b.label() + ",";
    }
    key += "|filter:" + c.filter.describe();
    if (!c.link.automatic) {
        key += "|no-link";
    }
    return sha256_hex(key).substr(0, 16);
}

} // namespace borderwatch
