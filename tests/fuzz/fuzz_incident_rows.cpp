// Every importer's row conversion: the first byte picks the layout (native, ACLED, UCDP or
// auto-detected), the rest is the file. Bad rows must come back as InputError naming a line;
// nothing else may escape, and the reader must stay usable after a bad row.
#include <borderwatch/core/error.hpp>
#include <borderwatch/import/import.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using borderwatch::IncidentFormat;
    if (size == 0) {
        return 0;
    }
    static constexpr IncidentFormat formats[] = {IncidentFormat::native, IncidentFormat::acled,
                                                 IncidentFormat::ucdp, IncidentFormat::auto_detect};
    static borderwatch::fuzz::MemoryFile file;
    const auto path = file.write(borderwatch::fuzz::as_text(data + 1, size - 1));
    std::unique_ptr<borderwatch::IncidentReader> reader;
    try {
        reader = borderwatch::open_incident_reader(path, formats[data[0] % 4]);
    } catch (const borderwatch::Error &) {
        return 0; // unusable header or undetectable layout: reported, fine
    }
    for (int rows = 0; rows < 10000; ++rows) {
        try {
            if (!reader->next()) {
                break;
            }
        } catch (const borderwatch::InputError &e) {
            if (e.location().line == 0) {
                __builtin_trap(); // a bad row must name its line
            }
        }
    }
    return 0;
}
