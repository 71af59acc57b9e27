#include <borderwatch/query/filter_spec.hpp>

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>
#include <borderwatch/gazetteer/gazetteer.hpp>

#include <algorithm>
#include <cctype>
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

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int days_in_month(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

std::string two(int v) {
    return (v < 10 ? "0" : "") + std::to_string(v);
}

/// Checks a YYYY, YYYY-MM or YYYY-MM-DD date against the calendar. @throws UsageError naming
/// the nearest valid date when the shape is right but the month or day does not exist.
void check_date(const std::string &d, const char *option) {
    const std::string_view v(d);
    const bool shape = (d.size() == 4 && all_digits(v)) ||
                       (d.size() == 7 && all_digits(v.substr(0, 4)) && d[4] == '-' &&
                        all_digits(v.substr(5, 2))) ||
                       (d.size() == 10 && all_digits(v.substr(0, 4)) && d[4] == '-' &&
                        all_digits(v.substr(5, 2)) && d[7] == '-' && all_digits(v.substr(8, 2)));
    if (!shape) {
        throw UsageError(std::string(option) + ": date '" + d +
                         "' is not YYYY-MM-DD, YYYY-MM or YYYY");
    }
    if (d.size() == 4) {
        return;
    }
    const int year = std::stoi(d.substr(0, 4));
    const int month = std::stoi(d.substr(5, 2));
    const int nearest_month = std::clamp(month, 1, 12);
    int day = 1;
    int nearest_day = 1;
    if (d.size() == 10) {
        day = std::stoi(d.substr(8, 2));
        nearest_day = std::clamp(day, 1, days_in_month(year, nearest_month));
    }
    if (month != nearest_month || day != nearest_day) {
        std::string nearest = d.substr(0, 4) + "-" + two(nearest_month);
        if (d.size() == 10) {
            nearest += "-" + two(nearest_day);
        }
        throw UsageError(std::string(option) + ": '" + d + "' is not a calendar date (" +
                         (month != nearest_month
                              ? "months are 01..12"
                              : "that month has " +
                                    std::to_string(days_in_month(year, nearest_month)) + " days") +
                         "); did you mean '" + nearest + "'?");
    }
}

/// First day covered by a (valid) date of any precision, as YYYY-MM-DD.
std::string first_day(const std::string &d) {
    return d.size() == 4 ? d + "-01-01" : d.size() == 7 ? d + "-01" : d;
}

/// Last day covered by a (valid) date of any precision, as YYYY-MM-DD.
std::string last_day(const std::string &d) {
    if (d.size() == 4) {
        return d + "-12-31";
    }
    if (d.size() == 7) {
        return d + "-" + two(days_in_month(std::stoi(d.substr(0, 4)), std::stoi(d.substr(5, 2))));
    }
    return d;
}

struct Country {
    const char *iso3;
    const char *name;
};
// The countries of the border (sides of the placement); accepted by ISO3 or name, any case.
constexpr Country k_sides[] = {{"TJK", "Tajikistan"}, {"AFG", "Afghanistan"}};

std::string upper(std::string s) {
    for (auto &c : s) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
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

std::string normalize_side(const std::string &side) {
    const auto u = upper(side);
    std::string accepted;
    for (const auto &c : k_sides) {
        if (u == c.iso3 || u == upper(c.name)) {
            return c.iso3;
        }
        accepted += (accepted.empty() ? "" : ", ") + std::string(c.iso3) + " (" + c.name + ")";
    }
    throw UsageError("--side: unknown country '" + side + "'; accepted: " + accepted);
}

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
    if (!spec.from_date.empty()) {
        check_date(spec.from_date, "--from");
    }
    if (!spec.to_date.empty()) {
        check_date(spec.to_date, "--to");
    }
    if (!spec.from_date.empty() && !spec.to_date.empty() &&
        first_day(spec.from_date) > last_day(spec.to_date)) {
        throw UsageError("--from " + spec.from_date + " is after --to " + spec.to_date +
                         "; did you mean --from " + spec.to_date + " --to " + spec.from_date + "?");
    }
    if (!spec.side.empty()) {
        (void)normalize_side(spec.side);
    }
    if (spec.precision_max && (*spec.precision_max < 1 || *spec.precision_max > 7)) {
        throw UsageError("--precision-max must be in 1..7");
    }
}

QueryFilter resolve_filter_spec(const FilterSpec &spec, const std::filesystem::path &geodata,
                                std::vector<std::string> *warnings) {
    validate_filter_spec(spec);
    QueryFilter f;
    f.within_km = spec.within_km;
    f.beyond_km = spec.beyond_km;
    f.side = spec.side.empty() ? std::string() : normalize_side(spec.side);
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
            if (!r.matched) {
                std::string hint;
                for (const auto &sug : r.suggestions) {
                    hint += (hint.empty() ? "" : ", ") + ("'" + sug + "'");
                }
                throw UsageError("--" + std::string(kind) + ": no " + kind + " unit matches '" +
                                 name + "'" +
                                 (hint.empty() ? std::string() : "; did you mean " + hint + "?"));
            }
            {
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
            ResolveOptions options;
            options.top = 3;
            const auto r = gaz().resolve(spec.near, options);
            if (!r.matched || r.candidates.empty()) {
                throw UsageError("--near: no place matches '" + spec.near + "'");
            }
            const auto &used = r.candidates.front();
            if (used.ambiguous && warnings != nullptr) {
                warnings->push_back("--near: " + ambiguity_note(r));
            }
            point = std::array<double, 2>{used.lon, used.lat};
        }
        f.near_lon = (*point)[0];
        f.near_lat = (*point)[1];
        f.near_km = spec.near_km.value_or(25.0);
    }
    return f;
}

} // namespace borderwatch
