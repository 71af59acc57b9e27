// The GeoJSON reader of io/vector_features (geodata files, and the border files users give to
// --border): any bytes. Read through the GeoJSON reader itself, not by file name.
#include <borderwatch/core/error.hpp>

#include "io/vector_features.hpp"

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static borderwatch::fuzz::MemoryFile file;
    const auto path = file.write(borderwatch::fuzz::as_text(data, size));
    try {
        (void)borderwatch::detail::read_geojson_vector_features(path, {"id", "left", "right"});
    } catch (const borderwatch::Error &) {
        // refused with a message naming the file: the expected outcome for bad input
    }
    return 0;
}
