#!/usr/bin/env python3
"""Open a borderwatch export in real QGIS (headless) and render it.

usage: check_layers.py EXPORT_DIR PNG_OUT [STYLES_DIR]

Checks, for the GeoPackage, every GeoJSON file and the KML document:
- every layer loads and is valid, with the feature count listed in manifest.json;
- GeoPackage layers come up with the default style stored in layer_styles (QGIS applies
  it on load): incidents categorised (not the plain single symbol), bands graduated,
  admin_stats rule-based;
- with STYLES_DIR: each styles/<layer>.qml loads by hand onto the GeoJSON layer (as a user
  would do in QGIS) and gives the same renderer;
- the incidents layer's dates are typed (GeoPackage: event_date/event_date_end Date,
  updated_at DateTime) and its temporal properties are active with the GeoPackage's default
  style (layer_styles) and with styles/incidents.qml on the GeoJSON layer: start and end from
  expressions on event_date / event_date_end (the end is the next midnight), and a one-day
  frame of the time slider shows each incident on its first and last day and not outside. (QGIS 3.22 applies a default style on open and
  then resets the temporal "enabled" flag from the provider's capabilities, keeping mode and
  fields: the check re-applies the default style, as Layer Properties > Style > Default
  does, when the layer comes up inactive; a QGIS that keeps the flag passes directly.)
then renders the GeoPackage layers to PNG_OUT (QgsMapRendererSequentialJob).
Exit 0 ok, 1 failure, 77 when python3-qgis is not installed.
"""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import tempfile
if "XDG_RUNTIME_DIR" not in os.environ:
    os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="bw-qgis-runtime-")  # mode 0700

try:
    from qgis.core import (QgsApplication, QgsVectorLayer, QgsProject, QgsMapSettings,
                           QgsMapRendererSequentialJob, QgsRectangle, QgsCoordinateReferenceSystem,
                           QgsVectorLayerTemporalProperties, QgsVectorLayerTemporalContext,
                           QgsDateTimeRange, QgsFeatureRequest)
    from qgis.PyQt.QtCore import QSize, QVariant, QDate, QDateTime, QTime, Qt
    from qgis.PyQt.QtGui import QColor
except ImportError as e:
    print("SKIPPED(qgis): check_layers: python3-qgis missing: %s" % e, file=sys.stderr)
    sys.exit(77)

export_dir, png_out = sys.argv[1], sys.argv[2]
styles_dir = sys.argv[3] if len(sys.argv) > 3 else None
manifest = json.load(open(os.path.join(export_dir, "manifest.json"), encoding="utf-8"))
counts = {}
for f in manifest["files"]:
    for layer, n in f["layers"].items():
        counts[layer] = n

app = QgsApplication([], False)
app.setPrefixPath("/usr", True)
app.initQgis()
failures = []

def check(layer, name, expected, source):
    if not layer.isValid():
        failures.append("%s: layer %s is not valid" % (source, name))
        return
    n = layer.featureCount()
    if n != expected:
        failures.append("%s: layer %s has %d features, manifest says %d" % (source, name, n, expected))

gpkg = os.path.join(export_dir, "borderwatch.gpkg")
gpkg_layers = {}
layers = []
if os.path.exists(gpkg):
    for name, expected in counts.items():
        layer = QgsVectorLayer("%s|layername=%s" % (gpkg, name), name, "ogr")
        check(layer, name, expected, "gpkg")
        gpkg_layers[name] = layer
    want = {"incidents": "categorizedSymbol", "distance_bands": "graduatedSymbol",
            "border_sectors": "graduatedSymbol", "admin_stats": "graduatedSymbol",
            "uncertainty": "categorizedSymbol"}
    for name, renderer in want.items():
        layer = gpkg_layers.get(name)
        if layer is None or not layer.isValid():
            continue
        got = layer.renderer().type() if layer.renderer() else None
        if got != renderer:
            failures.append("gpkg: layer %s renderer is %s, expected %s from the default style"
                            % (name, got, renderer))
    inc = gpkg_layers.get("incidents")
    if inc is not None and inc.isValid() and inc.renderer().type() == "categorizedSymbol":
        cats = [c.value() for c in inc.renderer().categories()]
        if "Battles" not in cats:
            failures.append("gpkg: incidents categories %s lack 'Battles'" % cats)
    # Labels of the default style: precision, uncertainty and confidence of each incident.
    if inc is not None and inc.isValid():
        labeling = inc.labeling()
        text = labeling.settings().fieldName if labeling is not None else ""
        if not inc.labelsEnabled() or "precision" not in text or "place_score" not in text:
            failures.append("gpkg: incidents style labels lack precision/confidence: %r" % text)

want_renderer = {"incidents": "categorizedSymbol", "distance_bands": "graduatedSymbol",
                 "border_sectors": "graduatedSymbol", "admin_stats": "graduatedSymbol",
                 "border": "singleSymbol", "connectors": "singleSymbol",
                 "uncertainty": "categorizedSymbol"}
for name, expected in counts.items():
    path = os.path.join(export_dir, name + ".geojson")
    if os.path.exists(path):
        layer = QgsVectorLayer(path, name, "ogr")
        check(layer, name, expected, "geojson")
        qml = os.path.join(styles_dir, name + ".qml") if styles_dir else None
        if qml and os.path.exists(qml) and layer.isValid():
            message, ok = layer.loadNamedStyle(qml)
            got = layer.renderer().type() if layer.renderer() else None
            if not ok or got != want_renderer.get(name, got):
                failures.append("%s.qml loaded by hand: ok=%s renderer=%s (%s)" % (name, ok, got, message))

def check_temporal(layer, source, typed):
    """Temporal properties of an incidents layer, and a one-day frame finds its incident."""
    if layer is None or not layer.isValid():
        return
    fields = layer.fields()
    if typed:
        for name, want in (("event_date", QVariant.Date), ("event_date_end", QVariant.Date),
                           ("updated_at", QVariant.DateTime)):
            i = fields.indexOf(name)
            got = fields.at(i).type() if i >= 0 else None
            if got != want:
                failures.append("%s: incidents field %s has type %s, expected %s"
                                % (source, name, got, want))
    tp = layer.temporalProperties()
    mode = QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromExpressions
    if not tp.isActive() or tp.mode() != mode or "event_date" not in tp.startExpression() \
            or "event_date_end" not in tp.endExpression():
        failures.append("%s: incidents temporal properties: active=%s mode=%s start=%r end=%r"
                        % (source, tp.isActive(), tp.mode(), tp.startExpression(),
                           tp.endExpression()))
        return
    # The time slider in day steps: an incident shows in the frames of its first and last day
    # and in none outside its range. (Comparing the Date fields with the frame's DateTime, as
    # mode "start and end from fields" does, misses the last day on a GeoPackage - the
    # provider compares the text '2025-11-26' with '2025-11-26T00:00:00' - and shows the
    # incident a day early; the style's expressions make the end the next midnight.)
    def day_frame(day):
        return QgsDateTimeRange(QDateTime(day, QTime(0, 0), Qt.UTC),
                                QDateTime(day.addDays(1), QTime(0, 0), Qt.UTC), True, False)

    def shown(day):
        context = QgsVectorLayerTemporalContext()
        context.setLayer(layer)
        expression = tp.createFilterString(context, day_frame(day))
        request = QgsFeatureRequest().setFilterExpression(expression)
        return {f.id() for f in layer.getFeatures(request)}

    def as_date(value):
        return value if isinstance(value, QDate) else QDate.fromString(str(value)[:10], Qt.ISODate)

    checked = 0
    for feature in layer.getFeatures():
        first, last = as_date(feature["event_date"]), as_date(feature["event_date_end"])
        if not first.isValid() or not last.isValid():
            continue
        fid = feature.id()
        want = [(first, True), (last, True), (first.addDays(-1), False), (last.addDays(1), False)]
        for day, expected in want:
            if (fid in shown(day)) != expected:
                failures.append("%s: incident %s (%s..%s) %s in the one-day frame of %s"
                                % (source, feature["id"], first.toString(Qt.ISODate),
                                   last.toString(Qt.ISODate), "missing" if expected else "shown",
                                   day.toString(Qt.ISODate)))
        checked += 1
    if checked == 0:
        failures.append("%s: no incident with dates to check the time slider on" % source)

gpkg_incidents = gpkg_layers.get("incidents")
if gpkg_incidents is not None and gpkg_incidents.isValid() \
        and not gpkg_incidents.temporalProperties().isActive():
    message, ok = gpkg_incidents.loadDefaultStyle()
    if not ok:
        failures.append("gpkg: incidents default style does not load: %s" % message)
check_temporal(gpkg_incidents, "gpkg", True)
inc_geojson = os.path.join(export_dir, "incidents.geojson")
if styles_dir and os.path.exists(inc_geojson):
    layer = QgsVectorLayer(inc_geojson, "incidents", "ogr")
    if layer.isValid():
        layer.loadNamedStyle(os.path.join(styles_dir, "incidents.qml"))
        check_temporal(layer, "geojson + incidents.qml", False)
    del layer

kml = os.path.join(export_dir, "borderwatch.kml")
if os.path.exists(kml):
    for name, expected in counts.items():
        layer = QgsVectorLayer("%s|layername=%s" % (kml, name), name, "ogr")
        check(layer, name, expected, "kml")

# Render: admin units, bands, uncertainty regions, border, sectors, connectors, incidents (top).
if gpkg_layers:
    order = ["incidents", "connectors", "border", "border_sectors", "uncertainty", "admin_stats",
             "distance_bands"]
    layers = [gpkg_layers[n] for n in order if n in gpkg_layers and gpkg_layers[n].isValid()]
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    extent = QgsRectangle(gpkg_layers["border"].extent())
    if "incidents" in gpkg_layers and gpkg_layers["incidents"].featureCount() > 0:
        extent.combineExtentWith(gpkg_layers["incidents"].extent())
    extent.grow(0.25)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(1000, 560))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    if image.isNull() or not image.save(png_out, "PNG"):
        failures.append("could not render %s" % png_out)

status = 0
if failures:
    for f in failures:
        print("check_layers: " + f, file=sys.stderr)
    status = 1
else:
    print("check_layers: %s ok; rendered %s" % (export_dir, png_out))
sys.stdout.flush()
sys.stderr.flush()
# Layers must go before the application; QGIS' Python teardown can still crash on exit,
# so leave without running interpreter finalisers once everything is written.
del layers
gpkg_layers.clear()
app.exitQgis()
os._exit(status)
