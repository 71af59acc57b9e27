#pragma once
/// @file
/// The one text-validity rule: what counts as valid text in borderwatch (well-formed UTF-8,
/// no NUL, no XML-illegal code points: C0 controls except TAB/LF/CR, surrogates, U+FFFE/U+FFFF).
/// Readers reject fields with find_text_issue(); writers clean text with sanitize_text().

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace borderwatch {

/// What is wrong with a piece of text.
enum class TextIssueKind {
    invalid_utf8,     ///< malformed, overlong or truncated sequence, or a UTF-8-encoded surrogate
    nul,              ///< a NUL byte
    control_character ///< C0 control other than TAB/LF/CR, or U+FFFE/U+FFFF
};

/// The first problem in a piece of text.
struct TextIssue {
    std::size_t byte = 0; ///< 0-based byte offset of the offending sequence
    TextIssueKind kind = TextIssueKind::invalid_utf8;
    char32_t code_point = 0; ///< the code point, for control_character
};

/// The first issue in @p text, or nothing when the text is valid.
[[nodiscard]] std::optional<TextIssue> find_text_issue(std::string_view text) noexcept;

/// "invalid UTF-8 at byte N", "NUL at byte N", "control character U+0001 at byte N".
[[nodiscard]] std::string describe_text_issue(const TextIssue &issue);

/// @p text made valid: each malformed sequence (and each UTF-8-encoded surrogate) becomes
/// U+FFFD; NUL and other illegal controls are dropped; U+FFFE/U+FFFF become U+FFFD.
/// Valid text is returned unchanged.
[[nodiscard]] std::string sanitize_text(std::string_view text);

/// Advice for a file read as UTF-8 of whose @p records (almost: 90 %) every one failed with
/// invalid_utf8: "FILE: 9 of 10 rows are not valid UTF-8: ... --encoding cp1251 ...".
/// "" when it does not apply (fewer failures, or none). One wording for every reader.
[[nodiscard]] std::string encoding_hint(std::string_view file, std::size_t invalid_utf8,
                                        std::size_t records);

} // namespace borderwatch
