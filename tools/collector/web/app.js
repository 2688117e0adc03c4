// The health office's page: plain browser JavaScript, no build step. Talks to /api (same origin).
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var chart = null, occChart = null;

  function api(method, path, body) {
    var opts = { method: method, credentials: 'same-origin', headers: {} };
    if (body !== undefined) { opts.headers['content-type'] = 'application/json'; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (r) {
      if (r.status === 401 && path !== '/api/login') { showLogin(); throw new Error('log in first'); }
      var type = r.headers.get('content-type') || '';
      var parse = type.indexOf('json') >= 0 ? r.json() : r.text();
      return parse.then(function (data) {
        if (!r.ok) throw new Error((data && data.error) || ('HTTP ' + r.status));
        return data;
      });
    });
  }

  function text(el, s) { el.textContent = s; return el; }
  function cell(row, s, cls) { var td = document.createElement('td'); text(td, s); if (cls) td.className = cls; row.appendChild(td); return td; }
  function ago(sec) {
    if (sec < 90) return sec + ' s ago';
    if (sec < 5400) return Math.round(sec / 60) + ' min ago';
    if (sec < 172800) return Math.round(sec / 3600) + ' h ago';
    return Math.round(sec / 86400) + ' days ago';
  }

  function showLogin() { $('login').hidden = false; $('app').hidden = true; $('logout').hidden = true; text($('who'), ''); }
  function showApp(me) {
    $('login').hidden = true; $('app').hidden = false; $('logout').hidden = false;
    text($('who'), 'logged in as ' + me.user);
    $('trace-button').disabled = !me.tracing;
    if (!me.tracing) text($('trace-error'), 'Tracing is off: the collector was started without the site secret.');
    loadGates(); loadHourly(); loadConflicts();
  }

  function loadGates() {
    return api('GET', '/api/gates').then(function (gates) {
      var body = $('gates').tBodies[0];
      body.innerHTML = '';
      $('no-gates').hidden = gates.length > 0;
      gates.forEach(function (g) {
        var tr = document.createElement('tr');
        tr.setAttribute('data-gate', g.gateId);
        if (g.conflicts) tr.className = 'conflicted';
        cell(tr, g.gateId);
        cell(tr, ago(g.secondsSinceContact)).title = g.lastContactIso;
        cell(tr, String(g.records), 'num');
        cell(tr, String(g.entries), 'num');
        // null: the gate never said (LoRa, older firmware, an import)
        cell(tr, g.backlog === null ? '-' : String(g.backlog), g.backlog ? 'num warn' : 'num').setAttribute('data-col', 'backlog');
        cell(tr, g.trustVersion === null ? '-' : g.trustVersion ? String(g.trustVersion) : 'none', 'num').setAttribute('data-col', 'trust');
        var clock = g.clock === 'set' ? 'set' : g.clock === 'unsure' ? 'unsure since ' + (g.unsureSinceIso || '?') : 'unknown';
        cell(tr, clock, g.clock === 'unsure' ? 'warn' : '').setAttribute('data-col', 'clock');
        cell(tr, g.lastRecordIso);
        cell(tr, String(g.clockUntrusted), g.clockUntrusted ? 'num warn' : 'num');
        cell(tr, String(g.dropped), g.dropped ? 'num warn' : 'num');
        cell(tr, String(g.unlogged), g.unlogged ? 'num warn' : 'num');
        cell(tr, String(g.alarms || 0), g.alarms ? 'num warn' : 'num');
        cell(tr, String(g.conflicts || 0), g.conflicts ? 'num bad' : 'num').setAttribute('data-col', 'conflicts');
        var a = document.createElement('a');
        a.href = '/api/entries.csv?gate=' + encodeURIComponent(g.gateId);
        text(a, 'CSV');
        tr.appendChild(document.createElement('td')).appendChild(a);
        body.appendChild(tr);
      });
    });
  }

  function loadConflicts() {
    return api('GET', '/api/conflicts').then(function (res) {
      var list = res.conflicts, table = $('conflict-list');
      $('conflicts').hidden = list.length === 0;
      while (table.tBodies.length) table.removeChild(table.tBodies[0]);
      var gates = {};
      list.forEach(function (c) { gates[c.gateId] = (gates[c.gateId] || 0) + 1; });
      text($('conflicts-title'), list.length + ' conflicting record' + (list.length === 1 ? '' : 's') + ' (' +
        Object.keys(gates).sort().map(function (g) { return g + ': ' + gates[g]; }).join(', ') + ')');
      list.forEach(function (c) {
        // One body per conflict: the stored copy, then the one kept apart.
        var tb = table.appendChild(document.createElement('tbody'));
        tb.className = 'conflict';
        tb.setAttribute('data-gate', c.gateId);
        [['stored', c.stored], ['kept apart', c.kept]].forEach(function (pair) {
          var tr = tb.appendChild(document.createElement('tr')), r = pair[1];
          tr.className = pair[0] === 'stored' ? 'stored' : 'kept';
          cell(tr, c.gateId); cell(tr, String(c.epoch), 'num'); cell(tr, String(c.seq), 'num'); cell(tr, pair[0]);
          if (!r) { var td = cell(tr, 'gone (retention)'); td.colSpan = 8; return; }
          cell(tr, r.time); cell(tr, r.kind); cell(tr, r.decision); cell(tr, r.reason); cell(tr, r.subject); cell(tr, r.cert);
          cell(tr, String(r.occupancy), 'num'); cell(tr, r.receivedAt);
        });
      });
    });
  }

  function loadHourly() {
    var to = $('hours-to').value;
    return api('GET', '/api/hourly?hours=' + $('hours').value + (to ? '&to=' + encodeURIComponent(to + 'T23:59:59Z') : '')).then(function (rows) {
      var hours = [], byGate = {}, sums = {}, occ = {};
      rows.forEach(function (r) {
        if (hours.indexOf(r.hour) < 0) hours.push(r.hour);
        (byGate[r.gateId] = byGate[r.gateId] || {})[r.hour] = r.entries;
        if (r.occupancy) (occ[r.gateId] = occ[r.gateId] || {})[r.hour] = r.occupancy;
        var s = sums[r.gateId] = sums[r.gateId] || { entries: 0, referrals: 0, full: 0, exits: 0, occupancy: 0 };
        s.entries += r.entries; s.referrals += r.referrals || 0; s.full += r.full || 0; s.exits += r.exits || 0;
        s.occupancy = Math.max(s.occupancy, r.occupancy || 0);
      });
      var body = document.querySelector('#crowd tbody');
      body.textContent = '';
      Object.keys(sums).sort().forEach(function (g) {
        var tr = body.appendChild(document.createElement('tr'));
        tr.setAttribute('data-gate', g);
        cell(tr, g);
        ['entries', 'referrals', 'full', 'exits', 'occupancy'].forEach(function (k) { cell(tr, String(sums[g][k]), 'num'); });
      });
      hours.sort(function (a, b) { return a - b; });
      var labels = hours.map(function (h) { return new Date(h * 1000).toISOString().slice(5, 13).replace('T', ' ') + 'h'; });
      var datasets = Object.keys(byGate).map(function (g) {
        return { label: g, data: hours.map(function (h) { return byGate[g][h] || 0; }) };
      });
      // Occupancy: one line per gate that counts (an hour without records leaves a gap).
      var occSets = Object.keys(occ).sort().map(function (g) {
        return { label: g, data: hours.map(function (h) { return occ[g][h] === undefined ? null : occ[g][h]; }), spanGaps: false };
      });
      $('no-occupancy').hidden = occSets.length > 0;
      if (typeof Chart === 'undefined') return;
      if (chart) chart.destroy();
      chart = new Chart($('hourly'), { type: 'bar', data: { labels: labels, datasets: datasets },
        options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } });
      if (occChart) occChart.destroy();
      occChart = new Chart($('occupancy'), { type: 'line', data: { labels: labels, datasets: occSets },
        options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
    });
  }

  function traceBody(format) {
    return { text: $('trace-text').value, windowMin: parseInt($('trace-window').value, 10), format: format };
  }

  function showTrace(res) {
    var out = $('trace-result');
    out.innerHTML = '';
    if (!res.entries.length) { out.appendChild(text(document.createElement('p'), 'No entry of this person is stored.')).id = 'trace-none'; return; }
    var summary = document.createElement('p');
    summary.id = 'trace-summary';
    var contacts = res.entries.reduce(function (n, e) { return n + e.contacts.length; }, 0);
    text(summary, res.entries.length + ' entries of this person; ' + contacts + ' contacts within ' + res.windowMin + ' minutes.');
    out.appendChild(summary);
    res.entries.forEach(function (e) {
      var div = document.createElement('div');
      div.className = 'hit';
      div.setAttribute('data-gate', e.gateId);
      div.appendChild(text(document.createElement('h3'), e.gateId + ' at ' + e.time + ' (' + e.decision + ')' + (e.clockUntrusted ? ' - clock unsure' : '')));
      var t = document.createElement('table');
      var head = t.createTHead().insertRow();
      ['Time', 'Decision', 'Subject (pseudonym)', 'Certificate (pseudonym)'].forEach(function (h) { head.appendChild(text(document.createElement('th'), h)); });
      var tb = t.createTBody();
      e.contacts.forEach(function (c) {
        var r = tb.insertRow();
        r.className = 'contact';
        cell(r, c.time); cell(r, c.decision); cell(r, c.subject); cell(r, c.cert);
      });
      div.appendChild(t);
      out.appendChild(div);
    });
  }

  function readImage(file) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () {
        var c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        var g = c.getContext('2d');
        g.drawImage(img, 0, 0);
        var data = g.getImageData(0, 0, c.width, c.height);
        var code = jsQR(data.data, c.width, c.height);
        URL.revokeObjectURL(img.src);
        if (!code) reject(new Error('no QR code found in that image'));
        else resolve(code.data);
      };
      img.onerror = function () { reject(new Error('that file is not an image this browser can read')); };
      img.src = URL.createObjectURL(file);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      text($('login-error'), '');
      api('POST', '/api/login', { user: $('user').value, password: $('password').value })
        .then(function () { $('password').value = ''; return api('GET', '/api/me'); })
        .then(showApp, function (e) { text($('login-error'), e.message); });
    });
    $('logout').addEventListener('click', function () { api('POST', '/api/logout').then(showLogin); });
    $('refresh').addEventListener('click', function () { loadGates(); loadHourly(); loadConflicts(); });
    $('hours').addEventListener('change', loadHourly);
    $('hours-to').addEventListener('change', loadHourly);
    $('trace-image').addEventListener('change', function () {
      var f = $('trace-image').files[0];
      if (!f) return;
      text($('trace-error'), '');
      readImage(f).then(function (t) { $('trace-text').value = t; }, function (e) { text($('trace-error'), e.message); });
    });
    $('trace-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      text($('trace-error'), '');
      api('POST', '/api/trace', traceBody('json')).then(showTrace, function (e) { text($('trace-error'), e.message); });
    });
    $('trace-csv').addEventListener('click', function () {
      api('POST', '/api/trace', traceBody('csv')).then(function (csv) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
        a.download = 'trace.csv';
        document.body.appendChild(a); a.click(); a.remove();
      }, function (e) { text($('trace-error'), e.message); });
    });
    api('GET', '/api/me').then(showApp, showLogin);
  });
})();
