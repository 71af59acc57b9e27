#pragma once
/// @file
/// Aligned plain-text tables for terminal output (`--format table`), UTF-8 aware so
/// Cyrillic and Arabic-script names line up.

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

/// Width of UTF-8 text in terminal columns: one per code point (continuation bytes
/// count zero). Good enough for Latin, Cyrillic and Arabic script; not for CJK.
[[nodiscard]] std::size_t display_width(std::string_view text) noexcept;

/// Write @p header and @p rows as columns separated by two spaces, each column as wide
/// as its widest cell; columns with right_align[i] true are right-aligned (numbers).
/// Trailing blanks are trimmed. Rows shorter than the header are padded with empty cells.
void write_text_table(std::ostream &out, const std::vector<std::string> &header,
                      const std::vector<std::vector<std::string>> &rows,
                      const std::vector<bool> &right_align = {});

} // namespace borderwatch
