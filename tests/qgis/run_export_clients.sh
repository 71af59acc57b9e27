#!/bin/sh
# CTest driver (label qgis): import the bundled sample into a fresh store, export every
# format, validate the files independently (RFC 7946 schema + checks, KML XSD, GDAL
# read-back) and open them in real QGIS, rendering a PNG.
# usage: run_export_clients.sh BORDERWATCH_EXE REPO_ROOT WORK_DIR
# Exit 77 (skipped) when python3-qgis is not installed.
set -eu
exe=$1 repo=$2 work=$3
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3   # Debian's python sees python3-qgis/gdal
if ! "$py" -c "import qgis.core" 2>/dev/null; then
    echo "SKIPPED(qgis): run_export_clients: python3-qgis not installed (scripts/setup installs it)" >&2
    exit 77
fi
rm -rf "$work"
mkdir -p "$work"
"$exe" import --store "$work/store.gpkg" "$repo/samples/border_incidents_2025.csv" >/dev/null
"$exe" export --store "$work/store.gpkg" --out "$work/out" >/dev/null
"$py" "$repo/tests/qgis/validate_export.py" "$work/out" \
    "$repo/tests/data/schemas/kml-2.2/ogckml22.xsd" "$repo/tests/data/export/geojson-rfc7946.schema.json"
"$py" "$repo/tests/qgis/check_layers.py" "$work/out" "$work/map.png" "$repo/styles"
