#pragma once
/// @file
/// Reading text input the same way in every reader (incident CSV/GeoJSON, resolve --input,
/// locate --input): a file in any ICU encoding streamed as UTF-8 (--encoding), UTF-16 read
/// by mistake refused with a clear message, lines ending in LF, CRLF or CR, and the field
/// delimiter of a delimited file (--delimiter, or detected from the header line).

#include <cstddef>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace borderwatch {

/// How to read a text input file. The defaults read UTF-8 and detect the delimiter.
struct TextInputOptions {
    std::string encoding; ///< ICU converter name or alias; "" = UTF-8
    char delimiter = 0;   ///< field delimiter of delimited files; 0 = detect from the header
};

/// ICU's canonical name of the converter @p name ("cp1251" -> "ibm-5347_P100-1998").
/// @throws UsageError for an unknown name (the message says how to list the names)
[[nodiscard]] std::string check_encoding(std::string_view name);

/// A --delimiter value: ";" or "semicolon", "tab" or "\t" (the two characters or a real TAB),
/// "," or "comma", "|" or "pipe". @throws UsageError otherwise
[[nodiscard]] char parse_delimiter(std::string_view text);

/// The delimiter of a header line: whichever of ',', ';' and TAB occurs most often outside
/// double quotes (ties in that order); ',' when there is none. One rule for every reader.
[[nodiscard]] char detect_delimiter(std::string_view header_line) noexcept;

/// A text file (or stdin for "-") as a stream of UTF-8 bytes: with an encoding it is
/// transcoded chunk by chunk through ICU (memory stays flat); bytes the encoding cannot map
/// come out as the byte 0xFF, so the row holding them fails the core/utf8 rule with its
/// FILE:LINE. Without one (or with UTF-8), a file that looks like UTF-16 or UTF-32 (a
/// byte-order mark, or many NUL bytes in the first KiB) is refused when opened.
class TextInput final : public std::istream {
  public:
    /// @throws IoError (cannot open, a directory), UsageError (unknown encoding),
    ///         InputError (looks like UTF-16 without an encoding)
    TextInput(const std::string &path, const std::string &encoding);
    /// Read from @p source (not owned; must outlive this object); @p name for messages.
    TextInput(std::istream &source, const std::string &name, const std::string &encoding);
    ~TextInput() override;
    TextInput(const TextInput &) = delete;
    TextInput &operator=(const TextInput &) = delete;

  private:
    void open(std::streambuf *source, const std::string &name, const std::string &encoding);
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Reads physical lines ending in LF, CRLF or a lone CR (old Mac / some Excel exports), in
/// chunks straight from the stream buffer (the stream is read ahead: do not mix other
/// reads of it). Does not own the stream.
class LineReader {
  public:
    explicit LineReader(std::istream &input);
    /// The next line without its line end into @p line; false at end of input.
    /// @throws IoError when transcoding fails
    bool next(std::string &line);
    /// 1-based number of the line last returned.
    [[nodiscard]] std::size_t line_number() const noexcept { return m_line; }

  private:
    bool refill();
    std::istream &m_input;
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
    std::size_t m_line = 0;
    bool m_skip_lf = false; ///< the last line ended in CR: a following LF belongs to it
    bool m_eof = false;
};

} // namespace borderwatch
