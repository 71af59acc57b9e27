// Date parsing. Oracle: an accepted date is a real calendar range, start <= end, and its
// start re-parses to itself.
#include <borderwatch/import/import.hpp>

#include "fuzz_support.hpp"

namespace {

bool is_calendar_day(const std::string &s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    const int y = std::stoi(s.substr(0, 4));
    const int m = std::stoi(s.substr(5, 2));
    const int d = std::stoi(s.substr(8, 2));
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const auto parsed = borderwatch::parse_incident_date(borderwatch::fuzz::as_text(data, size));
    if (!parsed) {
        return 0;
    }
    if (!is_calendar_day(parsed->start) || !is_calendar_day(parsed->end) ||
        parsed->start > parsed->end) {
        __builtin_trap();
    }
    const auto again = borderwatch::parse_incident_date(parsed->start);
    if (!again || again->start != parsed->start) {
        __builtin_trap();
    }
    return 0;
}
