// CSV with a WKT geometry column (the layout GDAL's CSV driver and spreadsheets read):
// one file per layer, streaming, RFC 4180 quoting.

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/export/feature.hpp>

#include "export/detail/per_layer_files.hpp"
#include "export/detail/text.hpp"

#include <tuple>

namespace borderwatch {

namespace {

constexpr int k_decimals = 7;

void append_csv_field(std::string &out, std::string_view field) {
    bool quote = !field.empty() && (field.front() == ' ' || field.back() == ' ');
    for (const char c : field) {
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out.append(field);
        return;
    }
    out.push_back('"');
    for (const char c : field) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

class CsvLayer final : public LayerWriter {
  public:
    CsvLayer(const std::filesystem::path &dir, LayerSchema schema)
        : m_schema(std::move(schema)), m_file(dir / (m_schema.name + ".csv")),
          m_out(m_file.stream()) {
        m_out.enable_writeback(m_file.temp_path());
        auto &s = m_out.str();
        s += "WKT";
        for (const auto &field : m_schema.fields) {
            s.push_back(',');
            append_csv_field(s, field.name);
        }
        s.push_back('\n');
    }

    void write(const Feature &feature) override {
        auto &s = m_out.str();
        m_scratch.clear();
        detail::append_wkt(m_scratch, feature.geometry, k_decimals);
        append_csv_field(s, m_scratch);
        for (std::size_t i = 0; i < m_schema.fields.size(); ++i) {
            s.push_back(',');
            if (i >= feature.values.size()) {
                continue;
            }
            const auto &value = feature.values[i];
            if (const auto *text = std::get_if<std::string_view>(&value)) {
                append_csv_field(s, *text);
            } else {
                detail::append_value_text(s, value);
            }
        }
        s.push_back('\n');
        ++m_count;
        m_out.maybe_flush();
    }

    [[nodiscard]] std::uint64_t count() const noexcept override { return m_count; }
    void finish() {
        std::tie(m_sha256, m_bytes) = m_out.finish();
        detail::flush_and_sync(m_file);
    }
    void commit() { m_file.commit(); }
    [[nodiscard]] OutputFile output() const {
        return OutputFile{m_file.target(), "csv", {{m_schema.name, m_count}}, m_sha256, m_bytes};
    }

  private:
    LayerSchema m_schema;
    AtomicFile m_file;
    detail::OutBuffer m_out;
    std::string m_scratch;
    std::uint64_t m_count = 0;
    std::string m_sha256;
    std::uint64_t m_bytes = 0;
};

} // namespace

std::unique_ptr<FormatWriter> make_csv_writer(const std::filesystem::path &dir) {
    return std::make_unique<detail::PerLayerFileWriter<CsvLayer>>(dir);
}

} // namespace borderwatch
