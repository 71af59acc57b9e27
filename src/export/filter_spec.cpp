#include <borderwatch/export/filter_spec.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>

#include <cmath>
#include <memory>

namespace borderwatch {

namespace {

std::vector<double> parse_numbers(const std::string &text, const char *what, std::size_t count) {
    std::vector<double> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const auto v = parse_double(std::string_view(text).substr(start, end - start));
        if (!v || !std::isfinite(*v)) {
            throw UsageError(std::string(what) + ": '" + text + "' is not " +
                             std::to_string(count) + " comma-separated numbers");
        }
        out.push_back(*v);
        start = end + 1;
    }
    if (out.size() != count) {
        throw UsageError(std::string(what) + ": '" + text + "' is not " + std::to_string(count) +
                         " comma-separated numbers");
    }
    return out;
}

bool valid_date(const std::string &d) {
    const auto digits = [&d](std::size_t from, std::size_t n) {
        for (std::size_t i = from; i < from + n; ++i) {
            if (i >= d.size() || d[i] < '0' || d[i] > '9') {
                return false;
            }
        }
        return true;
    };
    if (d.size() == 4) {
        return digits(0, 4);
    }
    if (d.size() == 7) {
        return digits(0, 4) && d[4] == '-' && digits(5, 2);
    }
    return d.size() == 10 && digits(0, 4) && d[4] == '-' && digits(5, 2) && d[7] == '-' &&
           digits(8, 2);
}

std::optional<std::array<double, 2>> parse_lonlat(const std::string &text) {
    try {
        const auto v = parse_numbers(text, "near", 2);
        if (std::abs(v[0]) <= 180 && std::abs(v[1]) <= 90) {
            return std::array<double, 2>{v[0], v[1]};
        }
    } catch (const UsageError &) {
    }
    return std::nullopt;
}

} // namespace

bool FilterSpec::empty() const noexcept {
    return describe().empty();
}

std::string FilterSpec::describe() const {
    std::string out;
    const auto add = [&out](const std::string &key, const std::string &value) {
        if (!value.empty()) {
            out += (out.empty() ? "" : " ") + key + "=" + value;
        }
    };
    const auto num = [](const std::optional<double> &v) {
        return v ? format_double(*v) : std::string();
    };
    const auto join = [](const std::vector<std::string> &list) {
        std::string s;
        for (const auto &item : list) {
            s += (s.empty() ? "" : "|") + item;
        }
        return s;
    };
    add("within_km", num(within_km));
    add("beyond_km", num(beyond_km));
    add("side", side);
    add("admin1", join(admin1));
    add("admin2", join(admin2));
    add("near", near);
    add("near_km", near.empty() ? "" : num(near_km ? near_km : std::optional<double>(25.0)));
    add("bbox", bbox);
    add("from", from_date);
    add("to", to_date);
    add("type", join(event_types));
    add("min_fatalities", min_fatalities ? std::to_string(*min_fatalities) : "");
    add("precision_max", precision_max ? std::to_string(*precision_max) : "");
    return out;
}

void validate_filter_spec(const FilterSpec &spec) {
    if (spec.within_km && !(*spec.within_km >= 0)) {
        throw UsageError("--within-km must be >= 0");
    }
    if (spec.beyond_km && !(*spec.beyond_km >= 0)) {
        throw UsageError("--beyond-km must be >= 0");
    }
    if (spec.near_km && !(*spec.near_km > 0)) {
        throw UsageError("--km must be > 0");
    }
    if (spec.near_km && spec.near.empty()) {
        throw UsageError("--km needs --near PLACE");
    }
    if (!spec.bbox.empty()) {
        const auto b = parse_numbers(spec.bbox, "--bbox", 4);
        if (b[0] > b[2] || b[1] > b[3] || std::abs(b[0]) > 180 || std::abs(b[2]) > 180 ||
            std::abs(b[1]) > 90 || std::abs(b[3]) > 90) {
            throw UsageError("--bbox: '" + spec.bbox +
                             "' must be W,S,E,N in degrees with W <= E and S <= N");
        }
    }
    for (const auto *d : {&spec.from_date, &spec.to_date}) {
        if (!d->empty() && !valid_date(*d)) {
            throw UsageError("date '" + *d + "' is not YYYY-MM-DD, YYYY-MM or YYYY");
        }
    }
    if (spec.precision_max && (*spec.precision_max < 1 || *spec.precision_max > 7)) {
        throw UsageError("--precision-max must be in 1..7");
    }
}

QueryFilter resolve_filter_spec(const FilterSpec &spec, const std::filesystem::path &geodata) {
    validate_filter_spec(spec);
    QueryFilter f;
    f.within_km = spec.within_km;
    f.beyond_km = spec.beyond_km;
    f.side = spec.side;
    f.from_date = spec.from_date;
    f.to_date = spec.to_date;
    f.event_types = spec.event_types;
    f.min_fatalities = spec.min_fatalities;
    f.precision_max = spec.precision_max;
    if (!spec.bbox.empty()) {
        const auto b = parse_numbers(spec.bbox, "--bbox", 4);
        f.bbox = std::array<double, 4>{b[0], b[1], b[2], b[3]};
    }
    std::unique_ptr<Gazetteer> gazetteer;
    const auto gaz = [&]() -> const Gazetteer & {
        if (!gazetteer) {
            Gazetteer::Sources sources;
            sources.geodata = geodata;
            gazetteer = Gazetteer::load(sources);
        }
        return *gazetteer;
    };
    const auto resolve_admin = [&](const std::vector<std::string> &names, const char *kind) {
        std::vector<std::string> out;
        for (const auto &name : names) {
            out.push_back(name); // exact official names always match
            ResolveOptions options;
            options.kind = kind;
            options.top = 3;
            const auto r = gaz().resolve(name, options);
            if (r.matched) {
                for (const auto &c : r.candidates) {
                    const auto &official = std::string(kind) == "admin1" ? c.admin1 : c.admin2;
                    const auto &value = official.empty() ? c.name : official;
                    if (std::find(out.begin(), out.end(), value) == out.end()) {
                        out.push_back(value);
                    }
                }
            }
        }
        return out;
    };
    if (!spec.admin1.empty()) {
        f.admin1 = resolve_admin(spec.admin1, "admin1");
    }
    if (!spec.admin2.empty()) {
        f.admin2 = resolve_admin(spec.admin2, "admin2");
    }
    if (!spec.near.empty()) {
        auto point = parse_lonlat(spec.near);
        if (!point) {
            const auto r = gaz().resolve(spec.near);
            if (!r.matched || r.candidates.empty()) {
                throw UsageError("--near: no place matches '" + spec.near + "'");
            }
            point = std::array<double, 2>{r.candidates.front().lon, r.candidates.front().lat};
        }
        f.near_lon = (*point)[0];
        f.near_lat = (*point)[1];
        f.near_km = spec.near_km.value_or(25.0);
    }
    return f;
}

} // namespace borderwatch
