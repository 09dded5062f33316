// osapi console: the core (token, API calls, DOM building, routing, refresh).
// Every text from the API goes into the page as a text node (el() and textContent), never as
// markup; the Content-Security-Policy forbids inline scripts and styles anyway.
'use strict';
(function () {
  const TOKEN_KEY = 'osapi.token';
  const REFRESH_MS = 2000;
  // nextFlash: a message for the page the hash changes to next (after a delete, a submit)
  const C = { pages: {}, me: null, samples: [], nextFlash: null };
  window.osapi = C;
  let seq = 0;
  let timer = null;

  /** An element with attributes (set as attributes, never parsed) and children (text or nodes). */
  C.el = function (tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'on') {
        for (const [ev, f] of Object.entries(v)) e.addEventListener(ev, f);
      } else {
        e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const k of kids.flat()) {
      if (k !== undefined && k !== null) e.append(k instanceof Node ? k : String(k));
    }
    return e;
  };

  /** A table of rows; each row is a list of cells (text or nodes). */
  C.table = function (id, headers, rows, empty) {
    const body = rows.length === 0
      ? [C.el('tr', {}, C.el('td', { colspan: headers.length, class: 'muted' }, empty || 'none'))]
      : rows.map((r) => C.el('tr', {}, r.map((c) => C.el('td', {}, c))));
    return C.el('table', { id },
      C.el('thead', {}, C.el('tr', {}, headers.map((h) => C.el('th', {}, h)))),
      C.el('tbody', {}, body));
  };

  C.status = (s) => C.el('span', { class: 'status status-' + String(s).replace(/[^a-z_]/g, '') }, s);
  C.json = (v) => C.el('pre', { class: 'json' }, JSON.stringify(v, null, 2));
  C.time = (iso) => (iso ? String(iso).replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
  C.age = function (iso) {
    if (!iso) return '';
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    return s < 120 ? s.toFixed(0) + ' s ago' : s < 7200 ? (s / 60).toFixed(0) + ' min ago'
      : (s / 3600).toFixed(1) + ' h ago';
  };
  /** A time for the API: RFC 3339 as given, or '30m', '24h', '7d' ago. */
  C.sinceTime = function (text) {
    const m = /^(\d+)([smhd])$/.exec(text);
    if (!m) return text;
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2]];
    return new Date(Date.now() - Number(m[1]) * unit).toISOString();
  };
  C.jobLink = (id) => C.el('a', { href: '#/jobs/' + encodeURIComponent(id), class: 'mono job-link' }, id);
  C.token = () => sessionStorage.getItem(TOKEN_KEY);
  C.can = (p) => C.me !== null && C.me.permissions.includes(p);

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }
  C.ApiError = ApiError;

  /** One API call with the tab's token; JSON answers parsed, others as text; errors thrown. */
  C.api = async function (method, path, body) {
    const token = C.token();
    if (!token) throw new ApiError(401, 'not logged in');
    const headers = { Accept: 'application/json', Authorization: 'Bearer ' + token };
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    let r;
    try {
      r = await fetch('/api/v1' + path, {
        method, headers, credentials: 'omit', cache: 'no-store', redirect: 'error',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'the controller cannot be reached (' + e.message + ')');
    }
    const text = await r.text();
    let json = null;
    if ((r.headers.get('Content-Type') || '').includes('json') && text) {
      try { json = JSON.parse(text); } catch (e) { json = null; }
    }
    if (r.status === 401) {
      const why = json && json.details && json.details.reason ? json.details.reason : 'refused';
      C.logout('The token was refused (' + why + '): enter a valid one.');
      throw new ApiError(401, 'the token was refused');
    }
    if (!r.ok) {
      throw new ApiError(r.status, (json && json.error) || 'HTTP ' + r.status, json);
    }
    return json !== null ? json : text;
  };

  C.flash = function (message, kind) {
    const b = document.getElementById('banner');
    b.textContent = message;
    b.className = kind || 'ok';
    b.hidden = !message;
  };
  C.fail = (e) => C.flash(e.status ? e.message + ' (HTTP ' + e.status + ')' : e.message, 'error');

  C.logout = function (message) {
    sessionStorage.removeItem(TOKEN_KEY);
    C.me = null;
    C.samples = [];
    seq++;
    clearTimeout(timer);
    showLogin(message);
  };

  function showLogin(message) {
    document.getElementById('main').replaceChildren();
    document.getElementById('nav').hidden = true;
    document.getElementById('logout').hidden = true;
    document.getElementById('who').textContent = '';
    document.getElementById('login').hidden = false;
    C.flash(message || '', 'error');
    document.getElementById('token').focus();
  }

  /** The page of the hash: #/name/arg?query. */
  function parseHash() {
    const h = location.hash.replace(/^#\/?/, '');
    const q = h.indexOf('?');
    const path = q < 0 ? h : h.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
    const parts = path.split('/').filter((p) => p !== '').map((p) => {
      try { return decodeURIComponent(p); } catch (e) { return p; }
    });
    let name = parts[0] || 'overview';
    if (name === 'jobs' && parts.length > 1) name = 'job';
    return { name, args: parts.slice(1), params };
  }

  /** Sets the hash to a page with query parameters (empty ones left out). */
  C.go = function (page, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== '') q.set(k, v);
    }
    const s = q.toString();
    location.hash = '#/' + page + (s ? '?' + s : '');
  };

  async function show() {
    const mine = ++seq;
    clearTimeout(timer);
    if (!C.token()) {
      showLogin();
      return;
    }
    if (C.me === null) {
      try {
        C.me = await C.api('GET', '/me');
      } catch (e) {
        if (e.status !== 401) C.fail(e);
        return;
      }
    }
    if (mine !== seq) return;
    document.getElementById('login').hidden = true;
    const nav = document.getElementById('nav');
    nav.hidden = false;
    document.getElementById('logout').hidden = false;
    document.getElementById('who').textContent = C.me.subject + ' (' + C.me.roles.join(', ') + ')';
    const { name, args, params } = parseHash();
    for (const a of nav.querySelectorAll('a')) {
      const needs = a.getAttribute('data-needs');
      a.hidden = needs !== null && !C.can(needs);
      a.classList.toggle('active', a.getAttribute('data-page') === (name === 'job' ? 'jobs' : name));
    }
    const page = C.pages[name] || C.pages.overview;
    const main = document.getElementById('main');
    main.replaceChildren();
    main.setAttribute('data-page', name);
    if (page.needs && !C.can(page.needs)) {
      main.append(C.el('h1', {}, page.title),
        C.el('p', { class: 'muted' }, 'This page needs the permission ' + page.needs + '.'));
      return;
    }
    let refresh;
    try {
      refresh = await page.mount(main, args, params);
    } catch (e) {
      if (mine === seq) C.fail(e);
      return;
    }
    if (typeof refresh !== 'function') return;
    const tick = async function () {
      if (mine !== seq) return;
      let again = true;
      if (!document.hidden) {
        try {
          again = (await refresh()) !== false;
          if (mine === seq && document.getElementById('banner').className === 'error') C.flash('');
        } catch (e) {
          if (mine === seq && e.status !== 401) C.fail(e);
        }
      }
      if (mine === seq && again) timer = setTimeout(tick, REFRESH_MS);
    };
    await tick();
  }
  C.show = show;

  document.addEventListener('DOMContentLoaded', function () {
    document.getElementById('login-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      const input = document.getElementById('token');
      const t = input.value.trim();
      input.value = '';
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      C.me = null;
      C.flash('');
      show();
    });
    document.getElementById('logout').addEventListener('click', () => C.logout('Logged out.'));
    window.addEventListener('hashchange', function () {
      C.flash(C.nextFlash || '', 'ok');
      C.nextFlash = null;
      show();
    });
    show();
  });
})();
