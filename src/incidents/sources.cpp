#include <borderwatch/incidents/sources.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace borderwatch {

std::optional<AcledEventType> acled_event_type_for_ucdp(std::int64_t type_of_violence) noexcept {
    switch (type_of_violence) {
    case 1: // state-based conflict: a government and an organised group (or two states)
    case 2: // non-state conflict: two organised groups, neither a government
        return AcledEventType{"Battles", "Armed clash"};
    case 3: // one-sided violence: an organised group against unarmed civilians
        return AcledEventType{"Violence against civilians", "Attack"};
    default:
        return std::nullopt;
    }
}

namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// Up to three numeric parts separated by any of @p seps; every part 1..3 digits.
std::optional<std::array<int, 3>> version_parts(std::string_view s, std::string_view seps) {
    std::array<int, 3> parts{0, 0, 0};
    std::size_t n = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t digits = 0;
        int v = 0;
        while (i < s.size() && is_digit(s[i]) && digits < 4) {
            v = v * 10 + (s[i] - '0');
            ++i;
            ++digits;
        }
        if (digits == 0 || digits > 3 || n == 3) {
            return std::nullopt;
        }
        parts[n++] = v;
        if (i == s.size()) {
            return parts;
        }
        if (seps.find(s[i]) == std::string_view::npos) {
            return std::nullopt;
        }
        ++i;
    }
}

} // namespace

std::optional<std::int64_t> release_version_number(std::string_view version) noexcept {
    while (!version.empty() && (version.front() == ' ' || version.front() == '\t')) {
        version.remove_prefix(1);
    }
    while (!version.empty() && (version.back() == ' ' || version.back() == '\t')) {
        version.remove_suffix(1);
    }
    if (!version.empty() && (version.front() == 'v' || version.front() == 'V')) {
        version.remove_prefix(1);
    }
    const auto parts = version_parts(version, "._");
    if (!parts) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>((*parts)[0]) * 1000000 +
           static_cast<std::int64_t>((*parts)[1]) * 1000 + (*parts)[2];
}

std::string release_version_from_file_name(std::string_view path) {
    if (const auto slash = path.find_last_of("/\\"); slash != std::string_view::npos) {
        path.remove_prefix(slash + 1);
    }
    std::string name(path);
    for (auto &c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    auto join = [](const std::array<int, 3> &p, bool patch) {
        std::string out = std::to_string(p[0]) + "." + std::to_string(p[1]);
        if (patch) {
            out += "." + std::to_string(p[2]);
        }
        return out;
    };
    // "..._v25_1[_3]..." / "...v25.1..."
    for (std::size_t at = name.find('v'); at != std::string::npos; at = name.find('v', at + 1)) {
        std::size_t end = at + 1;
        while (end < name.size() && (is_digit(name[end]) || name[end] == '_' || name[end] == '.')) {
            ++end;
        }
        auto digits = std::string_view(name).substr(at + 1, end - at - 1);
        while (!digits.empty() && (digits.back() == '_' || digits.back() == '.')) {
            digits.remove_suffix(1); // "v25_1.csv": the dot before the extension
        }
        if (digits.find_first_of("._") == std::string_view::npos) {
            continue; // "v25" alone is not a release
        }
        if (const auto p = version_parts(digits, "._")) {
            const bool patch = std::count(digits.begin(), digits.end(), '_') +
                                   std::count(digits.begin(), digits.end(), '.') >=
                               2;
            return join(*p, patch);
        }
    }
    // "ged251": two digits of major, one of minor.
    if (const auto at = name.find("ged"); at != std::string::npos) {
        std::size_t end = at + 3;
        while (end < name.size() && is_digit(name[end])) {
            ++end;
        }
        if (end - at - 3 == 3) {
            return join({(name[at + 3] - '0') * 10 + (name[at + 4] - '0'), name[at + 5] - '0', 0},
                        false);
        }
    }
    return {};
}

std::optional<std::int64_t> source_revision(const Incident &x) noexcept {
    if (x.timestamp) {
        return x.timestamp;
    }
    if (!x.source_version.empty()) {
        return release_version_number(x.source_version);
    }
    return std::nullopt;
}

} // namespace borderwatch
