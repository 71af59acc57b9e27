#include <borderwatch/core/numbers.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace borderwatch {

std::string_view trim(std::string_view text) noexcept {
    const auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<double> parse_double(std::string_view text) noexcept {
    text = trim(text);
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1); // from_chars rejects a leading '+', users write it
    }
    if (text.empty()) {
        return std::nullopt;
    }
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> parse_int(std::string_view text) noexcept {
    text = trim(text);
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::string format_double(double value) {
    std::array<char, 32> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    (void)ec; // 32 chars always suffice for a double
    return std::string(buffer.data(), end);
}

namespace {

/// "00" "01" ... "99": the two digits of every value below 100.
constexpr std::array<char, 200> digit_pairs = [] {
    std::array<char, 200> pairs{};
    for (std::size_t i = 0; i < 100; ++i) {
        pairs[2 * i] = static_cast<char>('0' + i / 10);
        pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return pairs;
}();

} // namespace

std::to_chars_result to_chars_fixed(char *first, char *last, double value, int decimals) noexcept {
    static constexpr std::array<double, 10> powers{1e0, 1e1, 1e2, 1e3, 1e4,
                                                   1e5, 1e6, 1e7, 1e8, 1e9};
    const auto exact = [&] {
        return std::to_chars(first, last, value, std::chars_format::fixed, decimals);
    };
    if (decimals < 0 || decimals > 9 || !std::isfinite(value)) {
        return exact();
    }
    const double scaled = std::fabs(value) * powers[static_cast<std::size_t>(decimals)];
    if (!(scaled < 0x1p50)) {
        return exact();
    }
    // The product is within half an ulp of the exact scaled value (powers of ten up to 1e9 are
    // exact doubles); whole and fraction split exactly. Rounding differs from the exact one only
    // if the exact fraction could be on the other side of 0.5.
    const double whole = std::floor(scaled);
    const double fraction = scaled - whole;
    const double error = scaled * 0x1p-52;
    if (std::fabs(fraction - 0.5) <= 2.0 * error + 0x1p-60) {
        return exact();
    }
    auto digits = static_cast<std::uint64_t>(whole) + (fraction > 0.5 ? 1U : 0U);
    // Decimals (zero-padded), point, integer part, as to_chars writes them, from the last
    // digit: two per step, and only constant divisors (this runs five times per located row;
    // a division by a variable power of ten is a slow hardware divide).
    char text[40];
    char *end = text + sizeof text;
    char *p = end;
    int left = decimals;
    for (; left >= 2; left -= 2) {
        p -= 2;
        std::memcpy(p, digit_pairs.data() + 2 * (digits % 100), 2);
        digits /= 100;
    }
    if (left == 1) {
        *--p = static_cast<char>('0' + digits % 10);
        digits /= 10;
    }
    if (decimals > 0) {
        *--p = '.';
    }
    while (digits >= 100) {
        p -= 2;
        std::memcpy(p, digit_pairs.data() + 2 * (digits % 100), 2);
        digits /= 100;
    }
    if (digits >= 10) {
        p -= 2;
        std::memcpy(p, digit_pairs.data() + 2 * digits, 2);
    } else {
        *--p = static_cast<char>('0' + digits);
    }
    if (std::signbit(value)) {
        *--p = '-';
    }
    const auto size = static_cast<std::size_t>(end - p);
    if (size > static_cast<std::size_t>(last - first)) {
        return {last, std::errc::value_too_large};
    }
    std::memcpy(first, p, size);
    return {first + size, std::errc()};
}

void append_fixed_trimmed(std::string &out, double value, int decimals,
                          std::string_view non_finite) {
    if (!std::isfinite(value)) {
        out += non_finite;
        return;
    }
    std::array<char, 64> buffer{}; // larger values print in the shortest form below
    const auto [end_ptr, ec] =
        to_chars_fixed(buffer.data(), buffer.data() + buffer.size(), value, decimals);
    if (ec != std::errc()) {
        out += format_double(value);
        return;
    }
    const char *begin = buffer.data();
    const char *end = end_ptr;
    if (std::find(begin, end, '.') != end) {
        while (end[-1] == '0') {
            --end;
        }
        if (end[-1] == '.') {
            --end;
        }
    }
    if (end - begin == 2 && begin[0] == '-' && begin[1] == '0') {
        ++begin; // negative zero, or a tiny negative value rounded to zero
    }
    out.append(begin, end);
}

std::string format_fixed(double value, int decimals) {
    if (!std::isfinite(value)) {
        return format_double(value);
    }
    std::string out;
    append_fixed_trimmed(out, value, decimals, {});
    return out;
}

float float_at_or_below(double value) noexcept {
    auto f = static_cast<float>(value);
    if (static_cast<double>(f) > value) {
        f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    }
    return f;
}

float float_at_or_above(double value) noexcept {
    auto f = static_cast<float>(value);
    if (static_cast<double>(f) < value) {
        f = std::nextafter(f, std::numeric_limits<float>::infinity());
    }
    return f;
}

} // namespace borderwatch
