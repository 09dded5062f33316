// osapi console: the overview, jobs, job, workers, audit and schedules pages. Each page's mount() builds
// its frame and returns a refresh function the core calls every few seconds while it is shown
// (returning false stops it).
'use strict';
(function () {
  const C = window.osapi;
  const el = C.el;
  const STATUSES = ['submitted', 'processing', 'completed', 'failed', 'partial_failure',
    'cancelled'];
  const TERMINAL = ['completed', 'failed', 'partial_failure', 'cancelled'];
  const WINDOW_MS = 5 * 60 * 1000;

  function card(label, value, id) {
    return el('div', { class: 'card', id }, el('div', { class: 'value' }, value),
      el('div', { class: 'label' }, label));
  }

  /** Every live worker, a page at a time (at most 20 pages of 1,000). */
  C.allWorkers = async function () {
    const out = [];
    let after = null;
    for (let i = 0; i < 20; i++) {
      const page = await C.api('GET', '/workers?limit=1000' + (after ? '&after=' + encodeURIComponent(after) : ''));
      out.push(...page.workers);
      if (!page.next) break;
      after = page.next;
    }
    return out;
  };

  C.pages.overview = {
    title: 'Overview',
    mount(main) {
      const stats = el('div', { class: 'cards', id: 'stats' });
      const rates = el('p', { id: 'rates' });
      const workers = el('div', { class: 'cards', id: 'worker-states' });
      const oldest = el('p', { id: 'oldest' });
      main.append(el('h1', {}, 'Overview'), el('h2', {}, 'Jobs by status'), stats,
        el('h2', {}, 'Last minutes'), rates, el('h2', {}, 'Workers'), workers,
        el('h2', {}, 'Oldest waiting job'), oldest);
      return async function () {
        if (!C.can('jobs:read')) {
          stats.replaceChildren(el('p', { class: 'muted' }, 'Job figures need jobs:read.'));
        } else {
          const s = await C.api('GET', '/jobs/stats');
          const now = Date.now();
          C.samples.push({ t: now, s });
          while (C.samples.length > 2 && now - C.samples[1].t >= WINDOW_MS) C.samples.shift();
          stats.replaceChildren(...STATUSES.map((st) => card(st, s.by_status[st], 'count-' + st)),
            card('total', s.total, 'count-total'));
          rates.replaceChildren(rateText());
          const first = await C.api('GET', '/jobs?status=submitted&limit=1');
          if (first.total === 0) {
            oldest.replaceChildren('No job is waiting for a worker.');
          } else {
            const last = await C.api('GET', '/jobs?status=submitted&limit=1&offset=' + (first.total - 1));
            const j = last.items[0] || first.items[0];
            oldest.replaceChildren(C.jobLink(j.job_id), ' ' + j.operation.type + ' for ' + j.target
              + ', created ' + C.age(j.created) + ' (' + first.total + ' waiting)');
          }
        }
        if (!C.can('workers:read')) {
          workers.replaceChildren(el('p', { class: 'muted' }, 'Workers need workers:read.'));
        } else {
          const all = await C.allWorkers();
          const by = { ready: 0, draining: 0, cordoned: 0 };
          for (const w of all) by[w.state] = (by[w.state] || 0) + 1;
          workers.replaceChildren(...Object.entries(by).map(([k, v]) => card(k, v, 'workers-' + k)),
            card('active jobs', all.reduce((n, w) => n + w.active_jobs, 0), 'workers-active'));
        }
      };
    },
  };

  /** Rates from the controller's counts as sampled since the page opened (at most 5 minutes). */
  function rateText() {
    const a = C.samples[0];
    const b = C.samples[C.samples.length - 1];
    const secs = (b.t - a.t) / 1000;
    if (C.samples.length < 2 || secs < 1) return 'Measuring: rates appear after the next refresh.';
    const ended = (s) => TERMINAL.reduce((n, st) => n + (s.by_status[st] || 0), 0);
    const failed = (s) => s.by_status.failed + s.by_status.partial_failure;
    const endedN = Math.max(0, ended(b.s) - ended(a.s));
    const failedN = Math.max(0, failed(b.s) - failed(a.s));
    const created = Math.max(0, b.s.total - a.s.total);
    const perMin = (n) => (n * 60 / secs).toFixed(1);
    return 'Over the last ' + secs.toFixed(0) + ' s: ' + perMin(created) + ' jobs/min created, '
      + perMin(endedN) + ' jobs/min ended, failure ratio '
      + (endedN === 0 ? 'n/a (none ended)' : (100 * failedN / endedN).toFixed(1) + ' %')
      + ' (from the job counts, sampled while this page is open).';
  }

  C.pages.jobs = {
    title: 'Jobs',
    needs: 'jobs:read',
    mount(main, args, params) {
      const status = params.get('status') || '';
      const limit = params.get('limit') || '20';
      const after = params.get('after') || '';
      const operation = params.get('operation') || '';
      const target = params.get('target') || '';
      const worker = params.get('worker') || '';
      const since = params.get('since') || '';
      const operationIn = el('input', { id: 'operation-filter', value: operation,
        placeholder: 'operation (diag.echo)' });
      const targetIn = el('input', { id: 'target-filter', value: target,
        placeholder: 'target (_all, role:web)' });
      const workerIn = el('input', { id: 'worker-filter', value: worker,
        placeholder: 'ran on worker (web01)' });
      const sinceIn = el('input', { id: 'since-filter', value: since,
        placeholder: 'created since (24h or RFC 3339)' });
      const statusSel = el('select', { id: 'status-filter' }, el('option', { value: '' }, 'any status'),
        STATUSES.map((s) => el('option', { value: s, selected: s === status }, s)));
      const limitSel = el('select', { id: 'limit-filter' },
        [...new Set(['20', '50', '100', limit])].map((n) => el('option', { value: n, selected: n === limit }, n + ' a page')));
      const filters = el('form', { class: 'row', id: 'job-filters', on: { submit: (ev) => {
        ev.preventDefault();
        C.go('jobs', { status: statusSel.value, limit: limitSel.value,
          operation: operationIn.value.trim(), target: targetIn.value.trim(),
          worker: workerIn.value.trim(), since: sinceIn.value.trim() });
      } } }, el('label', { for: 'status-filter' }, 'Status'), statusSel, operationIn, targetIn,
      workerIn, sinceIn, limitSel, el('button', { type: 'submit', id: 'apply-filters' }, 'Apply'));
      const kept = { status, limit, operation, target, worker, since };
      const summary = el('p', { id: 'jobs-total', class: 'muted' });
      const list = el('div', { id: 'jobs-list' });
      const pager = el('div', { class: 'row', id: 'pager' });
      main.append(el('h1', {}, 'Jobs'), filters, summary, list, pager);
      return async function () {
        const q = new URLSearchParams({ limit });
        if (status) q.set('status', status);
        if (operation) q.set('operation', operation);
        if (target) q.set('target', target);
        if (worker) q.set('worker', worker);
        if (since) q.set('created_after', C.sinceTime(since));
        if (after) q.set('after', after);
        const page = await C.api('GET', '/jobs?' + q);
        summary.textContent = page.total + ' job(s)' + (status ? ' with status ' + status : '')
          + (operation ? ', operation ' + operation : '') + (target ? ', target ' + target : '')
          + (worker ? ', ran on ' + worker : '')
          + (since ? ', created since ' + since : '')
          + (after ? ', after ' + after : '') + '; newest first, refreshed every few seconds.';
        list.replaceChildren(C.table('jobs-table',
          ['job', 'status', 'operation', 'target', 'created', 'updated'],
          page.items.map((j) => [C.jobLink(j.job_id), C.status(j.status), j.operation.type,
            j.target, C.time(j.created), C.time(j.updated)]), 'No job matches.'));
        pager.replaceChildren(
          after ? el('button', { type: 'button', id: 'first-page',
            on: { click: () => C.go('jobs', kept) } }, 'First page') : '',
          page.next ? el('button', { type: 'button', id: 'next-page',
            on: { click: () => C.go('jobs', { ...kept, after: page.next }) } }, 'Next page') : '');
      };
    },
  };

  C.pages.job = {
    title: 'Job',
    needs: 'jobs:read',
    async mount(main, args) {
      const id = args[0];
      const actions = el('div', { class: 'row', id: 'job-actions' });
      const facts = el('dl', { class: 'facts', id: 'job-facts' });
      const runs = el('div', { id: 'job-runs' });
      const results = el('div', { id: 'job-results' });
      const timeline = el('div', { id: 'job-timeline' });
      main.append(el('h1', {}, 'Job ', el('span', { class: 'mono' }, id)), actions, facts,
        el('h2', {}, 'Runs per worker'), runs, el('h2', {}, 'Results, every attempt'), results,
        el('h2', {}, 'Timeline'), timeline);
      const path = '/jobs/' + encodeURIComponent(id);
      let first = true;
      return async function () {
        const j = await C.api('GET', path);
        if (first) {
          first = false;
          actions.replaceChildren(...await jobActions(j, path));
        }
        const rows = [['status', C.status(j.status)], ['operation', j.operation.type],
          ['kind', j.kind], ['target', j.target], ['created', C.time(j.created)],
          ['updated', C.time(j.updated)]];
        if (j.trace_id) rows.push(['trace id', el('span', { class: 'mono' }, j.trace_id)]);
        if (j.rollout) {
          const r = j.rollout;
          rows.push(['rollout', el('span', { id: 'job-rollout' }, 'batch ' + r.batch_size
            + (r.pause_seconds ? ', pause ' + r.pause_seconds + 's' : '') + ', max failures '
            + r.max_failures + ': ' + r.released + ' of ' + r.expected + ' released, ' + r.running
            + ' running, ' + r.done + ' done (' + r.failed + ' failed), ' + r.skipped + ' skipped'
            + (r.stopped ? '; ' + r.stopped : ''))]);
        }
        if (j.error) rows.push(['error', el('span', { class: 'errors', id: 'job-error' }, j.error)]);
        rows.push(['data', C.json(j.operation.data === undefined ? null : j.operation.data)]);
        if (j.result !== undefined) {
          rows.push(['result', el('div', { id: 'job-result' }, C.json(j.result))]);
          rows.push(['verified', j.verified ? 'yes' : 'no' + (j.unverified_reason ? ': ' + j.unverified_reason : '')]);
        }
        facts.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
        runs.replaceChildren(C.table('runs-table',
          ['worker', 'state', 'started', 'ended', 'seconds', 'attempts', 'result or error'],
          Object.entries(j.workers).map(([w, r]) => {
            const mine = j.results.filter((x) => x.worker === w);
            const last = mine[mine.length - 1];
            const outcome = r.error ? el('span', { class: 'errors' }, r.error)
              : last && last.data !== undefined ? C.json(last.data) : '';
            return [w, el('span', { class: 'state-' + r.state }, r.state), C.time(r.started),
              C.time(r.ended), r.duration_seconds === undefined ? '' : String(r.duration_seconds),
              String(mine.length), outcome];
          }), 'No run yet.'));
        results.replaceChildren(C.table('results-table',
          ['worker', 'attempt', 'status', 'time', 'verified', 'data or error'],
          j.results.map((r) => [r.worker, String(r.attempt), C.status(r.status), C.time(r.time),
            r.verified ? 'yes' : 'no' + (r.unverified_reason ? ': ' + r.unverified_reason : ''),
            r.error ? el('span', { class: 'errors' }, r.error) : r.data === undefined ? '' : C.json(r.data)]),
          'No result yet.'));
        timeline.replaceChildren(C.table('timeline-table', ['time', 'event', 'by', 'message'],
          j.timeline.map((t) => [C.time(t.time), t.event, t.worker,
            t.message + (t.error ? ': ' + t.error : '')])));
        return !TERMINAL.includes(j.status);
      };
    },
  };

  /** The buttons the caller may use on a job (the API checks each request anyway). */
  async function jobActions(j, path) {
    const out = [];
    let privileged = false;
    try {
      const op = (await C.operations())[j.operation.type];
      privileged = op ? op.privileged === true : true;
    } catch (e) {
      privileged = true; // not known: offer a retry only to who may retry privileged jobs
    }
    if (C.can('jobs:retry') && (!privileged || C.can('jobs:create:privileged'))) {
      out.push(el('button', { type: 'button', id: 'retry-job', on: { click: async () => {
        try {
          const r = await C.api('POST', path + '/retry', {});
          C.nextFlash = 'Job ' + j.job_id + ' retried as job ' + r.job_id + '.';
          location.hash = '#/jobs/' + encodeURIComponent(r.job_id);
        } catch (e) { C.fail(e); }
      } } }, 'Retry'));
    }
    if (C.can('jobs:cancel') && !TERMINAL.includes(j.status)) {
      out.push(el('button', { type: 'button', id: 'cancel-job', on: { click: async () => {
        try {
          await C.api('POST', path + '/cancel', {});
          C.flash('Job ' + j.job_id + ': cancel requested.', 'ok');
        } catch (e) { C.fail(e); }
      } } }, 'Cancel'));
    }
    if (C.can('jobs:delete')) {
      const confirm = el('span', { hidden: true, id: 'confirm-delete-row' }, 'Delete this job for good? ',
        el('button', { type: 'button', class: 'danger', id: 'confirm-delete', on: { click: async () => {
          try {
            await C.api('DELETE', path);
            C.nextFlash = 'Job ' + j.job_id + ' deleted.';
            location.hash = '#/jobs';
          } catch (e) { C.fail(e); }
        } } }, 'Yes, delete'), ' ',
        el('button', { type: 'button', on: { click: () => { confirm.hidden = true; } } }, 'Keep it'));
      out.push(el('button', { type: 'button', class: 'danger', id: 'delete-job',
        on: { click: () => { confirm.hidden = false; } } }, 'Delete'), confirm);
    }
    return out;
  }

  C.pages.workers = {
    title: 'Workers',
    needs: 'workers:read',
    mount(main) {
      const list = el('div', { id: 'workers-list' });
      main.append(el('h1', {}, 'Workers'), list);
      const drainable = C.can('workers:drain');
      async function act(w, verb) {
        try {
          const r = await C.api('POST', '/workers/' + encodeURIComponent(w.id) + '/' + verb);
          C.flash(r.message, 'ok');
          await refresh();
        } catch (e) { C.fail(e); }
      }
      async function refresh() {
        const all = await C.allWorkers();
        const headers = ['worker', 'labels', 'state', 'heartbeat', 'active / concurrency',
          'allowed operations', 'key'];
        if (drainable) headers.push('');
        list.replaceChildren(C.table('workers-table', headers, all.map((w) => {
          const row = [el('span', { class: 'mono' }, w.id),
            Object.entries(w.labels).map(([k, v]) => k + '=' + v).join(', '),
            el('span', { class: 'state-' + w.state, 'data-worker-state': w.id }, w.state),
            w.heartbeat_age_seconds.toFixed(1) + ' s ago',
            w.active_jobs + ' / ' + w.concurrency,
            w.allow_operations ? w.allow_operations.join(', ') : 'default (every non-privileged)',
            w.key_state ? w.key_state + ' ' + (w.key_fingerprint || '') : 'none'];
          if (drainable) {
            const verb = w.state === 'ready' ? 'drain' : 'undrain';
            row.push(el('button', { type: 'button', class: verb, 'data-worker': w.id,
              on: { click: () => act(w, verb) } }, verb === 'drain' ? 'Drain' : 'Undrain'));
          }
          return row;
        }), 'No live worker.'));
      }
      return refresh;
    },
  };

  C.pages.audit = {
    title: 'Audit',
    needs: 'audit:read',
    mount(main, args, params) {
      const subject = params.get('subject') || '';
      const route = params.get('route') || '';
      const since = params.get('since') || '';
      const after = params.get('after') || '';
      const subjectIn = el('input', { id: 'audit-subject', value: subject, placeholder: 'subject' });
      const routeIn = el('input', { id: 'audit-route', value: route, placeholder: '/api/v1/jobs/{id}' });
      const sinceIn = el('input', { id: 'audit-since', value: since, placeholder: '24h or RFC 3339' });
      const form = el('form', { class: 'row', on: { submit: (ev) => {
        ev.preventDefault();
        C.go('audit', { subject: subjectIn.value.trim(), route: routeIn.value.trim(), since: sinceIn.value.trim() });
      } } }, el('label', {}, 'Subject'), subjectIn, el('label', {}, 'Route'), routeIn,
      el('label', {}, 'Since'), sinceIn, el('button', { type: 'submit', id: 'audit-apply' }, 'Apply'));
      const list = el('div', { id: 'audit-list' });
      const pager = el('div', { class: 'row' });
      main.append(el('h1', {}, 'Audit trail'), form, list, pager);
      return async function () {
        const q = new URLSearchParams({ limit: '50' });
        for (const [k, v] of Object.entries({ subject, route, since, after })) if (v) q.set(k, v);
        const page = await C.api('GET', '/audit?' + q);
        list.replaceChildren(C.table('audit-table',
          ['time', 'subject', 'roles', 'source', 'request', 'ids', 'operation', 'target', 'status', 'ms'],
          page.items.map((r) => [C.time(r.time), r.subject, r.roles.join(', '), r.source,
            r.method + ' ' + r.route, Object.entries(r.ids).map(([k, v]) => k + '=' + v).join(' '),
            r.operation || '', r.target || '', r.status === undefined ? 'pending' : String(r.status),
            r.duration_ms === undefined ? '' : String(r.duration_ms)]), 'No record matches.'));
        pager.replaceChildren(page.next ? el('button', { type: 'button', id: 'audit-next',
          on: { click: () => C.go('audit', { subject, route, since, after: page.next }) } }, 'Next page') : '');
        return false; // a trail page does not refresh: its cursor would move under the reader
      };
    },
  };
  C.pages.schedules = {
    title: 'Schedules',
    needs: 'schedules:read',
    mount(main) {
      const list = el('div', { id: 'schedules-list' });
      main.append(el('h1', {}, 'Schedules'), list);
      // pausing and resuming is a change of the schedule: schedules:write and jobs:create
      const writable = C.can('schedules:write') && C.can('jobs:create');
      async function pause(s, paused) {
        try {
          await C.api('PATCH', '/schedules/' + encodeURIComponent(s.name), { paused });
          C.flash('Schedule ' + s.name + (paused ? ' paused.' : ' resumed.'), 'ok');
          await refresh();
        } catch (e) { C.fail(e); }
      }
      async function refresh() {
        const page = await C.api('GET', '/schedules');
        const headers = ['schedule', 'when', 'operation', 'target', 'state', 'next fire',
          'fired / skipped / missed / failed', 'newest jobs'];
        if (writable) headers.push('');
        list.replaceChildren(C.table('schedules-table', headers, page.items.map((s) => {
          const when = s.cron ? s.cron + ' (' + s.timezone + ')' : 'every ' + s.every;
          const recent = (s.recent || []).filter((f) => f.job_id).slice(0, 3)
            .map((f) => C.jobLink(f.job_id));
          const row = [el('span', { class: 'mono' }, s.name), when, s.job.operation.type,
            s.job.target || '_any',
            el('span', { 'data-schedule-state': s.name }, s.paused ? 'paused' : 'active'),
            s.next_fires.length ? C.time(s.next_fires[0]) : '',
            [s.counts.fired, s.counts.skipped_overlap, s.counts.missed, s.counts.failed].join(' / '),
            el('span', {}, ...recent.flatMap((a, i) => i ? [' ', a] : [a]))];
          if (writable) {
            row.push(el('button', { type: 'button', 'data-schedule': s.name,
              on: { click: () => pause(s, !s.paused) } }, s.paused ? 'Resume' : 'Pause'));
          }
          return row;
        }), 'No schedule.'));
      }
      return refresh;
    },
  };
})();
