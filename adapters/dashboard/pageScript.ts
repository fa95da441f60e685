/**
 * The status page's script, inlined in one `<script>` element (allowed by its hash, see
 * securityHeaders.ts). It reads the whole state from `…/events` (then updates over the same
 * stream), with URLs relative to the page's own path, so the page works at any mount point. It
 * builds the DOM with `textContent` and fixed attribute names only (never `innerHTML`, never a
 * `style` attribute): a hostile label shows as text, and the CSP needs no `'unsafe-inline'`.
 */
export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var path = location.pathname;
  var base = path.charAt(path.length - 1) === '/' ? path : path + '/';
  var SVG = 'http://www.w3.org/2000/svg';
  var main = document.getElementById('sources');
  var conn = document.getElementById('conn');
  var heading = document.querySelector('header h1');
  var model = null;
  var pending = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function cell(row, text, cls) { var td = el('td', cls, text); row.appendChild(td); return td; }
  function badge(state, prefix) { return el('span', 'badge ' + (prefix || 's-') + String(state).replace(/[^a-z-]/g, ''), state); }
  function dash(v) { return v === undefined || v === null ? '–' : v; }
  function ms(v) { return v === undefined || v === null ? '–' : (v < 10 ? v.toFixed(1) : Math.round(v)) + ' ms'; }
  function clock(t) { return new Date(t).toLocaleTimeString([], { hour12: false }); }
  function colour(i) { return 'c' + (i % 8); }

  function chips(parent, pairs) {
    var box = el('div', 'chips');
    pairs.forEach(function (p) {
      var chip = el('span', 'chip', p[0] + ' ');
      chip.appendChild(el('b', '', p[1]));
      box.appendChild(chip);
    });
    parent.appendChild(box);
  }
  function table(headers) {
    var t = el('table');
    var tr = el('tr');
    headers.forEach(function (h) { tr.appendChild(el('th', h.charAt(0) === '#' ? 'num' : '', h.replace(/^#/, ''))); });
    t.appendChild(el('thead')).appendChild(tr);
    t.appendChild(el('tbody'));
    return t;
  }

  // A latency line over the history (EWMA), scaled to its own maximum.
  function sparkline(values) {
    var w = 120, h = 26;
    var box = svg('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, 'class': 'spark', role: 'img' });
    var points = [], max = 1;
    values.forEach(function (v) { if (typeof v === 'number') max = Math.max(max, v); });
    values.forEach(function (v, i) {
      if (typeof v !== 'number') return;
      var x = values.length < 2 ? w : (i / (values.length - 1)) * (w - 3) + 1.5;
      points.push(x.toFixed(1) + ',' + (h - 2 - (v / max) * (h - 5)).toFixed(1));
    });
    if (points.length === 0) return el('span', 'empty-note', '–');
    box.appendChild(svg('polyline', { points: points.join(' ') }));
    var last = points[points.length - 1].split(',');
    box.appendChild(svg('circle', { cx: last[0], cy: last[1], r: 2 }));
    box.appendChild(svg('title', {})).textContent = 'latency (EWMA) over the last minutes, max ' + ms(max);
    return box;
  }

  // One cell per sample (at most 120 columns), coloured by state.
  function strip(states) {
    var w = 120, h = 14, n = Math.max(1, states.length);
    var box = svg('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, 'class': 'strip' });
    states.forEach(function (s, i) {
      box.appendChild(svg('rect', { x: (i / n) * w, y: 0, width: w / n + 0.5, height: h, 'class': 's-' + String(s).replace(/[^a-z-]/g, '') }));
    });
    return box;
  }

  // Traffic share over time: the history in up to 60 columns, each stacked by endpoint share.
  function shareChart(source, ids) {
    var history = source.history, columns = Math.min(60, Math.max(1, history.length));
    var per = history.length / columns, w = 600, h = 90, cw = w / columns;
    var box = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, width: '100%', height: h, 'class': 'share', preserveAspectRatio: 'none', role: 'img' });
    for (var c = 0; c < columns; c++) {
      var counts = ids.map(function () { return 0; }), total = 0;
      history.slice(Math.floor(c * per), Math.floor((c + 1) * per) || 1).forEach(function (sample) {
        ids.forEach(function (id, i) { var e = sample.endpoints[id]; if (e) { counts[i] += e.requests; total += e.requests; } });
      });
      if (total === 0) { box.appendChild(svg('rect', { x: c * cw, y: h - 2, width: cw - 1, height: 2, 'class': 'empty' })); continue; }
      var y = h;
      counts.forEach(function (n, i) {
        if (n === 0) return;
        var bh = (n / total) * h;
        y -= bh;
        box.appendChild(svg('rect', { x: c * cw, y: y, width: Math.max(1, cw - 1), height: bh, 'class': colour(i) }));
      });
    }
    return box;
  }

  function recentShare(source, id) {
    var since = model.at - 60000, mine = 0, all = 0;
    source.history.forEach(function (s) {
      if (s.at < since) return;
      for (var k in s.endpoints) { all += s.endpoints[k].requests; if (k === id) mine += s.endpoints[k].requests; }
    });
    return all === 0 ? '–' : Math.round((mine / all) * 100) + '%';
  }

  function events(parent, list) {
    parent.appendChild(el('h3', '', 'Recent events'));
    if (list.length === 0) { parent.appendChild(el('p', 'empty-note', 'none yet')); return; }
    var ol = el('ol', 'events');
    list.slice(-15).reverse().forEach(function (e) {
      var li = el('li');
      li.appendChild(el('time', '', clock(e.at)));
      li.appendChild(el('span', '', e.text));
      ol.appendChild(li);
    });
    parent.appendChild(ol);
  }

  function renderFailover(section, source) {
    var st = source.status, ids = st.endpoints.map(function (e) { return e.id; });
    chips(section.firstChild, [
      ['active', st.active ? st.active.label : 'none'],
      ['calls', source.summary.calls.ok + ' ok / ' + source.summary.calls.failed + ' failed'],
      ['route changes', source.summary.routeChanges],
      ['reference head', dash(st.referenceHead)],
    ]);
    var below = el('div', 'below'), left = el('div'), right = el('div');
    var t = table(['Endpoint', 'State', 'Reason', '#EWMA', '#p95', 'Latency', '#Head', '#Lag', '#Share', '#Probes/min', 'Breaker']);
    st.endpoints.forEach(function (e, i) {
      var tr = el('tr');
      tr.dataset.label = e.label;
      var label = cell(tr, '', 'label');
      label.appendChild(el('i', 'swatch ' + colour(i)));
      label.appendChild(el('span', st.active && st.active.id === e.id ? 'active' : '', e.label));
      label.title = e.label;
      cell(tr, '', 'state').appendChild(badge(e.state));
      cell(tr, e.reason || '', 'reason').title = e.reason || '';
      cell(tr, ms(e.latency.ewmaMs), 'num');
      cell(tr, ms(e.latency.p95Ms), 'num');
      cell(tr, '').appendChild(sparkline(source.history.map(function (s) { var x = s.endpoints[e.id]; return x && x.latencyMs; })));
      cell(tr, dash(e.head), 'num');
      cell(tr, dash(e.lag), 'num');
      cell(tr, recentShare(source, e.id), 'num share');
      cell(tr, e.probesPerMinute, 'num');
      cell(tr, '', 'breaker').appendChild(badge(e.breaker, 'b-'));
      t.lastChild.appendChild(tr);
    });
    section.appendChild(el('div', 'table-wrap')).appendChild(t);
    left.appendChild(el('h3', '', 'Traffic share over time'));
    left.appendChild(shareChart(source, ids));
    var legend = el('div', 'legend');
    st.endpoints.forEach(function (e, i) { var s = el('span'); s.appendChild(el('i', colour(i))); s.appendChild(document.createTextNode(e.label)); legend.appendChild(s); });
    left.appendChild(legend);
    events(right, source.events);
    below.appendChild(left); below.appendChild(right);
    section.appendChild(below);
  }

  function renderMonitor(section, source) {
    var st = source.status, sum = source.summary;
    var byId = {};
    sum.streams.forEach(function (s) { byId[s.id] = s; });
    chips(section.firstChild, [
      ['latest slot', st.latest ? st.latest.slot + ' from ' + st.latest.endpoint.label : '–'],
      ['heads', sum.heads],
      ['missed slots', sum.missedSlots],
      ['restarts', sum.restarts],
    ]);
    var t = table(['Stream', 'State', 'Health', '#Head slot', '#Behind', 'Over time', '#Reconnects', '#Disconnects', '#Missed heads', 'Last error']);
    st.streams.forEach(function (s) {
      var m = byId[s.id] || {}, tr = el('tr');
      tr.dataset.label = s.label;
      cell(tr, '', 'label').appendChild(el('span', s.isLatest ? 'active' : '', s.label));
      cell(tr, '', 'state').appendChild(badge(s.state));
      cell(tr, '', 'health').appendChild(s.health ? badge(s.health) : el('span', 'empty-note', '–'));
      cell(tr, dash(s.head && s.head.slot), 'num');
      cell(tr, s.head && st.latest ? st.latest.slot - s.head.slot : '–', 'num');
      cell(tr, '').appendChild(strip(source.history.slice(-120).map(function (x) { var y = x.streams[s.id]; return y ? y.state : 'unknown'; })));
      cell(tr, dash(m.reconnections), 'num');
      cell(tr, dash(m.disconnections), 'num');
      cell(tr, dash(m.missedHeads), 'num');
      cell(tr, s.lastError || s.healthReason || '', 'reason').title = s.lastError || '';
      t.lastChild.appendChild(tr);
    });
    section.appendChild(el('div', 'table-wrap')).appendChild(t);
    events(section, source.events);
  }

  function render() {
    pending = false;
    if (!model) return;
    var sections = model.sources.map(function (source) {
      var section = el('section', 'source');
      section.dataset.source = source.name;
      var title = el('div', 'title');
      title.appendChild(el('h2', '', source.name));
      title.appendChild(el('span', 'kind', source.kind === 'monitor' ? 'head monitor' : 'failover'));
      section.appendChild(title);
      (source.kind === 'monitor' ? renderMonitor : renderFailover)(section, source);
      return section;
    });
    main.replaceChildren.apply(main, sections);
  }
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(render); } }

  function apply(update) {
    model.at = update.at;
    var keepFrom = update.at - model.historyMinutes * 60000;
    update.sources.forEach(function (u) {
      var source = model.sources.find(function (s) { return s.name === u.name; });
      if (!source) return;
      source.status = u.status;
      source.summary = u.summary;
      if (u.sample) {
        source.history.push(u.sample);
        while (source.history.length && source.history[0].at < keepFrom) source.history.shift();
      }
      if (u.event) { source.events.push(u.event); if (source.events.length > 50) source.events.shift(); }
    });
  }

  function state(text, cls) { conn.textContent = text; conn.className = 'conn ' + cls; }
  var stream = new EventSource(base + 'events');
  // The whole state, also after a reconnect: the title may have changed (the demo shows each part in turn).
  stream.addEventListener('state', function (m) {
    model = JSON.parse(m.data);
    document.title = heading.textContent = model.title;
    state('live', 'live');
    schedule();
  });
  stream.addEventListener('update', function (m) { if (model) { apply(JSON.parse(m.data)); schedule(); } });
  stream.addEventListener('open', function () { state('live', 'live'); });
  stream.addEventListener('error', function () { state('reconnecting…', 'lost'); });
})();
`;
