#include "geodata/detail/cached_layers.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/paths.hpp>

#include "io/vector_features.hpp"

namespace borderwatch {

namespace detail {

namespace {

std::vector<VectorFeature> read_source(const std::filesystem::path &path,
                                       const std::vector<std::string> &field_names,
                                       const char *hint = "") {
    if (!std::filesystem::exists(path)) {
        throw DataError("reference data file missing: " + path.string() + hint);
    }
    return read_vector_features(path, field_names);
}

std::string polygon_layer_kind(const std::vector<std::string> &field_names) {
    std::string kind = "polygons:";
    for (const auto &name : field_names) {
        kind += name;
        kind += ',';
    }
    return kind;
}

} // namespace

PolygonLayer load_polygon_layer(const CacheSettings &settings, const std::filesystem::path &path,
                                const std::vector<std::string> &field_names,
                                CacheOutcome *outcome) {
    const auto build = [&] {
        auto features = read_source(path, field_names,
                                    " (run scripts/build-geodata or set BORDERWATCH_GEODATA)");
        ByteWriter out;
        out.put(static_cast<std::uint64_t>(features.size()));
        out.put(static_cast<std::uint64_t>(field_names.size()));
        PolygonGrid::Owners owners;
        owners.reserve(features.size());
        for (auto &f : features) {
            for (const auto &value : f.fields) {
                out.put_string(value);
            }
            owners.push_back(std::move(f.parts));
        }
        PolygonGrid(owners).save(out);
        return out.take();
    };
    const auto parse = [&](ByteReader &in) {
        PolygonLayer layer;
        const auto count = in.get<std::uint64_t>();
        const auto field_count = in.get<std::uint64_t>();
        if (field_count != field_names.size()) {
            throw CacheFormatError("polygon layer: other fields");
        }
        for (std::uint64_t i = 0; i < count; ++i) {
            std::vector<std::string> values;
            values.reserve(field_names.size());
            for (std::size_t k = 0; k < field_names.size(); ++k) {
                values.push_back(in.get_string());
            }
            layer.fields.push_back(std::move(values));
        }
        layer.grid = std::make_unique<PolygonGrid>(PolygonGrid::restore(in));
        if (!in.at_end() || layer.grid->owner_count() != count) {
            throw CacheFormatError("polygon layer: trailing or missing data");
        }
        return layer;
    };
    return load_cached(settings, path, polygon_layer_kind(field_names), build, parse, outcome);
}

std::vector<CanonicalBorder> load_canonical_borders(const CacheSettings &settings,
                                                    const std::filesystem::path &path,
                                                    CacheOutcome *outcome) {
    const auto build = [&] {
        const auto features =
            read_source(path, {"id", "left", "right", "source", "start_name", "end_name"});
        ByteWriter out;
        out.put(static_cast<std::uint64_t>(features.size()));
        for (const auto &f : features) {
            for (const auto &value : f.fields) {
                out.put_string(value);
            }
            std::uint64_t lines = 0;
            for (const auto &part : f.parts) {
                lines += part.empty() ? 0 : 1;
            }
            out.put(lines);
            for (const auto &part : f.parts) {
                if (!part.empty()) {
                    out.put_array(part.front());
                }
            }
        }
        return out.take();
    };
    const auto parse = [](ByteReader &in) {
        std::vector<CanonicalBorder> borders;
        const auto count = in.get<std::uint64_t>();
        for (std::uint64_t i = 0; i < count; ++i) {
            CanonicalBorder b;
            for (std::string *field :
                 {&b.id, &b.left, &b.right, &b.source, &b.start_name, &b.end_name}) {
                *field = in.get_string();
            }
            const auto lines = in.get<std::uint64_t>();
            for (std::uint64_t k = 0; k < lines; ++k) {
                b.parts.push_back(in.get_array<std::array<double, 2>>());
            }
            borders.push_back(std::move(b));
        }
        if (!in.at_end()) {
            throw CacheFormatError("borders: trailing data");
        }
        return borders;
    };
    return load_cached(settings, path, "canonical-borders", build, parse, outcome);
}

} // namespace detail

std::vector<CanonicalBorder> read_canonical_borders(const std::filesystem::path &geodata) {
    const auto dir = geodata.empty() ? geodata_dir() : geodata;
    return detail::load_canonical_borders(detail::CacheSettings::from_environment(),
                                          dir / "borders.geojson");
}

} // namespace borderwatch
