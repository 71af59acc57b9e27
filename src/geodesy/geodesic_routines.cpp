// PROJ's geodesic routines, resolved from libproj on first use (see geodesy/wgs84.hpp).
#include "geodesy/wgs84.hpp"

#include <cstdio>
#include <cstdlib>

#include <dlfcn.h>

namespace borderwatch::detail {

namespace {

[[noreturn]] void unusable_proj(const char *what) noexcept {
    std::fprintf(stderr, "borderwatch: error: cannot use PROJ's geodesic routines (%s): %s\n",
                 BORDERWATCH_PROJ_SONAME, what != nullptr ? what : "unknown reason");
    std::exit(1);
}

template <class Function> void resolve(void *library, const char *name, Function &out) noexcept {
    void *symbol = ::dlsym(library, name);
    if (symbol == nullptr) {
        unusable_proj(::dlerror());
    }
    out = reinterpret_cast<Function>(symbol);
}

GeodesicRoutines load() noexcept {
    // The library this program was built against (its soname); already loaded when GDAL is.
    void *library = ::dlopen(BORDERWATCH_PROJ_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        unusable_proj(::dlerror());
    }
    GeodesicRoutines r{};
    resolve(library, "geod_init", r.init);
    resolve(library, "geod_inverse", r.inverse);
    resolve(library, "geod_direct", r.direct);
    resolve(library, "geod_geninverse", r.geninverse);
    resolve(library, "geod_inverseline", r.inverseline);
    resolve(library, "geod_lineinit", r.lineinit);
    resolve(library, "geod_position", r.position);
    return r; // the library stays loaded for the life of the process
}

} // namespace

const GeodesicRoutines &geod() noexcept {
    static const GeodesicRoutines routines = load();
    return routines;
}

} // namespace borderwatch::detail
