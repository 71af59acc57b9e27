#!/usr/bin/env python3
"""Generates the QGIS .qml styles and kml_styles.json in this directory (run after editing
the colour/band tables below; the generated files are committed)."""
import json, os, uuid
OUT = os.path.dirname(os.path.abspath(__file__))
EVENT_TYPES = [
    ("Battles", "#e41a1c", "target"),
    ("Explosions/Remote violence", "#ff7f00", "caution"),
    ("Violence against civilians", "#984ea3", "man"),
    ("Protests", "#4daf4a", "flag"),
    ("Riots", "#a65628", "forbidden"),
    ("Strategic developments", "#377eb8", "info-i"),
]
BANDS = [("0-1", 0, 1, "#b2182b"), ("1-5", 1, 5, "#d6604d"), ("5-10", 5, 10, "#f4a582"),
         ("10-25", 10, 25, "#fddbc7"), ("25-50", 25, 50, "#d1e5f0"), (">50", 50, None, "#f7f7f7")]
GOOGLE = "http://maps.google.com/mapfiles/kml/shapes/{}.png"
# The uncertainty layer, categorised by its `shape` field (incidents/uncertainty.hpp): the
# region an incident may lie in. Colour, fill opacity (0..1), outline width (mm in QGIS,
# pixels in KML).
UNCERTAINTY = [("circle", "geodesic circle (near a place / linear feature)", "#ff7f00", 0.18, 0.4),
               ("admin2", "district", "#e7298a", 0.12, 0.4),
               ("admin1", "province / region", "#7570b3", 0.08, 0.4),
               ("country", "country", "#666666", 0.04, 0.4)]

# Graduated classes shared by the QGIS styles, kml_styles.json ("graduated", drawn by the
# HTML map) and so by every legend.
# border sectors by incident count: (lower, upper, label, colour, width mm)
SECT = [(0, 0, "no incidents", "#bdbdbd", 0.8), (0.5, 2, "1-2", "#fdae6b", 1.6), (2.5, 5, "3-5", "#f16913", 2.2),
        (5.5, 10, "6-10", "#d94801", 2.8), (10.5, 1e9, "> 10", "#7f2704", 3.4)]
# admin stats: districts (level 2) graduated by incident count; regions/provinces (level 1)
# drawn as bold outlines: (lower, upper, label, fill, fill alpha 0..255, outline, width mm)
ADMIN = [(-1.5, -0.5, "region / province", "#ffffff", 0, "#333333", 0.6),
         (-0.5, 0.5, "district: no incidents", "#ffffff", 0, "#9a9a9a", 0.15),
         (0.5, 2.5, "district: 1-2 incidents", "#fcae91", 110, "#9a9a9a", 0.15),
         (2.5, 10.5, "district: 3-10 incidents", "#fb6a4a", 130, "#9a9a9a", 0.15),
         (10.5, 1e9, "district: > 10 incidents", "#cb181d", 150, "#9a9a9a", 0.15)]

def slug(s):
    return ''.join(c.lower() if c.isalnum() else '-' for c in s).strip('-').replace('--', '-')

kml = {
  "_comment": "KML styles per layer, read by borderwatch's KML writer. Colours #rrggbb with opacity 0..1; icons are Google Earth's standard shapes. A layer has either one style (id) or categories keyed by a field value (incidents: event_type, distance_bands: band label, admin_stats: level, uncertainty: shape) plus a default. \"graduated\": the classes of the QGIS graduated renderer (min <= value <= max; counts never fall on a bound), for the HTML map and its legend.",
  "layers": {
    "incidents": {
      "field": "event_type",
      "categories": {et: {"id": "incident-" + slug(et), "color": c, "opacity": 1.0, "scale": 1.1, "icon": GOOGLE.format(icon)} for et, c, icon in EVENT_TYPES},
      "default": {"id": "incident-other", "color": "#999999", "opacity": 1.0, "scale": 1.0, "icon": GOOGLE.format("placemark_circle")}
    },
    "border": {"id": "border", "line_color": "#000000", "line_opacity": 1.0, "line_width": 4},
    "border_sectors": {"id": "border-sector", "line_color": "#ff00ff", "line_opacity": 0.7, "line_width": 6,
      "graduated": {"field": "count", "classes": [{"min": lo, "max": hi, "label": lab, "line_color": c, "line_width_mm": w} for lo, hi, lab, c, w in SECT]}},
    "distance_bands": {
      "field": "band",
      "categories": {label: {"id": "band-" + slug(label.replace('>', 'gt')), "line_color": col, "line_opacity": 0.8, "line_width": 1, "fill_color": col, "fill_opacity": 0.45} for label, lo, hi, col in BANDS},
      "default": {"id": "band-other", "line_color": "#888888", "line_width": 1, "fill_color": "#888888", "fill_opacity": 0.3}
    },
    "admin_stats": {
      "field": "level",
      "categories": {
        "1": {"id": "admin1", "line_color": "#333333", "line_opacity": 1.0, "line_width": 2.5, "fill_color": "#ffffff", "fill_opacity": 0.0},
        "2": {"id": "admin2", "line_color": "#777777", "line_opacity": 0.8, "line_width": 1, "fill_color": "#ffffff", "fill_opacity": 0.0}
      },
      "default": {"id": "admin-other", "line_color": "#777777", "line_width": 1, "fill_color": "#ffffff", "fill_opacity": 0.0},
      "graduated": {"field": "count", "level": 2, "classes": [{"min": lo, "max": hi, "label": lab, "fill_color": c, "fill_opacity": round(a / 255, 3), "line_color": oc, "line_width_mm": ow} for lo, hi, lab, c, a, oc, ow in ADMIN[1:]]}
    },
    "connectors": {"id": "connector", "line_color": "#555555", "line_opacity": 0.8, "line_width": 1.5},
    "uncertainty": {
      "field": "shape",
      "categories": {shape: {"id": "uncertainty-" + shape, "line_color": col, "line_opacity": 0.9, "line_width": 1.5, "fill_color": col, "fill_opacity": fo} for shape, lab, col, fo, w in UNCERTAINTY},
      "default": {"id": "uncertainty-other", "line_color": "#999999", "line_width": 1, "fill_color": "#999999", "fill_opacity": 0.05}
    }
  }
}
with open(os.path.join(OUT, 'kml_styles.json'), 'w') as f:
    json.dump(kml, f, indent=2, ensure_ascii=False)
    f.write('\n')

def rgba(hexcol, alpha=255):
    h = hexcol.lstrip('#')
    return "%d,%d,%d,%d" % (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha)

def opt(name, value, typ="QString"):
    return '<Option name="%s" type="%s" value="%s"/>' % (name, typ, value)

def esc(s):
    return s.replace('&', '&amp;').replace('"', '&quot;').replace('<', '&lt;').replace('>', '&gt;')

def dd(props):
    """data-defined properties collection: {prop: expression}"""
    if not props:
        return ('<data_defined_properties><Option type="Map">' + opt("name", "") +
                '<Option name="properties"/>' + opt("type", "collection") + '</Option></data_defined_properties>')
    inner = ''.join('<Option name="%s" type="Map">%s%s%s</Option>' % (
        k, opt("active", "true", "bool"), opt("expression", esc(v)), opt("type", "3", "int")) for k, v in props.items())
    return ('<data_defined_properties><Option type="Map">' + opt("name", "") +
            '<Option name="properties" type="Map">' + inner + '</Option>' + opt("type", "collection") +
            '</Option></data_defined_properties>')

def symbol(name, kind, layer_class, options, ddprops=None, alpha="1"):
    o = ''.join(opt(k, v) for k, v in options.items())
    return ('<symbol type="%s" name="%s" alpha="%s" clip_to_extent="1" force_rhr="0">' % (kind, name, alpha) +
            dd(None) +
            '<layer class="%s" enabled="1" pass="0" locked="0"><Option type="Map">%s</Option>%s</layer></symbol>' % (
                layer_class, o, dd(ddprops)))

def marker(name, color, size_expr):
    return symbol(name, "marker", "SimpleMarker", {
        "angle": "0", "color": rgba(color, 230), "horizontal_anchor_point": "1", "joinstyle": "bevel",
        "name": "circle", "offset": "0,0", "offset_unit": "MM", "outline_color": "35,35,35,255",
        "outline_style": "solid", "outline_width": "0.3", "outline_width_unit": "MM", "scale_method": "diameter",
        "size": "2.6", "size_unit": "MM", "vertical_anchor_point": "1"}, {"size": size_expr})

def line(name, color, width, alpha=255, style="solid"):
    return symbol(name, "line", "SimpleLine", {
        "capstyle": "round", "joinstyle": "round", "line_color": rgba(color, alpha), "line_style": style,
        "line_width": str(width), "line_width_unit": "MM", "offset": "0", "offset_unit": "MM"})

def fill(name, color, alpha, outline, outline_width, outline_alpha=255, style="solid"):
    return symbol(name, "fill", "SimpleFill", {
        "color": rgba(color, alpha), "joinstyle": "bevel", "offset": "0,0", "offset_unit": "MM",
        "outline_color": rgba(outline, outline_alpha), "outline_style": "solid", "outline_width": str(outline_width),
        "outline_width_unit": "MM", "style": style})

HEAD = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22.16-Białowieża\" styleCategories=\"{}\"{}>\n"
TAIL = "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n  <layerOpacity>1</layerOpacity>\n</qgis>\n"

# QGIS temporal properties (Layer Properties > Temporal), as QGIS 3.22 saves them
# (QgsVectorLayerTemporalProperties::writeXml): mode 2 = "Separate Fields for Start and End
# Date/Time" (ModeFeatureDateTimeStartAndEndFromFields), limitMode 1 = include the end
# (an incident whose event_date_end is the frame's first day still shows: dates are
# midnight, so excluding the end would hide every single-day incident).
def temporal(start_field, end_field):
    return ('  <temporal enabled="1" mode="2" startField="%s" endField="%s" startExpression="" '
            'endExpression="" durationField="" durationUnit="min" fixedDuration="0" '
            'accumulate="0" limitMode="1">\n    <fixedRange>\n      <start></start>\n      <end></end>\n'
            '    </fixedRange>\n  </temporal>\n' % (start_field, end_field))

def write(name, comment, renderer, labeling=None, extra=""):
    categories = "Symbology|Labeling" + ("|Temporal" if "<temporal" in extra else "")
    with open(os.path.join(OUT, name + '.qml'), 'w') as f:
        f.write(HEAD.format(categories, ' labelsEnabled="1"' if labeling else '') + "  <!-- " + comment + " -->\n" +
                renderer + "\n" + (labeling + "\n" if labeling else "") + extra + TAIL)
def labels(expression, layer_type="PointGeometry", placement="6"):
    """Simple labeling (QGIS 3.22 <labeling type="simple">) with @p expression: grey text on a
    white buffer, placed around the point; overlapping labels are dropped by QGIS."""
    return ('  <labeling type="simple"><settings calloutType="simple">'
            '<text-style fieldName="%s" isExpression="1" fontFamily="Sans Serif" namedStyle="Regular" '
            'fontSize="7.5" fontSizeUnit="Point" fontWeight="50" fontItalic="0" fontUnderline="0" '
            'fontStrikeout="0" fontKerning="1" fontLetterSpacing="0" fontWordSpacing="0" '
            'textColor="40,40,40,255" textOpacity="1" textOrientation="horizontal" multilineHeight="1" '
            'allowHtml="0" blendMode="0" useSubstitutions="0" capitalization="0" '
            'previewBkgrdColor="255,255,255,255">'
            '<families/>'
            '<text-buffer bufferDraw="1" bufferSize="0.7" bufferSizeUnits="MM" bufferColor="255,255,255,255" '
            'bufferOpacity="0.85" bufferNoFill="1" bufferJoinStyle="128" bufferBlendMode="0"/>'
            '<text-mask maskEnabled="0"/><background shapeDraw="0"/><shadow shadowDraw="0"/>'
            + dd(None).replace('data_defined_properties', 'dd_properties') +
            '<substitutions/></text-style>'
            '<text-format wrapChar="" multilineAlign="0" autoWrapLength="0" useMaxLineLengthForAutoWrap="1" '
            'addDirectionSymbol="0" formatNumbers="0" decimals="3" plussign="0"/>'
            '<placement placement="%s" dist="1.5" distUnits="MM" offsetType="0" quadOffset="4" xOffset="0" '
            'yOffset="0" offsetUnits="MM" predefinedPositionOrder="TR,TL,BR,BL,R,L,TSR,BSR" priority="5" '
            'placementFlags="10" centroidInside="0" centroidWhole="0" fitInPolygonOnly="0" '
            'layerType="%s" geometryGeneratorEnabled="0" overrunDistance="0" overrunDistanceUnit="MM" '
            'polygonPlacementFlags="2" rotationAngle="0" repeatDistance="0" repeatDistanceUnits="MM"/>'
            '<rendering drawLabels="1" scaleVisibility="0" obstacle="1" obstacleFactor="1" obstacleType="1" '
            'displayAll="0" upsidedownLabels="0" limitNumLabels="0" maxNumLabels="2000" minFeatureSize="0" '
            'mergeLines="0" labelPerPart="0" fontLimitPixelSize="0" fontMinPixelSize="3" '
            'fontMaxPixelSize="10000" zIndex="0" unplacedVisibility="0"/>'
            + dd(None).replace('data_defined_properties', 'dd_properties') +
            '</settings></labeling>') % (esc(expression), placement, layer_type)

# incidents: categorised by event_type, sized by fatalities
size_expr = 'coalesce(scale_linear(sqrt(coalesce("fatalities_best", 0)), 0, 10, 2.6, 9), 2.6)'
cats = ''.join('<category symbol="%d" value="%s" label="%s" render="true"/>' % (i, esc(et), esc(et)) for i, (et, c, _) in enumerate(EVENT_TYPES))
cats += '<category symbol="%d" value="" label="other" render="true"/>' % len(EVENT_TYPES)
syms = ''.join(marker(str(i), c, size_expr) for i, (et, c, _) in enumerate(EVENT_TYPES))
syms += marker(str(len(EVENT_TYPES)), "#999999", size_expr)
# Labels: how well each incident is located (precision code, uncertainty radius) and the
# gazetteer's confidence, from the exported fields (no second copy of the precision table).
INCIDENT_LABEL = ("concat('precision ', coalesce(to_string(\"precision\"), '?'), "
                  "CASE WHEN \"uncertainty_m\" > 0 THEN concat(' (within ', "
                  "format_number(\"uncertainty_m\" / 1000, 1), ' km)') ELSE '' END, "
                  "'\\n', 'confidence ', coalesce(format_number(\"place_score\", 2), 'n/a'))")
write("incidents", "incidents categorised by event_type; marker size grows with sqrt(fatalities_best); "
      "labels: precision and confidence; time slider: event_date .. event_date_end",
      '  <renderer-v2 type="categorizedSymbol" attr="event_type" symbollevels="0" forceraster="0" enableorderby="0">'
      '<categories>' + cats + '</categories><symbols>' + syms + '</symbols>'
      '<source-symbol>' + marker("0", "#999999", size_expr) + '</source-symbol>'
      '<rotation/><sizescale/></renderer-v2>', labels(INCIDENT_LABEL),
      temporal("event_date", "event_date_end"))

# border: bold line
write("border", "the border: bold black line over a white casing",
      '  <renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0"><symbols>' +
      symbol("0", "line", "SimpleLine", {"capstyle": "round", "joinstyle": "round", "line_color": "0,0,0,255",
             "line_style": "solid", "line_width": "1.2", "line_width_unit": "MM", "offset": "0", "offset_unit": "MM"}) +
      '</symbols><rotation/><sizescale/></renderer-v2>')

# connectors: thin dashed grey (only precise incidents have one: the others show their
# uncertainty region instead)
write("connectors", "precise incident to nearest border point: thin dashed grey",
      '  <renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0"><symbols>' +
      line("0", "#555555", 0.35, 200, "dash") + '</symbols><rotation/><sizescale/></renderer-v2>')

def graduated(attr, ranges, syms, method="GraduatedColor"):
    r = ''.join('<range lower="%s" upper="%s" symbol="%d" label="%s" render="true"/>' % (lo, hi, i, esc(lab))
                for i, (lo, hi, lab) in enumerate(ranges))
    return ('  <renderer-v2 type="graduatedSymbol" attr="%s" graduatedMethod="%s" symbollevels="0" forceraster="0" enableorderby="0">' % (attr, method) +
            '<ranges>' + r + '</ranges><symbols>' + syms + '</symbols>'
            '<colorramp type="gradient" name="[source]"><Option type="Map"><Option name="color1" type="QString" value="255,245,240,255"/><Option name="color2" type="QString" value="103,0,13,255"/></Option></colorramp>'
            '<classificationMethod id="Fixed"/><rotation/><sizescale/></renderer-v2>')

# border sectors: graded by incident count (colour and width)
write("border_sectors", "border sectors graded by incident count",
      graduated("count", [(lo, hi, lab) for lo, hi, lab, c, w in SECT],
                ''.join(line(str(i), c, w, 220) for i, (lo, hi, lab, c, w) in enumerate(SECT))))

# distance bands: graded by band start
BR = [(-0.5, 0.5), (0.5, 3), (3, 7.5), (7.5, 17.5), (17.5, 37.5), (37.5, 1e9)]
write("distance_bands", "distance bands graded by distance from the border (min_km)",
      graduated("min_km", [(BR[i][0], BR[i][1], lab + " km") for i, (lab, lo, hi, c) in enumerate(BANDS)],
                ''.join(fill(str(i), c, 0 if hi is None else 120, c, 0.2, 0 if hi is None else 200)
                        for i, (lab, lo, hi, c) in enumerate(BANDS))))

# admin stats: districts (level 2) graduated by incident count; regions/provinces (level 1)
# drawn as bold outlines (the graduated value is -1 for them). A graduated renderer on an
# expression rather than a rule-based one: it renders identically in QGIS 3.22+ and shows a
# plain legend.
write("admin_stats", "districts (level 2) graduated by incident count; regions/provinces (level 1) as outlines",
      graduated(esc('CASE WHEN "level" = 2 THEN "count" ELSE -1 END'),
                [(lo, hi, lab) for lo, hi, lab, c, a, oc, ow in ADMIN],
                ''.join(fill(str(i), c, a, oc, ow, 255, "solid" if a > 0 else "no")
                        for i, (lo, hi, lab, c, a, oc, ow) in enumerate(ADMIN))))
# uncertainty: categorised by shape; translucent fill, dashed outline, so the incident points
# and the other layers stay readable under the regions
cats = ''.join('<category symbol="%d" value="%s" label="%s" render="true"/>' % (i, shape, esc(lab))
               for i, (shape, lab, c, fo, w) in enumerate(UNCERTAINTY))
cats += '<category symbol="%d" value="" label="other" render="true"/>' % len(UNCERTAINTY)
def region(name, c, fo, w):
    return symbol(name, "fill", "SimpleFill", {
        "color": rgba(c, int(round(fo * 255))), "joinstyle": "bevel", "offset": "0,0", "offset_unit": "MM",
        "outline_color": rgba(c, 230), "outline_style": "dash", "outline_width": str(w),
        "outline_width_unit": "MM", "style": "solid"})
syms = ''.join(region(str(i), c, fo, w) for i, (shape, lab, c, fo, w) in enumerate(UNCERTAINTY))
syms += region(str(len(UNCERTAINTY)), "#999999", 0.05, 0.3)
write("uncertainty", "where each imprecise incident may lie: geodesic circle or admin unit, by shape",
      '  <renderer-v2 type="categorizedSymbol" attr="shape" symbollevels="0" forceraster="0" enableorderby="0">'
      '<categories>' + cats + '</categories><symbols>' + syms + '</symbols>'
      '<source-symbol>' + region("0", "#999999", 0.05, 0.3) + '</source-symbol>'
      '<rotation/><sizescale/></renderer-v2>')
print("ok")
