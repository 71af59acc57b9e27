#pragma once
// Sentences of an article (ICU sentence break iterator, paragraph = one line).
#include <cstddef>
#include <string_view>
#include <vector>

namespace borderwatch::detail {

/// A sentence: byte offsets in the article text and the index of its paragraph.
struct TextSpan {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t paragraph = 0;
};

/// The sentences of @p text, paragraph by paragraph (a line is a paragraph).
/// @throws DataError if ICU's sentence rules are missing
std::vector<TextSpan> sentence_spans(std::string_view text);

/// Code points in @p text before @p byte_offset (the character offsets of the evidence).
std::size_t code_points_before(std::string_view text, std::size_t byte_offset);

} // namespace borderwatch::detail
