// UCDP GED `geom_wkt`: the input is the field's value, in an otherwise valid row.
#include <borderwatch/core/csv.hpp>
#include <borderwatch/core/error.hpp>
#include <borderwatch/import/import.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    std::string text = "id,year,where_prec,date_prec,best,low,high,date_start,date_end,"
                       "country,adm_1,adm_2,where_coordinates,geom_wkt\n"
                       "1,2025,1,1,1,1,1,2025-11-26,2025-11-26,Tajikistan,Khatlon,,Panj,";
    text += borderwatch::csv_escape(borderwatch::fuzz::as_text(data, size), ',',
                                    borderwatch::CsvFormulas::raw);
    text += '\n';
    static borderwatch::fuzz::MemoryFile file;
    const auto path = file.write(text);
    try {
        auto reader = borderwatch::open_incident_reader(path, borderwatch::IncidentFormat::ucdp);
        if (auto record = reader->next()) {
            const auto &x = record->incident;
            // A WKT that parsed must give a coordinate in range, never NaN or out of bounds.
            if (x.lon && !(*x.lon >= -180.0 && *x.lon <= 180.0)) {
                __builtin_trap();
            }
            if (x.lat && !(*x.lat >= -90.0 && *x.lat <= 90.0)) {
                __builtin_trap();
            }
        }
    } catch (const borderwatch::Error &) {
    }
    return 0;
}
