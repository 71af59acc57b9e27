#!/bin/sh
# scripts/build-geodata must reproduce the committed geodata/ byte for byte.
# Skips (exit 77) when the raw sources are not present next to the repository.
set -eu
repo=$1
sources=${BORDERWATCH_SOURCES:-$repo/../shared/geodata-sources}
if [ ! -d "$sources" ]; then
    echo "SKIPPED(geodata-sources): raw sources not found at $sources (set BORDERWATCH_SOURCES)"
    exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$repo/scripts/build-geodata" --sources "$sources" --out "$out/a" >/dev/null 2>&1
"$repo/scripts/build-geodata" --sources "$sources" --out "$out/b" >/dev/null 2>&1
diff -r "$out/a" "$out/b"
# The committed files are exactly what the script makes (README.md is hand-written).
diff -r --exclude=README.md "$out/a" "$repo/geodata"
echo "geodata reproducible: $(find "$out/a" -type f | wc -l) files identical"
