// borderwatch HTML map (export --formats html). Built into the program and inlined after the
// data: reads the layers (#bw-data) and the style table (#bw-styles, styles/kml_styles.json,
// the table the KML and QGIS styles come from), draws every layer on canvases, filters the
// incidents (and their connectors and uncertainty regions) by date, and keeps the statistics
// panel in step. Text from the data only ever reaches the page through textContent and
// createTextNode, never as HTML.
(function () {
  'use strict';
  var errors = [];
  window.addEventListener('error', function (e) {
    errors.push(String(e.message || e.type));
  });
  window.addEventListener('securitypolicyviolation', function (e) {
    errors.push('CSP blocked ' + e.blockedURI + ' (' + e.violatedDirective + ')');
  });
  var consoleError = console.error;
  console.error = function () {
    errors.push(Array.prototype.map.call(arguments, String).join(' '));
    consoleError.apply(console, arguments);
  };

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }
  var STYLES = readJson('bw-styles');
  var DATA = readJson('bw-data');
  var LAYERS = {};
  DATA.layers.forEach(function (l) {
    l.index = {};
    l.fields.forEach(function (f, i) { l.index[f.name] = i; });
    LAYERS[l.name] = l;
  });
  function emptyLayer(name) {
    return { name: name, geometry: 'point', fields: [], index: {}, features: [] };
  }
  function layer(name) { return LAYERS[name] || emptyLayer(name); }
  function value(l, feature, name) {
    var i = l.index[name];
    return i === undefined ? null : feature[1][i];
  }

  // --- DOM helpers: text only -----------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') { e.textContent = attrs[k]; } else if (k === 'style') { e.style.cssText = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
      });
    }
    (children || []).forEach(function (c) { if (c) { e.appendChild(c); } });
    return e;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }

  // --- styles from the style table ------------------------------------------------------
  function styleOf(layerName, key) {
    var s = STYLES[layerName];
    if (!s) { return {}; }
    if (s.categories) {
      return Object.prototype.hasOwnProperty.call(s.categories, key) ? s.categories[key] : (s['default'] || {});
    }
    return s;
  }
  function graduatedClass(layerName, v) {
    var g = STYLES[layerName] && STYLES[layerName].graduated;
    if (!g || v === null || v === undefined) { return null; }
    for (var i = 0; i < g.classes.length; ++i) {
      if (v >= g.classes[i].min && v <= g.classes[i].max) { return g.classes[i]; }
    }
    return null;
  }
  function pathStyle(s, renderer) {
    return {
      renderer: renderer,
      color: s.line_color || '#555555',
      opacity: s.line_opacity === undefined ? 1 : s.line_opacity,
      weight: s.line_width === undefined ? 1 : s.line_width,
      fill: s.fill_color !== undefined && (s.fill_opacity || 0) > 0,
      fillColor: s.fill_color || '#ffffff',
      fillOpacity: s.fill_opacity === undefined ? 0 : s.fill_opacity
    };
  }
  function mmToPx(mm) { return Math.max(1, mm * 96 / 25.4); }
  function markerRadius(fatalities) {
    var f = typeof fatalities === 'number' && fatalities > 0 ? fatalities : 0;
    return Math.min(22, 4 + 2.2 * Math.sqrt(f));
  }

  // --- geometry -------------------------------------------------------------------------
  function ll(p) { return [p[1], p[0]]; }
  function line(c) { return c.map(ll); }
  function rings(c) { return c.map(line); }
  function latlngs(type, c) {
    switch (type) {
      case 'line_string': return line(c);
      case 'multi_line_string': return c.map(line);
      case 'polygon': return rings(c);
      case 'multi_polygon': return c.map(rings);
      default: return ll(c);
    }
  }
  function isArea(type) { return type === 'polygon' || type === 'multi_polygon'; }

  // --- popups: every field, as text -----------------------------------------------------
  function popupContent(l, feature, title) {
    var rows = l.fields.map(function (f, i) {
      var v = feature[1][i];
      var td = el('td', { text: v === null ? '—' : String(v) });
      if (v === null) { td.className = 'null'; }
      return el('tr', null, [el('th', { text: f.name }), td]);
    });
    return el('div', { 'class': 'bw-popup' }, [el('h4', { text: title }), el('table', null, rows)]);
  }

  // --- the map --------------------------------------------------------------------------
  var map = L.map('bw-map', { preferCanvas: true, attributionControl: false, zoomSnap: 0.25 });
  function pane(name, z) {
    map.createPane(name).style.zIndex = z;
    return L.canvas({ pane: name, padding: 0.3 });
  }
  var rBack = pane('bw-background', 250);
  var rAreas = pane('bw-areas', 410);
  var rLines = pane('bw-lines', 430);
  var rPoints = pane('bw-points', 450);

  var overlays = {};
  var bounds = L.latLngBounds([]);
  var popup = L.popup({ maxWidth: 420 });
  function openPopup(latlng, l, feature, title) {
    popup.setLatLng(latlng).setContent(popupContent(l, feature, title)).openOn(map);
  }
  function bindFeature(layerObj, l, feature, title) {
    layerObj.on('click', function (e) { openPopup(e.latlng, l, feature, title); });
  }

  // Background: every admin unit of the export (and the band polygons when there are none),
  // under the layers, not interactive: the map needs no tiles.
  var adminL = layer('admin_stats');
  var background = L.layerGroup();
  adminL.features.forEach(function (f) {
    if (!f[0]) { return; }
    var level = value(adminL, f, 'level');
    L.polygon(latlngs(adminL.geometry, f[0]), {
      renderer: rBack, interactive: false, color: level === 1 ? '#8c8c8c' : '#c8c8c8',
      weight: level === 1 ? 1.2 : 0.5, fillColor: '#f6f3ec', fillOpacity: 1
    }).addTo(background);
  });
  background.addTo(map);

  // admin_stats: districts graduated by incident count, regions/provinces as outlines.
  var adminGroup = L.layerGroup();
  var adminGraduated = STYLES.admin_stats && STYLES.admin_stats.graduated;
  adminL.features.forEach(function (f) {
    if (!f[0]) { return; }
    var level = value(adminL, f, 'level');
    var s = pathStyle(styleOf('admin_stats', String(level)), rAreas);
    if (adminGraduated && level === adminGraduated.level) {
      var c = graduatedClass('admin_stats', value(adminL, f, adminGraduated.field));
      if (c) {
        s.fill = c.fill_opacity > 0; s.fillColor = c.fill_color; s.fillOpacity = c.fill_opacity;
        s.color = c.line_color; s.weight = mmToPx(c.line_width_mm);
      }
    }
    var p = L.polygon(latlngs(adminL.geometry, f[0]), s);
    p.options.fill = true; // clickable inside, even when not filled
    if (!(s.fillOpacity > 0)) { p.options.fillOpacity = 0; }
    bindFeature(p, adminL, f, 'admin_stats: ' + value(adminL, f, 'name'));
    p.addTo(adminGroup);
    bounds.extend(p.getBounds());
  });
  overlays['admin statistics (districts by incidents)'] = adminGroup;

  function simpleLayer(name, renderer, title, styleKey) {
    var l = layer(name);
    var group = L.layerGroup();
    l.features.forEach(function (f) {
      if (!f[0]) { return; }
      var s = pathStyle(styleOf(name, styleKey ? String(value(l, f, styleKey)) : ''), renderer);
      var shape = isArea(l.geometry) ? L.polygon(latlngs(l.geometry, f[0]), s) : L.polyline(latlngs(l.geometry, f[0]), s);
      bindFeature(shape, l, f, title(l, f));
      shape.addTo(group);
    });
    return group;
  }
  var bandsGroup = simpleLayer('distance_bands', rAreas, function (l, f) {
    return 'distance band ' + value(l, f, 'side') + ' ' + value(l, f, 'band') + ' km';
  }, 'band');
  overlays['distance bands'] = bandsGroup;

  // border_sectors: graduated by incident count (colour and width), as in QGIS.
  var sectorsL = layer('border_sectors');
  var sectorsGroup = L.layerGroup();
  sectorsL.features.forEach(function (f) {
    if (!f[0]) { return; }
    var s = pathStyle(styleOf('border_sectors', ''), rLines);
    var c = graduatedClass('border_sectors', value(sectorsL, f, 'count'));
    if (c) { s.color = c.line_color; s.weight = mmToPx(c.line_width_mm); s.opacity = 0.9; }
    var p = L.polyline(latlngs(sectorsL.geometry, f[0]), s);
    bindFeature(p, sectorsL, f, 'border sector ' + value(sectorsL, f, 'sector') + ' km');
    p.addTo(sectorsGroup);
  });
  overlays['border sectors'] = sectorsGroup;

  var borderGroup = simpleLayer('border', rLines, function (l, f) { return 'border ' + value(l, f, 'id'); });
  borderGroup.eachLayer(function (p) { bounds.extend(p.getBounds()); });
  overlays.border = borderGroup;

  // Incidents and what hangs on them (connectors, uncertainty regions), filtered together.
  var incL = layer('incidents');
  var iStart = incL.index.event_date;
  var iEnd = incL.index.event_date_end;
  var iId = incL.index.id;
  function dayOf(text) {
    if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(text)) { return null; }
    var t = Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, +text.slice(8, 10));
    return isNaN(t) ? null : Math.round(t / 864e5);
  }
  function isoOf(day) { return new Date(day * 864e5).toISOString().slice(0, 10); }
  var incidents = incL.features.map(function (f, i) {
    var start = dayOf(iStart === undefined ? null : f[1][iStart]);
    var end = dayOf(iEnd === undefined ? null : f[1][iEnd]);
    return { i: i, f: f, start: start, end: end === null || (start !== null && end < start) ? start : end, marker: null, shown: false };
  });
  var byId = {};
  var minDay = Infinity;
  var maxDay = -Infinity;
  incidents.forEach(function (x) {
    if (iId !== undefined && x.f[1][iId] !== null) { byId[x.f[1][iId]] = x; }
    if (x.start !== null) { minDay = Math.min(minDay, x.start); maxDay = Math.max(maxDay, x.end); }
  });
  var hasDates = minDay <= maxDay;
  if (!hasDates) { minDay = 0; maxDay = 0; }

  var incGroup = L.layerGroup();
  var incLayer = L.featureGroup();
  incidents.forEach(function (x) {
    if (!x.f[0]) { return; }
    var s = styleOf('incidents', value(incL, x.f, 'event_type'));
    x.marker = L.circleMarker(ll(x.f[0]), {
      renderer: rPoints, radius: markerRadius(value(incL, x.f, 'fatalities_best')),
      color: '#222222', weight: 0.6, opacity: 0.9,
      fillColor: s.color || '#999999', fillOpacity: s.opacity === undefined ? 0.85 : 0.85 * s.opacity
    });
    x.marker.bwIncident = x;
    bounds.extend(x.marker.getLatLng());
  });
  incLayer.on('click', function (e) {
    var x = e.layer.bwIncident;
    var title = (value(incL, x.f, 'event_date') || '') + ' ' + (value(incL, x.f, 'event_type') || 'incident');
    openPopup(e.layer.getLatLng(), incL, x.f, title);
  });
  incGroup.addLayer(incLayer);
  overlays['incidents (colour: event type, size: fatalities)'] = incGroup;

  function linkedLayer(name, renderer, styleKey) {
    var l = layer(name);
    var group = L.featureGroup();
    var items = [];
    l.features.forEach(function (f) {
      if (!f[0]) { return; }
      var s = pathStyle(styleOf(name, styleKey ? String(value(l, f, styleKey)) : ''), renderer);
      if (name === 'connectors') {
        var et = styleOf('incidents', value(l, f, 'event_type'));
        if (et.color) { s.color = et.color; }
      }
      var shape = isArea(l.geometry) ? L.polygon(latlngs(l.geometry, f[0]), s) : L.polyline(latlngs(l.geometry, f[0]), s);
      bindFeature(shape, l, f, name + ' ' + value(l, f, 'id'));
      items.push({ shape: shape, incident: byId[value(l, f, 'id')] || null, shown: false });
    });
    return { group: group, items: items };
  }
  var connectors = linkedLayer('connectors', rLines);
  overlays.connectors = connectors.group;
  var uncertainty = linkedLayer('uncertainty', rAreas, 'shape');
  overlays['uncertainty (where imprecise incidents may lie)'] = uncertainty.group;

  // --- side panel: time filter, counts, statistics --------------------------------------
  var side = el('div', { id: 'bw-side' });
  document.body.appendChild(side);
  side.appendChild(el('h1', { text: 'borderwatch map' }));
  var fromInput = el('input', { type: 'range', id: 'bw-from', min: String(minDay), max: String(maxDay), step: '1', value: String(minDay) });
  var toInput = el('input', { type: 'range', id: 'bw-to', min: String(minDay), max: String(maxDay), step: '1', value: String(maxDay) });
  var fromLabel = el('span', { id: 'bw-from-label' });
  var toLabel = el('span', { id: 'bw-to-label' });
  side.appendChild(el('h2', { text: 'Event dates' }));
  side.appendChild(el('div', { 'class': 'bw-range' }, [
    el('span', { text: 'from' }), fromInput, el('span'), fromLabel,
    el('span', { text: 'to' }), toInput, el('span'), toLabel]));
  if (!hasDates) { fromInput.disabled = true; toInput.disabled = true; }
  var countLine = el('p', { id: 'bw-count' });
  side.appendChild(countLine);
  side.appendChild(el('p', { text: 'An incident with a date range is shown when its range overlaps the selected dates.', style: 'color:#666;margin:2px 0' }));
  var statsBox = el('div', { id: 'bw-stats' });
  side.appendChild(statsBox);

  function table(title, rows) {
    var head = el('tr', null, [el('th', { text: title }), el('th', { 'class': 'n', text: 'incidents' }), el('th', { 'class': 'n', text: 'fatalities' })]);
    return el('table', null, [head].concat(rows.map(function (r) {
      return el('tr', null, [el('td', { text: r[0] }), el('td', { 'class': 'n', text: fmt(r[1]) }), el('td', { 'class': 'n', text: fmt(r[2]) })]);
    })));
  }
  function tally(list, key) {
    var m = {};
    list.forEach(function (x) {
      var k = key(x);
      if (!m[k]) { m[k] = [k, 0, 0]; }
      m[k][1] += 1;
      var f = value(incL, x.f, 'fatalities_best');
      m[k][2] += typeof f === 'number' ? f : 0;
    });
    return m;
  }
  var bandOrder = (STYLES.distance_bands && STYLES.distance_bands.categories) ? Object.keys(STYLES.distance_bands.categories) : [];
  function monthChart(byMonth) {
    var months = Object.keys(byMonth).filter(function (m) { return m !== '—'; }).sort();
    var w = 300;
    var h = 120;
    var chart = svg('svg', { 'class': 'bw-chart', width: String(w), height: String(h + 30), viewBox: '0 0 ' + w + ' ' + (h + 30), role: 'img' });
    chart.appendChild(svg('title', {}, 'incidents by month (event_date)'));
    if (!months.length) {
      chart.appendChild(svg('text', { x: '4', y: '14' }, 'no dated incidents'));
      return chart;
    }
    var max = Math.max.apply(null, months.map(function (m) { return byMonth[m][1]; }));
    var bw = Math.max(2, Math.floor((w - 10) / months.length));
    var labelEvery = Math.max(1, Math.ceil(34 / bw)); // "25-06" needs about 30 px
    months.forEach(function (m, k) {
      var n = byMonth[m][1];
      var bh = max > 0 ? Math.round(n / max * (h - 14)) : 0;
      var x = 5 + k * bw;
      var r = svg('rect', { 'class': 'bar', x: String(x), y: String(h - bh), width: String(Math.max(1, bw - 2)), height: String(bh) });
      r.appendChild(svg('title', {}, m + ': ' + n + ' incidents, ' + byMonth[m][2] + ' fatalities'));
      chart.appendChild(r);
      if (k % labelEvery === 0) {
        chart.appendChild(svg('text', { x: String(x), y: String(h + 12) }, m.slice(2)));
      }
      if (bw >= 14) { chart.appendChild(svg('text', { x: String(x), y: String(h - bh - 2) }, String(n))); }
    });
    return chart;
  }
  function renderStats(shown) {
    while (statsBox.firstChild) { statsBox.removeChild(statsBox.firstChild); }
    var bySide = tally(shown, function (x) { return value(incL, x.f, 'side') || '—'; });
    var byBand = tally(shown, function (x) { return value(incL, x.f, 'band') || '—'; });
    var byMonth = tally(shown, function (x) { var d = value(incL, x.f, 'event_date'); return d ? d.slice(0, 7) : '—'; });
    var bands = Object.keys(byBand).sort(function (a, b) {
      var ia = bandOrder.indexOf(a); var ib = bandOrder.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : 1);
    });
    statsBox.appendChild(el('h2', { text: 'By side' }));
    statsBox.appendChild(table('side', Object.keys(bySide).sort().map(function (k) { return bySide[k]; })));
    statsBox.appendChild(el('h2', { text: 'By distance band (km)' }));
    statsBox.appendChild(table('band', bands.map(function (k) { return byBand[k]; })));
    statsBox.appendChild(el('h2', { text: 'By month' }));
    statsBox.appendChild(monthChart(byMonth));
  }

  function setShown(item, group, show) {
    if (show === item.shown) { return; }
    item.shown = show;
    if (show) { group.addLayer(item.shape || item.marker); } else { group.removeLayer(item.shape || item.marker); }
  }
  var state = { shown: 0, fatalities: 0 };
  function applyFilter() {
    var from = +fromInput.value;
    var to = +toInput.value;
    if (from > to) { var t = from; from = to; to = t; }
    fromLabel.textContent = hasDates ? isoOf(from) : '—';
    toLabel.textContent = hasDates ? isoOf(to) : '—';
    var shown = [];
    var fatalities = 0;
    incidents.forEach(function (x) {
      var show = x.start === null || (x.start <= to && x.end >= from);
      x.visible = show;
      if (show) {
        shown.push(x);
        var f = value(incL, x.f, 'fatalities_best');
        fatalities += typeof f === 'number' ? f : 0;
      }
      if (x.marker) { setShown(x, incLayer, show); }
    });
    [connectors, uncertainty].forEach(function (linked) {
      linked.items.forEach(function (it) { setShown(it, linked.group, !it.incident || it.incident.visible); });
    });
    state.shown = shown.length;
    state.fatalities = fatalities;
    countLine.textContent = fmt(shown.length) + ' of ' + fmt(incidents.length) + ' incidents, ' + fmt(fatalities) + ' fatalities';
    renderStats(shown);
  }
  var pending = false;
  function scheduleFilter() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; applyFilter(); });
  }
  fromInput.addEventListener('input', scheduleFilter);
  toInput.addEventListener('input', scheduleFilter);

  // --- legend, from the style table -----------------------------------------------------
  var legend = L.control({ position: 'bottomleft' });
  legend.onAdd = function () {
    var details = el('details', { 'class': 'bw-legend', open: '' }, [el('summary', { text: 'Legend' })]);
    var box = el('div');
    details.appendChild(box);
    function row(swatch, label) { box.appendChild(el('div', { 'class': 'row' }, [swatch, el('span', { text: label })])); }
    function cats(name, title, make) {
      var s = STYLES[name];
      if (!s) { return; }
      box.appendChild(el('h3', { text: title }));
      if (s.categories) {
        Object.keys(s.categories).forEach(function (k) { row(make(s.categories[k]), k); });
        if (s['default']) { row(make(s['default']), 'other'); }
      } else {
        row(make(s), name);
      }
    }
    cats('incidents', 'Incidents (event type; size: fatalities)', function (s) {
      return el('span', { 'class': 'bw-dot', style: 'background:' + s.color });
    });
    cats('uncertainty', 'Uncertainty (shape)', function (s) {
      return el('span', { 'class': 'bw-swatch', style: 'background:' + s.fill_color + ';border-color:' + s.line_color + ';opacity:' + Math.max(0.35, s.fill_opacity * 3) });
    });
    cats('distance_bands', 'Distance bands (km)', function (s) {
      return el('span', { 'class': 'bw-swatch', style: 'background:' + s.fill_color + ';opacity:' + Math.max(0.5, s.fill_opacity) });
    });
    function graduatedLegend(name, title, make) {
      var g = STYLES[name] && STYLES[name].graduated;
      if (!g) { return; }
      box.appendChild(el('h3', { text: title }));
      g.classes.forEach(function (c) { row(make(c), c.label); });
    }
    graduatedLegend('border_sectors', 'Border sectors (incidents)', function (c) {
      return el('span', { 'class': 'bw-line', style: 'border-top-color:' + c.line_color + ';border-top-width:' + Math.round(mmToPx(c.line_width_mm)) + 'px' });
    });
    graduatedLegend('admin_stats', 'Admin statistics', function (c) {
      return el('span', { 'class': 'bw-swatch', style: 'background:' + (c.fill_opacity > 0 ? c.fill_color : 'transparent') + ';border-color:' + c.line_color });
    });
    var b = STYLES.border || {};
    box.appendChild(el('h3', { text: 'Lines' }));
    row(el('span', { 'class': 'bw-line', style: 'border-top-color:' + (b.line_color || '#000') }), 'border');
    var c = STYLES.connectors || {};
    row(el('span', { 'class': 'bw-line', style: 'border-top-width:1px;border-top-color:' + (c.line_color || '#555') }), 'connector to the nearest border point (precise incidents)');
    L.DomEvent.disableScrollPropagation(details);
    L.DomEvent.disableClickPropagation(details);
    return details;
  };
  legend.addTo(map);

  // Initial view: every layer on but the admin choropleth (the background shows the units).
  [bandsGroup, uncertainty.group, sectorsGroup, borderGroup, connectors.group, incGroup].forEach(function (g) { g.addTo(map); });
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.05)); } else { map.setView([0, 0], 2); }
  applyFilter();
  // Time from navigation to a drawn, filtered map (ms), for measurements.
  document.body.setAttribute('data-bw-ready-ms', String(Math.round(performance.now())));

  // --- self-check (#selftest): what the browser test reads from the dumped DOM ----------
  function renderedMarkers() { return Object.keys(rPoints._layers || {}).length; }
  function selftest() {
    var r = { errors: errors, ready_ms: +document.body.getAttribute('data-bw-ready-ms') };
    r.incidents = incidents.length;
    r.incidents_with_point = incidents.filter(function (x) { return !!x.marker; }).length;
    r.rendered_initial = renderedMarkers();
    r.count_initial = countLine.textContent;
    r.min_date = hasDates ? isoOf(minDay) : null;
    r.max_date = hasDates ? isoOf(maxDay) : null;
    // Move the "from" slider to the middle of the dates, as a user would.
    var mid = Math.floor((minDay + maxDay) / 2);
    fromInput.value = String(mid);
    fromInput.dispatchEvent(new Event('input'));
    var t0 = performance.now();
    applyFilter();
    r.filter_ms = Math.round(performance.now() - t0);
    r.slider_from = fromLabel.textContent;
    r.slider_to = toLabel.textContent;
    r.shown_after = state.shown;
    r.rendered_after = renderedMarkers();
    r.count_after = countLine.textContent;
    r.stats_text = statsBox.textContent;
    r.month_bars = statsBox.querySelectorAll('svg rect.bar').length;
    fromInput.value = String(minDay);
    applyFilter();
    // Open the popup of the first incident whose fields hold a script tag (the click a user
    // makes), and report what it shows.
    var target = incidents.filter(function (x) {
      return x.marker && x.f[1].some(function (v) { return typeof v === 'string' && v.indexOf('\x3cscript') >= 0; });
    })[0];
    if (target) {
      target.marker.fire('click', { latlng: target.marker.getLatLng() }, true);
      var content = document.querySelector('.leaflet-popup-content');
      r.popup_text = content ? content.textContent : null;
      r.popup_script_elements = content ? content.querySelectorAll('script').length : null;
      r.popup_rows = content ? content.querySelectorAll('tr').length : null;
    }
    r.document_scripts = document.querySelectorAll('script').length;
    r.resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
    r.legend_text = document.querySelector('.bw-legend').textContent;
    r.layer_control = document.querySelector('.leaflet-control-layers').textContent;
    r.done = true;
    document.body.appendChild(el('pre', { id: 'bw-selftest', text: JSON.stringify(r) }));
  }
  if (location.hash === '#selftest') { window.setTimeout(selftest, 50); }
})();
