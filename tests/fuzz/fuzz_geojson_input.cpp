// GeoJSON incident input (and the JSON depth guard under it): any bytes.
#include <borderwatch/core/error.hpp>
#include <borderwatch/import/import.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static borderwatch::fuzz::MemoryFile file;
    const auto path = file.write(borderwatch::fuzz::as_text(data, size));
    std::unique_ptr<borderwatch::IncidentReader> reader;
    try {
        reader = borderwatch::open_incident_reader(path, borderwatch::IncidentFormat::geojson);
    } catch (const borderwatch::Error &) {
        return 0;
    }
    for (int rows = 0; rows < 10000; ++rows) {
        try {
            if (!reader->next()) {
                break;
            }
        } catch (const borderwatch::InputError &) {
        }
    }
    return 0;
}
