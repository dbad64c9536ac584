// Activa's web console. Plain JavaScript, no framework: the page is the
// embedded index.html, every datum comes from /console/api/ (the management
// protocol's JSON, docs/management.md) and is put into the page as text,
// never as markup: machine names and messages are what clients sent.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  let session = null;  // {user, admin, csrf_token}
  let info = null;     // the last dli answer
  let clientsAfter = null;
  let eventsBefore = null;

  const $ = (id) => document.getElementById(id);

  function text(tag, content, cls) {
    const e = document.createElement(tag);
    if (content !== undefined && content !== null) e.textContent = String(content);
    if (cls) e.className = cls;
    return e;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) tr.appendChild(c instanceof Node ? wrap(c) : text('td', c));
    return tr;
  }

  function wrap(node) {
    const td = document.createElement('td');
    td.appendChild(node);
    return td;
  }

  function fill(tbody, rows, empty, columns) {
    tbody.replaceChildren();
    if (rows.length === 0) {
      const td = text('td', empty, 'muted');
      td.colSpan = columns;
      const tr = document.createElement('tr');
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    for (const r of rows) tbody.appendChild(r);
  }

  function hex(code) {
    return '0x' + (code >>> 0).toString(16).toUpperCase().padStart(8, '0');
  }

  function when(seconds) {
    if (!seconds) return 'never';
    return new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }

  function say(message) {
    $('status').textContent = message || '';
  }

  // One API call. A 401 means the session is gone (logged out, or idle past
  // its timeout): back to the login form. Changes carry the CSRF token.
  async function api(method, path, body) {
    const init = {method: method, credentials: 'same-origin', headers: {}};
    if (method !== 'GET') {
      init.headers['Content-Type'] = 'application/json';
      if (session) init.headers['X-CSRF-Token'] = session.csrf_token;
      init.body = JSON.stringify(body || {});
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new Error('the host did not answer: ' + e.message);
    }
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      data = {};
    }
    if (response.status === 401 && path !== '/console/api/login') {
      showLogin('Your session has ended (logged out, or idle too long): log in again.');
      throw new Error('not logged in');
    }
    if (!response.ok) {
      const message = (data.error && data.error.message) || data.message || response.statusText;
      const code = typeof data.result === 'number' ? hex(data.result) + ': ' : '';
      const error = new Error(code + message);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // --- Views ---------------------------------------------------------------

  const views = ['login', 'overview', 'clients', 'events', 'settings'];

  function show(view) {
    for (const v of views) $('view-' + v).hidden = v !== view;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const loggedIn = view !== 'login';
    $('nav').hidden = !loggedIn;
    $('logout').hidden = !loggedIn;
    $('who').hidden = !loggedIn;
  }

  function showLogin(message) {
    session = null;
    show('login');
    $('login-error').textContent = message || '';
    $('login-user').focus();
  }

  function loggedIn(s) {
    session = s;
    $('who').textContent = s.user + (s.admin ? ' (administrator)' : ' (read-only)');
    route();
  }

  async function route() {
    if (!session) return;
    const view = (location.hash || '#overview').slice(1);
    const name = views.includes(view) && view !== 'login' ? view : 'overview';
    show(name);
    say('');
    try {
      if (name === 'overview') await loadOverview();
      if (name === 'clients') await loadClients(null);
      if (name === 'events') await loadEvents(null);
      if (name === 'settings') await loadSettings();
    } catch (e) {
      if (e.message !== 'not logged in') say(e.message);
    }
  }

  // --- Overview --------------------------------------------------------------

  async function loadOverview() {
    info = await api('GET', '/console/api/overview');
    const m = info.machine;
    $('machine').textContent = 'Machine ' + m.name + ', CMID ' + m.cmid;
    const host = info.host;
    $('host-part').hidden = !host;
    if (host) renderHost(host);
    const rows = info.products.map((p) => row([
      p.name, p.license_status_text, String(Math.floor(p.minutes_left / 1440)),
      p.kms.in_use || (p.key_kind === 'mak' ? 'MAK (vendor)' : 'none yet')]));
    fill($('products').tBodies[0], rows, 'No product is installed.', 4);
  }

  function renderHost(host) {
    const counts = $('counts');
    counts.replaceChildren();
    host.counts.forEach((c, i) => {
      const card = text('div', null, 'card');
      card.appendChild(text('h3', c.application));
      const threshold = c.editions.reduce((t, e) => Math.max(t, e.threshold), 0);
      const big = text('p', null, 'big');
      const n = text('span', c.count, 'count');
      n.id = 'count-' + i;
      n.dataset.application = c.application_id;
      big.appendChild(n);
      big.appendChild(text('span', threshold ? ' of ' + threshold : '', 'muted'));
      card.appendChild(big);
      const list = document.createElement('ul');
      for (const e of c.editions) {
        list.appendChild(text('li', e.name + ': threshold ' + e.threshold +
            (e.missing ? ', ' + e.missing + ' more needed' : ', reached')));
      }
      card.appendChild(list);
      card.appendChild(plot(c.history || [], threshold, c.application));
      counts.appendChild(card);
    });
    if (host.counts.length === 0) counts.appendChild(text('p', 'No application is counted yet.', 'muted'));

    const r = host.requests;
    const states = [['Total', r.total], ['Failed', r.failed], ['Unlicensed', r.unlicensed],
      ['Licensed', r.licensed], ['Initial grace', r.initial_grace],
      ['Out-of-tolerance grace', r.oot_grace], ['Non-genuine grace', r.non_genuine_grace],
      ['Notification', r.notification]];
    fill($('requests').tBodies[0], states.map(([k, v]) => {
      const tr = document.createElement('tr');
      tr.appendChild(text('th', k)).scope = 'row';
      tr.appendChild(text('td', v, 'num'));
      return tr;
    }), '', 2);

    $('dns-state').textContent = host.dns_publishing ?
      'Publishing is on' + (host.dns_problem ? ': ' + host.dns_problem : '.') : 'Publishing is off.';
    fill($('dns').tBodies[0], host.dns.map((d) => row([
      d.domain, (d.result ? hex(d.result) + ' ' : '') + d.message + (d.withdrawn ? ' (withdrawn)' : ''),
      when(d.time)])), 'No publishing yet.', 3);

    let cert = host.activated ? 'Valid; it expires in more than 30 days.' : 'The host is not activated.';
    if (host.certificate_expires) {
      const days = Math.floor((host.certificate_expires * 1000 - Date.now()) / 86400000);
      cert = 'Expires ' + when(host.certificate_expires) + ' (in ' + days + ' days).';
    }
    if (host.clearinghouse_unreachable) {
      cert += ' The clearinghouse cannot be reached since ' +
        when(host.clearinghouse_unreachable.since) + ': ' + host.clearinghouse_unreachable.cause;
    }
    $('certificate').textContent = cert;
  }

  function svg(tag, attributes, content) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attributes) e.setAttribute(k, attributes[k]);
    if (content !== undefined) e.textContent = content;
    return e;
  }

  // The count of the last 30 days as an inline SVG line, with the
  // threshold dashed. `history` is [{day (Unix seconds of a UTC day), count}].
  function plot(history, threshold, label) {
    const W = 300, H = 110, L = 30, B = 20, T = 8, R = 8;
    const days = 30;
    const today = Math.floor(Date.now() / 86400000) * 86400;
    const from = today - (days - 1) * 86400;
    const points = history.filter((h) => h.day >= from).sort((a, b) => a.day - b.day);
    const top = Math.max(threshold, ...points.map((p) => p.count), 1);
    const x = (day) => L + (W - L - R) * (day - from) / ((days - 1) * 86400);
    const y = (count) => H - B - (H - B - T) * count / top;
    const s = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', class: 'plot'});
    const last = points.length ? points[points.length - 1].count : 0;
    s.appendChild(svg('title', {}, label + ': count over the last 30 days' +
        (points.length ? ', now ' + last : ', no samples yet') +
        (threshold ? '; threshold ' + threshold : '')));
    s.appendChild(svg('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis'}));
    s.appendChild(svg('line', {x1: L, y1: T, x2: L, y2: H - B, class: 'axis'}));
    s.appendChild(svg('text', {x: L - 4, y: T + 4, class: 'tick', 'text-anchor': 'end'}, String(top)));
    s.appendChild(svg('text', {x: L - 4, y: H - B, class: 'tick', 'text-anchor': 'end'}, '0'));
    s.appendChild(svg('text', {x: L, y: H - 4, class: 'tick'}, '30 days ago'));
    s.appendChild(svg('text', {x: W - R, y: H - 4, class: 'tick', 'text-anchor': 'end'}, 'today'));
    if (threshold) {
      s.appendChild(svg('line', {x1: L, y1: y(threshold), x2: W - R, y2: y(threshold), class: 'threshold'}));
    }
    if (points.length) {
      s.appendChild(svg('polyline', {
        points: points.map((p) => x(p.day).toFixed(1) + ',' + y(p.count).toFixed(1)).join(' '),
        class: 'line'}));
      for (const p of points) {
        s.appendChild(svg('circle', {cx: x(p.day).toFixed(1), cy: y(p.count).toFixed(1), r: 2, class: 'dot'}));
      }
    }
    return s;
  }

  // --- Clients ---------------------------------------------------------------

  async function loadClients(after) {
    const q = new URLSearchParams({first: '50'});
    const search = $('clients-search').value.trim();
    if (search) q.set($('clients-by').value === 'cmid' ? 'cmid' : 'machine', search);
    if (after) q.set('after', after);
    const page = await api('GET', '/console/api/clients?' + q.toString());
    clientsAfter = page.next_after;
    $('clients-next').disabled = !clientsAfter;
    $('clients-first').disabled = !after;
    $('clients-total').textContent = page.is_host ?
      page.total + ' client records on this host.' : 'This machine is not a host.';
    fill($('clients').tBodies[0], page.clients.map((c) => row([
      c.machine_name, text('code', c.cmid), c.edition || c.sku_id,
      stateName(c.license_state) + (c.is_virtual_machine ? ' (VM)' : ''), when(c.last_seen),
      String(c.requests)])), search ? 'No client matches.' : 'No client yet.', 6);
  }

  function stateName(n) {
    return ({0: 'Unlicensed', 1: 'Licensed', 2: 'Initial grace', 3: 'Out-of-tolerance grace',
      4: 'Non-genuine grace', 5: 'Notification', 6: 'Extended grace'})[n] || 'State ' + n;
  }

  // --- Events ----------------------------------------------------------------

  async function loadEvents(before) {
    const q = new URLSearchParams({first: '50'});
    const id = $('events-id').value;
    if (id) q.set('event_id', id);
    const since = $('events-since').value;
    if (since) q.set('since', String(Math.floor(Date.parse(since + 'Z') / 1000)));
    const machine = $('events-machine').value.trim();
    if (machine) q.set('machine', machine);
    if (before) q.set('before', String(before));
    const page = await api('GET', '/console/api/events?' + q.toString());
    eventsBefore = page.next_before;
    $('events-next').disabled = !eventsBefore;
    $('events-first').disabled = !before;
    fill($('events').tBodies[0], page.events.map((e) => row([when(e.time), String(e.event_id),
      e.message])), 'No event matches.', 3);
  }

  // --- Settings --------------------------------------------------------------

  let current = null;  // the settings as loaded

  async function loadSettings() {
    info = await api('GET', '/console/api/overview');
    const host = info.host;
    const product = info.products[0];
    current = {
      sai: host ? host.activation_interval : (product ? product.activation_interval : 120),
      sri: host ? host.renewal_interval : (product ? product.renewal_interval : 10080),
      sprt: host ? host.port : 1688,
      dns: host ? host.dns_publishing : false,
      low: host ? host.priority === 'low' : false,
    };
    $('set-sai').value = current.sai;
    $('set-sri').value = current.sri;
    $('set-sprt').value = current.sprt;
    $('set-dns').checked = current.dns;
    $('set-low').checked = current.low;
    // The server refuses a standard user's change anyway (0x80070005);
    // the form says so before one is tried.
    $('settings-fields').disabled = !session.admin;
    $('settings-readonly').hidden = session.admin;
    $('settings-error').textContent = '';
  }

  async function saveSettings(event) {
    event.preventDefault();
    $('settings-error').textContent = '';
    const changes = [];
    const sai = Number($('set-sai').value), sri = Number($('set-sri').value);
    const sprt = Number($('set-sprt').value);
    if (sai !== current.sai) changes.push({op: 'sai', minutes: sai});
    if (sri !== current.sri) changes.push({op: 'sri', minutes: sri});
    if (sprt !== current.sprt) changes.push({op: 'sprt', port: sprt});
    if ($('set-dns').checked !== current.dns) changes.push({op: $('set-dns').checked ? 'sdns' : 'cdns'});
    if ($('set-low').checked !== current.low) changes.push({op: $('set-low').checked ? 'cpri' : 'spri'});
    try {
      for (const c of changes) await api('POST', '/console/api/settings', c);
      await loadSettings();
      say(changes.length ? 'Saved: ' + changes.map((c) => '/' + c.op).join(', ') + '.' : 'Nothing changed.');
    } catch (e) {
      if (e.message !== 'not logged in') $('settings-error').textContent = e.message;
    }
  }

  // --- Wiring ----------------------------------------------------------------

  async function login(event) {
    event.preventDefault();
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    try {
      const s = await api('POST', '/console/api/login',
          {user: $('login-user').value, password: $('login-password').value});
      $('login-password').value = '';
      loggedIn(s);
      $('main').focus();
    } catch (e) {
      $('login-error').textContent = 'Login refused: ' + e.message;
    } finally {
      $('login-submit').disabled = false;
    }
  }

  async function logout() {
    try {
      await api('POST', '/console/api/logout');
    } catch (e) {
      // Logged out either way below.
    }
    showLogin('Logged out.');
  }

  document.addEventListener('DOMContentLoaded', async () => {
    $('login-form').addEventListener('submit', login);
    $('logout').addEventListener('click', logout);
    $('settings-form').addEventListener('submit', saveSettings);
    $('clients-form').addEventListener('submit', (e) => {
      e.preventDefault();
      loadClients(null).catch((x) => say(x.message));
    });
    $('clients-first').addEventListener('click', () => loadClients(null).catch((x) => say(x.message)));
    $('clients-next').addEventListener('click', () => loadClients(clientsAfter).catch((x) => say(x.message)));
    $('events-form').addEventListener('submit', (e) => {
      e.preventDefault();
      loadEvents(null).catch((x) => say(x.message));
    });
    $('events-first').addEventListener('click', () => loadEvents(null).catch((x) => say(x.message)));
    $('events-next').addEventListener('click', () => loadEvents(eventsBefore).catch((x) => say(x.message)));
    window.addEventListener('hashchange', route);
    try {
      loggedIn(await api('GET', '/console/api/session'));
    } catch (e) {
      if (!session) showLogin('');
    }
  });
})();
