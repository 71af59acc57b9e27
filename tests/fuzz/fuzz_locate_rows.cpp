// locate --input rows: any bytes through the text input (first byte picks the encoding) and
// the CSV reader with delimiter detection, then the header and every row through the library's
// locate row parser. Oracle: an accepted row has valid text (core/utf8) in every field and
// coordinates in range; a rejected row names a column that exists.
#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/core/text_input.hpp>
#include <borderwatch/core/utf8.hpp>
#include <borderwatch/placement/locate_rows.hpp>

#include <sstream>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static const char *const encodings[] = {"", "cp1251", "UTF-16", "UTF-16LE"};
    const std::string encoding = encodings[data[0] % 4];
    std::istringstream raw(std::string(borderwatch::fuzz::as_text(data + 1, size - 1)));
    try {
        borderwatch::TextInput in(raw, "fuzz.csv", encoding);
        borderwatch::CsvReader reader(in, "fuzz.csv", borderwatch::CsvReader::detect_separator);
        const auto header = reader.next();
        if (!header) {
            return 0;
        }
        const auto columns = borderwatch::find_locate_columns(header->fields, "", "",
                                                              {"fuzz.csv", header->line, 0, ""});
        borderwatch::CsvRecord record;
        while (reader.next(record)) {
            double lon = 0.0;
            double lat = 0.0;
            const auto problem =
                borderwatch::parse_locate_row(record.fields, header->fields, columns, lon, lat);
            if (problem) {
                if (problem->column > record.fields.size()) {
                    __builtin_trap();
                }
                continue;
            }
            if (!(lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0)) {
                __builtin_trap();
            }
            for (const auto &field : record.fields) {
                if (borderwatch::find_text_issue(field)) {
                    __builtin_trap();
                }
            }
        }
    } catch (const borderwatch::InputError &) {
        // no lon/lat columns, a bad header, an unterminated quote, UTF-16 without an encoding
    }
    return 0;
}
