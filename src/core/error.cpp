#include <borderwatch/core/error.hpp>

namespace borderwatch {

std::string SourceLocation::to_string() const {
    std::string out = file.empty() ? std::string("<input>") : file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) {
            out += ':' + std::to_string(column);
        }
    }
    out += ':';
    if (!field.empty()) {
        out += " field '" + field + "':";
    }
    return out;
}

namespace {
std::string format_input_error(const SourceLocation &location, const std::string &message) {
    return location.to_string() + ' ' + message;
}
} // namespace

InputError::InputError(SourceLocation location, const std::string &message)
    : Error(format_input_error(location, message)), m_location(std::move(location)),
      m_message(message) {}

} // namespace borderwatch
