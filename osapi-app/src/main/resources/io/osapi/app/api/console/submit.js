// osapi console: the submit page. The operations and their data schemas come from the API's own
// OpenAPI document (x-osapi-operations), read with js-yaml (vendored, MIT, js-yaml.LICENSE.txt).
'use strict';
(function () {
  const C = window.osapi;
  const el = C.el;
  let doc = null;

  /** The API's OpenAPI document, read once per page load. */
  C.openapi = async function () {
    if (doc === null) {
      const text = await C.api('GET', '/openapi.yaml');
      doc = window.jsyaml.load(text, { schema: window.jsyaml.JSON_SCHEMA });
    }
    return doc;
  };
  C.operations = async () => (await C.openapi())['x-osapi-operations'] || {};

  /** A schema with its $refs into #/components/schemas resolved (depth-bounded). */
  function resolve(schema, depth) {
    if (!schema || typeof schema !== 'object' || depth > 20) return schema;
    if (Array.isArray(schema)) return schema.map((s) => resolve(s, depth + 1));
    let s = schema;
    if (typeof s.$ref === 'string' && s.$ref.startsWith('#/components/schemas/')) {
      const target = doc.components.schemas[s.$ref.slice('#/components/schemas/'.length)];
      const rest = Object.assign({}, s);
      delete rest.$ref;
      s = Object.assign({}, target, rest);
    }
    const out = {};
    for (const [k, v] of Object.entries(s)) out[k] = k === 'properties'
      ? Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, resolve(ps, depth + 1)]))
      : (k === 'items' || k === 'additionalProperties') ? resolve(v, depth + 1) : v;
    return out;
  }

  function typeOf(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
    return typeof v;
  }

  /** The ways a value breaks the schema subset the operations use (empty when it conforms). */
  C.validate = function validate(v, s, path) {
    const errs = [];
    if (!s || typeof s !== 'object') return errs;
    const at = path || 'data';
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      const t = typeOf(v);
      if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
        return [at + ' must be ' + types.join(' or ') + ', not ' + t];
      }
    }
    if (s.enum && !s.enum.includes(v)) errs.push(at + ' must be one of ' + s.enum.join(', '));
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) errs.push(at + ' must be at least ' + s.minimum);
      if (s.maximum !== undefined && v > s.maximum) errs.push(at + ' must be at most ' + s.maximum);
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && v.length < s.minLength) errs.push(at + ' must have at least ' + s.minLength + ' characters');
      if (s.maxLength !== undefined && v.length > s.maxLength) errs.push(at + ' must have at most ' + s.maxLength + ' characters');
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) errs.push(at + ' must have at least ' + s.minItems + ' item(s)');
      if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(at + ' must have at most ' + s.maxItems + ' item(s)');
      v.forEach((x, i) => errs.push(...validate(x, s.items, at + '[' + i + ']')));
    }
    if (typeOf(v) === 'object') {
      for (const r of s.required || []) if (!(r in v)) errs.push(at + '.' + r + ' is required');
      const props = s.properties || {};
      for (const [k, x] of Object.entries(v)) {
        if (k in props) errs.push(...validate(x, props[k], at + '.' + k));
        else if (s.additionalProperties === false) errs.push(at + '.' + k + ' is not a known field');
        else if (typeof s.additionalProperties === 'object') errs.push(...validate(x, s.additionalProperties, at + '.' + k));
      }
    }
    return errs;
  };

  /** Whether a worker's --allow-operations (globs, * for any characters) lets it run an operation. */
  function allows(w, type, privileged) {
    if (!w.allow_operations) return !privileged;
    return w.allow_operations.some((g) => new RegExp('^' + g.split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$').test(type));
  }

  /** The live, ready workers a target reaches (as the controller matches them; docs/architecture.md). */
  C.expectedWorkers = function (workers, target, type, privileged) {
    const t = (target || '').trim() || '_any';
    const ready = workers.filter((w) => w.state === 'ready' && allows(w, type, privileged));
    if (t === '_any' || t === '_all') return ready;
    const colon = t.indexOf(':');
    if (colon < 0) return ready.filter((w) => w.id === t);
    const key = t.slice(0, colon);
    const value = t.slice(colon + 1);
    if (key === 'host') return ready.filter((w) => w.id === value);
    return ready.filter((w) => {
      const lv = w.labels[key];
      return lv !== undefined && (lv === value || lv.startsWith(value + '.'));
    });
  };

  C.pages.submit = {
    title: 'Submit',
    needs: 'jobs:create',
    async mount(main) {
      const ops = await C.operations();
      const mayPrivileged = C.can('jobs:create:privileged');
      const opSel = el('select', { id: 'operation' }, Object.entries(ops).map(([type, o]) =>
        el('option', { value: type, disabled: o.privileged && !mayPrivileged },
          type + (o.privileged ? ' (privileged' + (mayPrivileged ? ')' : ': needs jobs:create:privileged)') : ''))));
      const data = el('textarea', { id: 'data', spellcheck: 'false' }, '{}');
      const target = el('input', { id: 'target', value: '_any', size: 30 });
      const timeout = el('input', { id: 'timeout', type: 'number', min: 1, max: 86400, placeholder: 'default' });
      const schemaBox = el('pre', { id: 'schema' });
      const describe = el('p', { id: 'op-description', class: 'muted' });
      const problems = el('ul', { id: 'data-errors', class: 'errors' });
      const expected = el('div', { id: 'expected' });
      const submit = el('button', { type: 'submit', class: 'primary', id: 'submit-job' }, 'Submit');
      const form = el('form', { id: 'submit-form', on: { submit: send } },
        el('div', { class: 'row' }, el('label', { for: 'operation' }, 'Operation'), opSel),
        describe,
        el('details', {}, el('summary', {}, 'Data schema'), schemaBox),
        el('label', { for: 'data' }, 'Data (JSON)'), data, problems,
        el('div', { class: 'row' }, el('label', { for: 'target' }, 'Target'), target,
          el('label', { for: 'timeout' }, 'Timeout (s, broadcasts)'), timeout),
        el('p', { class: 'hint' }, '_any: one worker; _all: every worker; a worker id or host:<id>;'
          + ' key:value: the workers labelled so (by dotted prefix).'),
        el('h2', {}, 'Expected workers'), expected, el('div', { class: 'row' }, submit));
      main.append(el('h1', {}, 'Submit a job'), form);
      let workers = null;
      let workersAt = 0;

      function schemaOf() {
        const o = ops[opSel.value];
        return o ? resolve(o.data, 0) : null;
      }
      function check() {
        const errs = [];
        let value = null;
        try {
          value = data.value.trim() === '' ? {} : JSON.parse(data.value);
          errs.push(...C.validate(value, schemaOf(), 'data'));
        } catch (e) {
          errs.push('data is not JSON: ' + e.message);
        }
        problems.replaceChildren(...errs.map((m) => el('li', {}, m)));
        return errs.length === 0 ? value : undefined;
      }
      async function showExpected() {
        if (!C.can('workers:read')) {
          expected.replaceChildren(el('p', { class: 'muted' }, 'Seeing the workers needs workers:read.'));
          return;
        }
        if (workers === null || Date.now() - workersAt > 5000) {
          workers = await C.allWorkers();
          workersAt = Date.now();
        }
        const o = ops[opSel.value] || {};
        const t = target.value.trim() || '_any';
        const match = C.expectedWorkers(workers, t, opSel.value, o.privileged === true);
        const names = match.map((w) => w.id).join(', ');
        let text;
        if (t === '_any') {
          text = match.length === 0 ? 'No ready worker may run it now: the job waits until one comes.'
            : 'One of ' + match.length + ' ready worker(s): ' + names;
        } else {
          text = match.length === 0 ? 'No ready worker matches: the API refuses this broadcast.'
            : match.length + ' worker(s) expected: ' + names;
        }
        expected.replaceChildren(el('p', { id: 'expected-text', class: match.length ? '' : 'errors' }, text));
      }
      function onOperation() {
        const o = ops[opSel.value] || {};
        const s = schemaOf();
        describe.textContent = (o.kind ? 'kind ' + o.kind : '') + (o.privileged ? ', privileged' : '')
          + (s && s.description ? ': ' + s.description : '');
        schemaBox.textContent = JSON.stringify(s, null, 2);
        check();
        showExpected().catch(C.fail);
      }
      async function send(ev) {
        ev.preventDefault();
        const value = check();
        if (value === undefined) return;
        const body = { operation: { type: opSel.value }, target: target.value.trim() || '_any' };
        if (Object.keys(value).length > 0) body.operation.data = value;
        if (timeout.value !== '') body.timeout_seconds = Number(timeout.value);
        submit.disabled = true;
        try {
          const r = await C.api('POST', '/jobs', body);
          C.nextFlash = 'Job ' + r.job_id + ' submitted.';
          location.hash = '#/jobs/' + encodeURIComponent(r.job_id);
        } catch (e) {
          C.fail(e);
        } finally {
          submit.disabled = false;
        }
      }
      opSel.addEventListener('change', onOperation);
      data.addEventListener('input', check);
      target.addEventListener('input', () => showExpected().catch(C.fail));
      if (ops['diag.echo'] && !opSel.value) opSel.value = 'diag.echo';
      onOperation();
    },
  };
})();
