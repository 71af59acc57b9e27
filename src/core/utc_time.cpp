#include <borderwatch/core/utc_time.hpp>

#include <ctime>

namespace borderwatch {

namespace {

std::string format_utc_now(const char *format) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    const auto n = std::strftime(buf, sizeof buf, format, &tm);
    return {buf, n};
}

} // namespace

std::string utc_now_iso8601() {
    return format_utc_now("%Y-%m-%dT%H:%M:%SZ");
}

std::string utc_now_iso8601_millis() {
    return format_utc_now("%Y-%m-%dT%H:%M:%S.000Z");
}

std::string utc_now_compact() {
    return format_utc_now("%Y%m%dT%H%M%SZ");
}

} // namespace borderwatch
