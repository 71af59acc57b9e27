// Uses one library function through the installed headers and library: the default bands
// from the one `--bands` parser. Prints the labels; check_install.cmake compares them.
#include <borderwatch/stats/bands.hpp>

#include <iostream>

int main() {
    const auto edges = borderwatch::parse_band_edges("1, 5,10");
    for (const auto &label : borderwatch::band_labels(edges)) {
        std::cout << label << '\n';
    }
    return 0;
}
