#include <borderwatch/core/text_table.hpp>

#include <algorithm>

namespace borderwatch {

std::size_t display_width(std::string_view text) noexcept {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
    }));
}

void write_text_table(std::ostream &out, const std::vector<std::string> &header,
                      const std::vector<std::vector<std::string>> &rows,
                      const std::vector<bool> &right_align) {
    const std::size_t columns = header.size();
    std::vector<std::size_t> width(columns);
    for (std::size_t i = 0; i < columns; ++i) {
        width[i] = display_width(header[i]);
        for (const auto &row : rows) {
            if (i < row.size()) {
                width[i] = std::max(width[i], display_width(row[i]));
            }
        }
    }
    const auto write_line = [&](const std::vector<std::string> &row) {
        std::string line;
        for (std::size_t i = 0; i < columns; ++i) {
            const std::string empty;
            const std::string &cell = i < row.size() ? row[i] : empty;
            const std::string pad(width[i] - display_width(cell), ' ');
            const bool right = i < right_align.size() && right_align[i];
            line += right ? pad + cell : cell + pad;
            if (i + 1 < columns) {
                line += "  ";
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out << line << '\n';
    };
    write_line(header);
    for (const auto &row : rows) {
        write_line(row);
    }
}

} // namespace borderwatch
