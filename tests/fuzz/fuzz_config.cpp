// The update config (TOML): any text. Errors must be UsageError naming the file; nothing
// else may escape.
#include <borderwatch/core/error.hpp>
#include <borderwatch/schedule/update.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string text(borderwatch::fuzz::as_text(data, size));
    try {
        (void)borderwatch::parse_update_config(text, "/nonexistent-fuzz-dir", "fuzz.toml");
    } catch (const borderwatch::UsageError &) {
    } catch (const borderwatch::InputError &) {
    }
    return 0;
}
