# Writes OUT: `inline constexpr char k_gazetteer_code_hash[] = "<16 hex>";`, a hash of the
# contents of FILES (a ;-list). Run at build time whenever one of them changes.
# Usage: cmake -DOUT=file.inc -DFILES="a.cpp;b.hpp" -P HashFiles.cmake
set(all "")
foreach(file IN LISTS FILES)
    file(SHA256 ${file} one)
    get_filename_component(name ${file} NAME)
    string(APPEND all "${name}:${one}\n")
endforeach()
string(SHA256 digest "${all}")
string(SUBSTRING ${digest} 0 16 digest)
set(content "inline constexpr char k_gazetteer_code_hash[] = \"${digest}\";\n")
if(EXISTS ${OUT})
    file(READ "${OUT}" old)
    if(old STREQUAL "${content}")
        return() # unchanged: keep the timestamp, nothing recompiles
    endif()
endif()
file(WRITE "${OUT}" "${content}")
