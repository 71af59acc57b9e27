#pragma once
// A FormatWriter for formats that write one file per layer (GeoJSON, CSV): it owns the
// layers and forwards finish/commit to each. Layer must offer Layer(dir, schema, extra...),
// finish(), commit() and output(); @p extra are the writer's settings, passed to every layer.

#include <borderwatch/export/feature.hpp>

#include <filesystem>
#include <memory>
#include <tuple>
#include <vector>

namespace borderwatch::detail {

template <class Layer, class... Extra> class PerLayerFileWriter final : public FormatWriter {
  public:
    explicit PerLayerFileWriter(std::filesystem::path dir, Extra... extra)
        : m_dir(std::move(dir)), m_extra(std::move(extra)...) {}

    LayerWriter &open_layer(const LayerSchema &schema) override {
        m_layers.push_back(std::apply(
            [&](const Extra &...e) { return std::make_unique<Layer>(m_dir, schema, e...); },
            m_extra));
        return *m_layers.back();
    }
    void finish() override {
        for (auto &layer : m_layers) {
            layer->finish();
        }
    }
    void commit() override {
        for (auto &layer : m_layers) {
            layer->commit();
        }
    }
    [[nodiscard]] std::vector<OutputFile> files() const override {
        std::vector<OutputFile> out;
        for (const auto &layer : m_layers) {
            out.push_back(layer->output());
        }
        return out;
    }

  private:
    std::filesystem::path m_dir;
    std::tuple<Extra...> m_extra;
    std::vector<std::unique_ptr<Layer>> m_layers;
};

} // namespace borderwatch::detail
