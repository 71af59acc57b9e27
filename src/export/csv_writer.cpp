// CSV with a WKT geometry column (the layout GDAL's CSV driver and spreadsheets read):
// one file per layer, streaming, RFC 4180 quoting and CSV-injection neutralising of text cells
// (append_csv_field in core/escape).

#include <borderwatch/core/atomic_file.hpp>
#include <borderwatch/core/escape.hpp>
#include <borderwatch/export/feature.hpp>

#include "export/detail/per_layer_files.hpp"
#include "export/detail/text.hpp"

#include <tuple>

namespace borderwatch {

namespace {

constexpr int k_decimals = detail::k_coordinate_decimals;

class CsvLayer final : public LayerWriter {
  public:
    CsvLayer(const std::filesystem::path &dir, LayerSchema schema, CsvFormulas formulas)
        : m_schema(std::move(schema)), m_formulas(formulas), m_file(dir / (m_schema.name + ".csv")),
          m_out(m_file.stream()) {
        m_out.enable_writeback(m_file.temp_path());
        auto &s = m_out.str();
        s += "WKT";
        for (const auto &field : m_schema.fields) {
            s.push_back(',');
            append_csv_field(s, field.name, ',', m_formulas);
        }
        s.push_back('\n');
    }

    void write(const Feature &feature) override {
        auto &s = m_out.str();
        m_scratch.clear();
        detail::append_wkt(m_scratch, feature.geometry, k_decimals);
        append_csv_field(s, m_scratch, ',', CsvFormulas::raw); // WKT: never a formula
        for (std::size_t i = 0; i < m_schema.fields.size(); ++i) {
            s.push_back(',');
            if (i >= feature.values.size()) {
                continue;
            }
            const auto &value = feature.values[i];
            if (const auto *text = std::get_if<std::string_view>(&value)) {
                append_csv_field(s, *text, ',', m_formulas); // numbers below: as they are
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
    CsvFormulas m_formulas;
    AtomicFile m_file;
    detail::OutBuffer m_out;
    std::string m_scratch;
    std::uint64_t m_count = 0;
    std::string m_sha256;
    std::uint64_t m_bytes = 0;
};

} // namespace

std::unique_ptr<FormatWriter> make_csv_writer(const std::filesystem::path &dir,
                                              CsvFormulas formulas) {
    return std::make_unique<detail::PerLayerFileWriter<CsvLayer, CsvFormulas>>(dir, formulas);
}

} // namespace borderwatch
