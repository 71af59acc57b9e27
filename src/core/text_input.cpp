// Text input: ICU transcoding to UTF-8 as a stream buffer, the UTF-16 sniff, line reading
// with LF / CRLF / CR line ends, and the delimiter rule (see core/text_input.hpp).
#include <borderwatch/core/text_input.hpp>

#include <borderwatch/core/paths.hpp>

#include <borderwatch/core/error.hpp>

#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

namespace borderwatch {

namespace {

constexpr std::size_t k_chunk = 64 * 1024;
constexpr std::size_t k_sniff = 1024;
/// Stands for a byte sequence the source encoding cannot map: not valid UTF-8, so the row
/// that holds it is rejected by the core/utf8 rule with its FILE:LINE.
constexpr char k_unmappable = static_cast<char>(0xFF);

struct ConverterCloser {
    void operator()(UConverter *c) const noexcept { ucnv_close(c); }
};
using ConverterPtr = std::unique_ptr<UConverter, ConverterCloser>;

ConverterPtr open_converter(std::string_view name) {
    UErrorCode status = U_ZERO_ERROR;
    ConverterPtr conv(ucnv_open(std::string(name).c_str(), &status));
    if (U_FAILURE(status) || !conv || name.empty()) {
        throw UsageError("unknown encoding '" + std::string(name) +
                         "': give an ICU converter name or alias such as UTF-16, UTF-16LE, "
                         "UTF-16BE, cp1251, windows-1252, ISO-8859-1 (latin1); 'uconv -l' "
                         "lists every name");
    }
    return conv;
}

std::string hex_byte(unsigned char b) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return {digits[b >> 4], digits[b & 15]};
}

/// "UTF-16LE (byte-order mark FF FE)" / "UTF-16 (412 of the first 1024 bytes are NUL)" when
/// the start of a file looks like UTF-16 or UTF-32, else "".
std::string looks_like_utf16(const char *data, std::size_t size) {
    const auto *u = reinterpret_cast<const unsigned char *>(data);
    if (size >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) {
        return "UTF-32 (byte-order mark FF FE 00 00)";
    }
    if (size >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) {
        return "UTF-32 (byte-order mark 00 00 FE FF)";
    }
    if (size >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        return "UTF-16 (byte-order mark " + hex_byte(u[0]) + " " + hex_byte(u[1]) + ")";
    }
    const std::size_t n = std::min(size, k_sniff);
    std::size_t nul = 0;
    for (std::size_t i = 0; i < n; ++i) {
        nul += u[i] == 0 ? 1 : 0;
    }
    // Text in UTF-16 has a NUL in every other byte for ASCII; a UTF-8 file has none.
    if (n >= 2 && nul * 4 >= n) {
        return "UTF-16 (" + std::to_string(nul) + " of the first " + std::to_string(n) +
               " bytes are NUL)";
    }
    return {};
}

/// Appends the UTF-8 form of UTF-16 code units; a lead surrogate at the end waits in
/// @p pending for the next call. Unpaired surrogates become k_unmappable.
void append_utf8(std::string &out, const UChar *s, const UChar *e, UChar &pending) {
    for (; s != e; ++s) {
        char32_t c = *s;
        if (pending != 0) {
            if (c >= 0xDC00 && c <= 0xDFFF) {
                c = 0x10000 + ((static_cast<char32_t>(pending) - 0xD800) << 10) + (c - 0xDC00);
                pending = 0;
                out += static_cast<char>(0xF0 | (c >> 18));
                out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
                out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (c & 0x3F));
                continue;
            }
            pending = 0;
            out += k_unmappable;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c >= 0xD800 && c <= 0xDBFF) {
            pending = static_cast<UChar>(c);
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            out += k_unmappable;
        } else {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
}

/// Serves the source's bytes as UTF-8: passed through (after the UTF-16 sniff) or transcoded
/// chunk by chunk with an ICU converter.
class TranscodingBuf final : public std::streambuf {
  public:
    TranscodingBuf(std::streambuf *source, const std::string &name, const std::string &encoding)
        : m_source(source), m_raw(std::make_unique_for_overwrite<char[]>(k_chunk)) {
        std::string canonical;
        if (!encoding.empty()) {
            m_converter = open_converter(encoding);
            UErrorCode status = U_ZERO_ERROR;
            canonical = ucnv_getName(m_converter.get(), &status);
            if (canonical == "UTF-8") {
                m_converter.reset(); // the bytes are already what the readers want
            } else {
                m_units = std::make_unique_for_overwrite<UChar[]>(k_chunk);
            }
        }
        // Read the first chunk now, so a wrong encoding is reported when the file is opened.
        m_first = static_cast<std::size_t>(m_source->sgetn(m_raw.get(), k_chunk));
        if (!m_converter) {
            if (const auto what = looks_like_utf16(m_raw.get(), m_first); !what.empty()) {
                throw InputError(SourceLocation{name, 0, 0, {}},
                                 "looks like " + what +
                                     ", not UTF-8: read it with --encoding UTF-16 (an update "
                                     "config: encoding = \"UTF-16\" under [inputs])");
            }
            return;
        }
        if (canonical == "UTF-16" &&
            !(m_first >= 2 && ((m_raw[0] == '\xFF' && m_raw[1] == '\xFE') ||
                               (m_raw[0] == '\xFE' && m_raw[1] == '\xFF')))) {
            // Without a byte-order mark ICU's UTF-16 means big-endian, but files without one
            // (Windows) are mostly little-endian: the NULs of ASCII text tell which.
            std::size_t even = 0;
            std::size_t odd = 0;
            for (std::size_t i = 0; i < std::min(m_first, k_sniff); ++i) {
                (i % 2 == 0 ? even : odd) += m_raw[i] == 0 ? 1 : 0;
            }
            if (odd > even) {
                m_converter = open_converter("UTF-16LE");
            }
        }
        UErrorCode status = U_ZERO_ERROR;
        ucnv_setToUCallBack(m_converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr,
                            &status);
    }

  protected:
    int_type underflow() override {
        while (gptr() == egptr()) {
            if (m_done) {
                return traits_type::eof();
            }
            fill();
        }
        return traits_type::to_int_type(*gptr());
    }

  private:
    void fill() {
        std::size_t n = 0;
        if (m_first_pending) {
            m_first_pending = false;
            n = m_first;
        } else {
            n = static_cast<std::size_t>(m_source->sgetn(m_raw.get(), k_chunk));
        }
        m_out.clear();
        if (!m_converter) {
            m_out.assign(m_raw.get(), n);
            m_done = n == 0;
        } else {
            convert(n);
        }
        setg(m_out.data(), m_out.data(), m_out.data() + m_out.size());
    }

    void convert(std::size_t n) {
        const bool flush = n == 0;
        const char *src = m_raw.get();
        const char *const src_end = src + n;
        int rounds = 0;
        while (true) {
            UChar *target = m_units.get();
            UErrorCode status = U_ZERO_ERROR;
            ucnv_toUnicode(m_converter.get(), &target, m_units.get() + k_chunk, &src, src_end,
                           nullptr, flush, &status);
            append_utf8(m_out, m_units.get(), target, m_pending);
            if (status == U_BUFFER_OVERFLOW_ERROR) {
                continue;
            }
            if (status == U_ILLEGAL_CHAR_FOUND || status == U_INVALID_CHAR_FOUND ||
                status == U_TRUNCATED_CHAR_FOUND) {
                m_out += k_unmappable; // the converter has skipped the bad sequence
                // At the end of the input one more call flushes what follows it.
                if (src != src_end || (flush && status != U_TRUNCATED_CHAR_FOUND && ++rounds < 8)) {
                    continue;
                }
                break;
            }
            if (U_FAILURE(status)) {
                throw IoError(std::string("cannot transcode the input: ") + u_errorName(status));
            }
            break;
        }
        if (flush) {
            if (m_pending != 0) {
                m_out += k_unmappable;
                m_pending = 0;
            }
            m_done = true;
        }
    }

    std::streambuf *m_source;
    ConverterPtr m_converter;
    // Not value-initialised: every byte read is written first (and small inputs stay cheap).
    std::unique_ptr<char[]> m_raw;
    std::unique_ptr<UChar[]> m_units; ///< UTF-16 staging, only with a converter
    std::string m_out;
    std::size_t m_first = 0;
    bool m_first_pending = true;
    bool m_done = false;
    UChar m_pending = 0;
};

} // namespace

std::string check_encoding(std::string_view name) {
    const auto conv = open_converter(name);
    UErrorCode status = U_ZERO_ERROR;
    return ucnv_getName(conv.get(), &status);
}

char parse_delimiter(std::string_view text) {
    if (text == "," || text == "comma") {
        return ',';
    }
    if (text == ";" || text == "semicolon") {
        return ';';
    }
    if (text == "\t" || text == "\\t" || text == "tab" || text == "TAB") {
        return '\t';
    }
    if (text == "|" || text == "pipe") {
        return '|';
    }
    throw UsageError("delimiter '" + std::string(text) +
                     "' is not one of ',' ';' 'tab' (or \\t) '|'");
}

char detect_delimiter(std::string_view header_line) noexcept {
    std::array<std::size_t, 3> counts{};
    static constexpr std::array<char, 3> candidates{',', ';', '\t'};
    bool quoted = false;
    for (const char c : header_line) {
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted) {
            for (std::size_t i = 0; i < candidates.size(); ++i) {
                counts[i] += c == candidates[i] ? 1 : 0;
            }
        }
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < candidates.size(); ++i) {
        if (counts[i] > counts[best]) {
            best = i;
        }
    }
    return candidates[best];
}

struct TextInput::Impl {
    std::ifstream file;
    std::unique_ptr<TranscodingBuf> buffer;
};

TextInput::TextInput(const std::string &path, const std::string &encoding)
    : std::istream(nullptr), m_impl(std::make_unique<Impl>()) {
    std::streambuf *source = std::cin.rdbuf();
    if (path != "-") {
        m_impl->file = open_input_file(path); // the one message: path and the OS reason
        source = m_impl->file.rdbuf();
    }
    open(source, path, encoding);
}

TextInput::TextInput(std::istream &source, const std::string &name, const std::string &encoding)
    : std::istream(nullptr), m_impl(std::make_unique<Impl>()) {
    open(source.rdbuf(), name, encoding);
}

TextInput::~TextInput() = default;

void TextInput::open(std::streambuf *source, const std::string &name, const std::string &encoding) {
    m_impl->buffer = std::make_unique<TranscodingBuf>(source, name, encoding);
    rdbuf(m_impl->buffer.get());
    clear();
}

LineReader::LineReader(std::istream &input)
    : m_input(input), m_buffer(std::make_unique_for_overwrite<char[]>(k_chunk)) {}

bool LineReader::refill() {
    if (m_eof) {
        return false;
    }
    auto *buf = m_input.rdbuf();
    const auto n = buf == nullptr ? 0 : buf->sgetn(m_buffer.get(), k_chunk);
    m_pos = 0;
    m_end = n > 0 ? static_cast<std::size_t>(n) : 0;
    if (m_end == 0) {
        m_eof = true;
        m_input.setstate(std::ios::eofbit);
        return false;
    }
    return true;
}

bool LineReader::next(std::string &line) {
    line.clear();
    bool any = false;
    while (true) {
        if (m_pos == m_end && !refill()) {
            if (any) {
                ++m_line; // a last line without a line end
            }
            return any;
        }
        const char *p = m_buffer.get() + m_pos;
        const std::size_t n = m_end - m_pos;
        if (m_skip_lf) {
            m_skip_lf = false;
            if (*p == '\n') {
                ++m_pos;
                continue;
            }
        }
        any = true;
        // Both scans are memchr (vectorised): LF first, then a CR before it.
        const auto *lf = static_cast<const char *>(std::memchr(p, '\n', n));
        const std::size_t limit = lf != nullptr ? static_cast<std::size_t>(lf - p) : n;
        const auto *cr = static_cast<const char *>(std::memchr(p, '\r', limit));
        if (cr != nullptr) {
            const auto len = static_cast<std::size_t>(cr - p);
            line.append(p, len);
            m_pos += len + 1;
            m_skip_lf = true;
            ++m_line;
            return true;
        }
        line.append(p, limit);
        if (lf != nullptr) {
            m_pos += limit + 1;
            ++m_line;
            return true;
        }
        m_pos = m_end;
    }
}

} // namespace borderwatch
