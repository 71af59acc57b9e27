#!/usr/bin/env python3
"""Independent checks of a borderwatch export directory (no borderwatch code involved).

usage: validate_export.py EXPORT_DIR KML_XSD GEOJSON_SCHEMA

- every *.geojson: JSON Schema written from RFC 7946 (python3-jsonschema), plus the rules a
  schema cannot express: right-hand winding (exteriors counter-clockwise, holes clockwise),
  closed rings, bbox present and enclosing every position (collection and non-point
  features), at most 7 decimals, no "crs";
- borderwatch.kml: xmllint --schema ogckml22.xsd;
- read back with GDAL (ogr): GeoJSON, CSV, GPKG (and KML through LIBKML when present), with
  the feature counts listed in manifest.json; manifest sha256 and sizes match the files.
Exit 0 = all good, 1 = a check failed (messages on stderr), 77 = a required tool is missing.
"""
import hashlib
import json
import os
import subprocess
import sys

def fail(msg):
    print("validate_export: " + msg, file=sys.stderr)
    sys.exit(1)

try:
    import jsonschema
    from osgeo import ogr, gdal
except ImportError as e:  # pragma: no cover
    print("SKIPPED(python-validators): validate_export: missing module: %s" % e, file=sys.stderr)
    sys.exit(77)

gdal.UseExceptions()
export_dir, kml_xsd, schema_path = sys.argv[1:4]
manifest = json.load(open(os.path.join(export_dir, "manifest.json"), encoding="utf-8"))
schema = json.load(open(schema_path, encoding="utf-8"))
validator = jsonschema.Draft7Validator(schema)

def signed_area(ring):
    a = 0.0
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:]):
        a += x1 * y2 - x2 * y1
    return a / 2

def positions(geom):
    t, c = geom["type"], geom["coordinates"]
    if t == "Point":
        yield c
    elif t in ("LineString",):
        yield from c
    elif t in ("MultiLineString", "Polygon"):
        for part in c:
            yield from part
    elif t == "MultiPolygon":
        for poly in c:
            for ring in poly:
                yield from ring

def check_polygon(rings, where):
    for i, ring in enumerate(rings):
        if ring[0] != ring[-1]:
            fail("%s: ring %d is not closed" % (where, i))
        area = signed_area(ring)
        if i == 0 and area < 0:
            fail("%s: exterior ring is clockwise (RFC 7946 3.1.6 wants counter-clockwise)" % where)
        if i > 0 and area > 0:
            fail("%s: hole %d is counter-clockwise (RFC 7946 3.1.6 wants clockwise)" % (where, i))

def inside(bbox, pts, where):
    w, s, e, n = bbox
    for p in pts:
        if not (w <= p[0] <= e and s <= p[1] <= n):
            fail("%s: position %s outside bbox %s" % (where, p, bbox))

def check_geojson(path):
    raw = open(path, "rb").read()
    doc = json.loads(raw.decode("utf-8"))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        fail("%s: schema: %s at %s" % (path, e.message[:300], "/".join(map(str, e.path))))
    allpts = []
    for k, f in enumerate(doc["features"]):
        g = f["geometry"]
        if g is None:
            continue
        where = "%s: feature %d" % (os.path.basename(path), k)
        if g["type"] == "Polygon":
            check_polygon(g["coordinates"], where)
        elif g["type"] == "MultiPolygon":
            for poly in g["coordinates"]:
                check_polygon(poly, where)
        pts = list(positions(g))
        for p in pts:
            for v in p:
                if abs(round(v, 7) - v) > 1e-12:
                    fail("%s: coordinate %r has more than 7 decimals" % (where, v))
        if g["type"] != "Point":
            if "bbox" not in f:
                fail("%s: no bbox" % where)
            inside(f["bbox"], pts, where)
        allpts.extend(pts)
    if allpts:
        if "bbox" not in doc:
            fail("%s: collection has no bbox" % path)
        inside(doc["bbox"], allpts, path)
    return len(doc["features"])

layer_counts = {}
for entry in manifest["files"]:
    path = os.path.join(export_dir, entry["path"])
    if not os.path.exists(path):
        fail("manifest lists missing file %s" % entry["path"])
    data = open(path, "rb").read()
    if hashlib.sha256(data).hexdigest() != entry["sha256"] or len(data) != entry["bytes"]:
        fail("%s: sha256/size differ from manifest.json" % entry["path"])
    fmt = entry["format"]
    if fmt == "geojson":
        n = check_geojson(path)
        (layer, expected), = entry["layers"].items()
        if n != expected:
            fail("%s: %d features, manifest says %d" % (path, n, expected))
    if fmt == "kml":
        r = subprocess.run(["xmllint", "--noout", "--schema", kml_xsd, path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("%s: KML schema validation failed:\n%s" % (path, r.stderr[-3000:]))
    # Read back with GDAL, counting features per layer.
    if fmt == "kml" and gdal.GetDriverByName("LIBKML") is None:
        continue
    ds = gdal.OpenEx(path, gdal.OF_VECTOR, allowed_drivers=["LIBKML"] if fmt == "kml" else [],
                     open_options=["GEOM_POSSIBLE_NAMES=WKT"] if fmt == "csv" else [])
    if ds is None:
        fail("%s: GDAL cannot open it" % path)
    for layer, expected in entry["layers"].items():
        lyr = ds.GetLayerByName(layer) if ds.GetLayerCount() > 1 or fmt in ("gpkg", "kml") else ds.GetLayer(0)
        if lyr is None:
            fail("%s: GDAL finds no layer %s" % (path, layer))
        n = 0
        for _ in lyr:
            n += 1
        if n != expected:
            fail("%s: GDAL reads %d features in %s, manifest says %d" % (path, n, layer, expected))
        layer_counts.setdefault(layer, set()).add(n)
for layer, counts in layer_counts.items():
    if len(counts) != 1:
        fail("layer %s has different feature counts across formats: %s" % (layer, sorted(counts)))
print("validate_export: %s ok (%d files)" % (export_dir, len(manifest["files"])))
