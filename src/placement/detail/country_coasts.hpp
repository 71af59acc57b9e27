#pragma once
// The nearest country to a point at sea (world mode's nearest_country): the exact geodesic
// distance to each country's boundary (coast and land boundaries, every ring), with the same
// engine as the borders. A country's rings are indexed on first use; a padded ECEF box per
// country gives a rigorous lower bound (a chord is never longer than the geodesic), so only
// countries that may be nearer than the best found so far are searched.

#include <borderwatch/geodata/reference_polygons.hpp>

#include "placement/detail/border_index.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace borderwatch::detail {

class CountryCoasts {
  public:
    explicit CountryCoasts(std::shared_ptr<const ReferencePolygons> polygons);

    struct Nearest {
        std::string_view iso3; ///< "" when there is no country at all
        double distance_m = 0.0;
    };
    /// The country whose boundary is nearest to the point. Thread-safe.
    [[nodiscard]] Nearest nearest(double lon, double lat) const;
    /// nearest() without the lower bounds: every country searched (a baseline for tests).
    [[nodiscard]] Nearest nearest_searching_all(double lon, double lat) const;

  private:
    struct Box {
        std::array<double, 3> lo, hi; // ECEF metres, padded to hold every edge's geodesic
    };
    const BorderIndex &index(std::size_t k) const;

    std::shared_ptr<const ReferencePolygons> m_polygons;
    std::vector<Box> m_boxes; // per country polygon; empty box (lo > hi) for none
    std::unique_ptr<std::once_flag[]> m_once;
    mutable std::vector<std::unique_ptr<BorderIndex>> m_index;
};

} // namespace borderwatch::detail
