/**
 * The two HTTP servers (`lab serve` and `serve`) under a hostile network and a hostile machine, the
 * eighth fault pass: malformed and slow requests, clients that hang up, the store changing while an
 * answer is built, `lab serve` killed under a sweep of the api backend, and where the servers listen.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore, type StoredRun } from '../../src/store/store.js';
import { parseRuns } from '../../src/io/parseRuns.js';
import { bundledDatasets, createWebServer } from '../../src/server/webServer.js';
import { studyRunsSchema, progressSchema } from '../../src/server/webApi.js';
import { createLabServer } from '../../src/server/labServer.js';
import { loadWorld } from '../../src/lab/loadWorld.js';
import { apiBackend } from '../../src/experiments/backends/api.js';
import { BackendUnreachable, type Backend } from '../../src/experiments/backends/backend.js';
import { runSweep } from '../../src/experiments/runner.js';
import { ScaleLabError } from '../../src/errors/index.js';
import { exposedServerWarning } from '../../src/cli/output.js';
import { plannedRuns, spawnCli, waitFor, writePlan } from './common.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-fault-hostile-'));
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Completed runs as a CSV data set, `count` of them from `first`. */
function someRuns(first: number, count: number, source: string) {
  const rows = Array.from(
    { length: count },
    (_, i) => `${1e7 * (first + i + 1)},${2e9 * (first + i + 1)},${(4 - 0.1 * (first + i)).toFixed(2)}`,
  );
  return parseRuns(`N,D,loss\n${rows.join('\n')}\n`, { source });
}

test('serve answers from one snapshot of the store: an import committed while an answer is built is in all of it or none (its runs, its data set, its progress)', async () => {
  const storePath = join(dir, 'snapshot.db');
  const assets = join(dir, 'dist');
  mkdirSync(assets, { recursive: true });
  writeFileSync(join(assets, 'index.html'), '<!doctype html>');
  const writer = RunStore.open(storePath);
  cleanups.push(() => writer.close());
  writer.importDataset(someRuns(0, 3, 'first.csv'), 'demo');
  const web = createWebServer({ storePath, assetsDir: assets, datasets: bundledDatasets() });
  const { url } = await web.listen(0);
  cleanups.push(() => web.close());
  // Another process's import, committed right after the server's first read of the runs (a
  // writer of its own connection, as another process is: the reader's snapshot is the question).
  const runs = RunStore.prototype.runs;
  let imports = 0;
  RunStore.prototype.runs = function (this: RunStore, ...args: Parameters<RunStore['runs']>) {
    const out = runs.apply(this, args);
    if (this !== writer && imports < 1) {
      imports++;
      writer.importDataset(someRuns(10 * imports, 2, `more-${imports}.csv`), 'demo');
    }
    return out;
  };
  cleanups.push(() => (RunStore.prototype.runs = runs));
  try {
    const first = studyRunsSchema.parse(await (await fetch(`${url}/api/studies/demo/runs`)).json());
    assert.equal(imports, 1, 'the import happened while the answer was built');
    // Before: 3 runs listed beside a data set of 5 (the data set read after the import).
    assert.equal(first.runs.length, first.dataset?.runs.length, 'runs and data set from one snapshot');
    assert.equal(first.total, 3, 'the count from the same snapshot');
    assert.equal(first.runs.length, 3);
    const progress = progressSchema.parse(await (await fetch(`${url}/api/studies/demo/progress`)).json());
    assert.equal(progress.total, 5, 'the next answer sees the import whole');
    const again = studyRunsSchema.parse(await (await fetch(`${url}/api/studies/demo/runs`)).json());
    assert.equal(again.runs.length, 5);
    assert.equal(again.dataset?.runs.length, 5);
  } finally {
    RunStore.prototype.runs = runs;
  }
});

test('a training API out of reach during a submit whose answer was lost (the server recorded it, then died): the run is not failed; the sweep tries again, stops saying what it left, and the next one collects it, submitted once', async () => {
  const lab = createLabServer({ world: loadWorld(), budgetSeconds: 12 * 3600, apiKey: 'k', speed: 1e6 });
  const { port } = await lab.listen(0);
  cleanups.push(() => lab.close());
  const real = apiBackend({ url: `http://127.0.0.1:${port}`, apiKey: 'k', maxRuntimeSeconds: 3600 });
  let down = true;
  let lookups = 0;
  const lostAnswers: Backend = {
    ...real,
    name: 'api',
    concurrency: 8,
    async submit(run) {
      // The server takes the submission; its answer never comes back (killed before answering).
      if (down) {
        await real.submit(run);
        throw new BackendUnreachable(`POST /submit: cannot reach the training API (ECONNRESET)`);
      }
      return real.submit(run);
    },
    async status(run) {
      if (down) throw new BackendUnreachable(`GET /experiment: cannot reach the training API (ECONNREFUSED)`);
      return real.status(run);
    },
    find: (run) => {
      if (!down) return real.find!(run);
      lookups++;
      return Promise.reject(new BackendUnreachable('GET /experiments: cannot reach the training API (ECONNREFUSED)'));
    },
  };
  const store = RunStore.open(join(dir, 'unreachable.db'));
  cleanups.push(() => store.close());
  store.plan('s', plannedRuns([0, 1]));
  const notices: number[] = [];
  await assert.rejects(
    runSweep(store, 's', lostAnswers, {
      pollMs: 5,
      unreachableTimeoutMs: 500,
      onUnreachable: ({ waitedMs }) => notices.push(waitedMs),
    }),
    (e: Error) => {
      assert.ok(e instanceof ScaleLabError, `a ScaleLab error, not ${e.name}`);
      assert.match(e.message, /cannot reach the training API/);
      assert.match(e.message, /the sweep tried again for \d+ s and stops here, no run marked failed/);
      assert.match(
        e.message,
        /1 caught being submitted kept as such \(the next sweep looks it up by configuration.*\), 1 not started/,
      );
      assert.match(e.message, /Run the same sweep again once it answers/);
      return true;
    },
  );
  assert.ok(lookups >= 1, 'it tried again (looking the run up) before stopping');
  assert.ok(notices.length >= 1 && notices[0] === 0, 'said at once');
  // Before: the first run "failed: submit failed: … cannot reach the training API", its experiment
  // running (and charged) on the server with no one to collect it; the next submitted and failed alike.
  assert.deepEqual(
    store.runs({ study: 's' }).map((r) => r.status),
    ['submitting', 'planned'],
  );
  assert.equal(lab.state.experiments().length, 1, 'the server recorded the first');
  down = false;
  const p = await runSweep(store, 's', lostAnswers, { pollMs: 5 });
  assert.equal(p.done, 2);
  assert.equal(lab.state.experiments().length, 2, 'each submitted once');
  const charged = lab.state.experiments().reduce((s, e) => s + e.charged, 0);
  assert.ok(
    Math.abs(p.spentSeconds - charged) < 1e-6,
    `the store's hours are the lab's charge (${p.spentSeconds} vs ${charged})`,
  );
});

/** `lab serve … --json` as a child, once it listens: its URL. */
async function labServeChild(args: string[]) {
  const c = spawnCli(['lab', 'serve', '--json', '--api-key', 'k', ...args], { SCALELAB_API_KEY: '' }, 300_000);
  cleanups.push(() => c.child.kill('SIGKILL'));
  let url: string | undefined;
  await waitFor('lab serve to listen', () => {
    if (c.child.exitCode !== null) throw new Error(`lab serve exited: ${c.out.stderr}`);
    try {
      url = (JSON.parse(c.out.stdout) as { url: string }).url;
    } catch {
      /* not all of it yet */
    }
    return url !== undefined;
  });
  return { ...c, url: url! };
}

test('lab serve killed with kill -9 under sweep run --backend api, restarted on its state: the sweep says it cannot reach the API, waits, and collects every run once; the lab charged each once', async () => {
  const state = join(dir, 'lab-state.db');
  const db = join(dir, 'api-sweep.db');
  const plan = join(dir, 'api-plan.json');
  writePlan(plan, [0, 1, 2, 3]);
  // Slow enough that the runs are still running when the server dies.
  const first = await labServeChild(['--port', '0', '--speed', '0.01', '--state', state]);
  const port = new URL(first.url).port;
  const sweep = spawnCli(
    ['sweep', 'run', plan, '--study', 's', '--db', db, '--backend', 'api', '--url', first.url, '--api-key', 'k'].concat(
      ['--max-runtime', '3600', '--poll', '0.05', '--json'],
    ),
    {},
    300_000,
  );
  cleanups.push(() => sweep.child.kill('SIGKILL'));
  const listed = async () =>
    (
      (await (await fetch(`${first.url}/experiments`, { headers: { 'x-api-key': 'k' } })).json()) as {
        experiments: unknown[];
      }
    ).experiments.length;
  let n = 0;
  while (n < 4) {
    assert.equal(sweep.child.exitCode, null, `the sweep ended early: ${sweep.out.stderr}`);
    n = await listed();
    await new Promise((r) => setTimeout(r, 50));
  }
  first.child.kill('SIGKILL');
  await first.done;
  await waitFor('the sweep to say the API is out of reach', () =>
    /cannot reach the training API/.test(sweep.out.stderr),
  );
  assert.equal(sweep.child.exitCode, null, 'the sweep waits for the API');
  const inStore = RunStore.openReadOnly(db);
  assert.deepEqual(
    inStore
      .runs({ study: 's' })
      .map((r) => r.status)
      .filter((s) => s === 'failed'),
    [],
    'no run marked failed while the API is down',
  );
  inStore.close();
  const second = await labServeChild(['--port', port, '--speed', '1e6', '--state', state]);
  const end = await sweep.done;
  assert.equal(end.code, 0, sweep.out.stderr);
  const result = JSON.parse(sweep.out.stdout) as { done: number; failed: number; spentSeconds: number };
  assert.equal(result.done, 4);
  assert.equal(result.failed, 0);
  const experiments = (
    (await (await fetch(`${second.url}/experiments`, { headers: { 'x-api-key': 'k' } })).json()) as {
      experiments: { experiment_id: string }[];
    }
  ).experiments.map((e) => e.experiment_id);
  assert.deepEqual(experiments, ['exp-00001', 'exp-00002', 'exp-00003', 'exp-00004'], 'each submitted once');
  const budget = (await (await fetch(`${second.url}/budget`, { headers: { 'x-api-key': 'k' } })).json()) as {
    used_seconds: number;
    reserved_seconds: number;
  };
  assert.equal(budget.reserved_seconds, 0);
  assert.ok(Math.abs(budget.used_seconds - result.spentSeconds) < 1e-6, 'the store counts what the lab charged, once');
});

test('a server listening where other machines reach it says so (lab serve --host 0.0.0.0: the budget behind a key sent in the clear); on loopback nothing is said; --port 0 names the port it got (a guard)', async () => {
  const open = await labServeChild(['--port', '0', '--host', '0.0.0.0']);
  const port = Number(new URL(open.url).port);
  assert.ok(port > 0, `the port chosen is said: ${open.url}`);
  await waitFor('the warning', () => open.out.stderr.includes('warning'));
  assert.match(
    open.out.stderr,
    new RegExp(
      `scalelab: warning: listening on 0\\.0\\.0\\.0:${port}, every network interface of this machine: anyone who can reach it and has the API key spends the lab's budget .*Give --host 127\\.0\\.0\\.1 to keep it on this machine`,
    ),
  );
  open.child.kill('SIGTERM');
  const openEnd = await open.done;
  assert.equal(openEnd.code, 0, `signal ${openEnd.signal}; stderr: ${open.out.stderr}`);
  const local = await labServeChild(['--port', '0']);
  assert.ok(Number(new URL(local.url).port) > 0);
  local.child.kill('SIGTERM');
  const localEnd = await local.done;
  assert.equal(localEnd.code, 0, `signal ${localEnd.signal}; stderr: ${local.out.stderr}`);
  assert.doesNotMatch(local.out.stderr, /warning/);
  // serve's wording (its CLI needs the built app): the same rule, its own risk.
  for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]'])
    assert.equal(exposedServerWarning(host, 8080, 'x'), undefined, host);
  for (const host of ['0.0.0.0', '::', '192.168.1.5', 'fe80::1'])
    assert.match(exposedServerWarning(host, 8080, 'x') ?? '', /^scalelab: warning: listening on /, host);
});

/** Bytes sent on a bare connection; the answer when the server closes it (status line, headers, body). */
function rawExchange(port: number, bytes: string, o: { keepOpen?: boolean } = {}) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(bytes);
  if (!o.keepOpen) socket.end();
  const closed = new Promise<void>((res) => socket.on('close', () => res()));
  const answer = async () => {
    await closed;
    const [head, ...rest] = received.split('\r\n\r\n');
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n') };
  };
  return { socket, answer, received: () => received };
}

/** An answer is a clear refusal: the status expected, a JSON body that says something, no stack trace. */
function refusedAsJson(r: { status: number; head?: string; body: string }, status: number, what: string): string {
  assert.equal(r.status, status, `${what}: ${r.head ?? ''}\n${r.body}`);
  let json: unknown;
  assert.doesNotThrow(() => (json = JSON.parse(r.body)), `${what}: a JSON body, got ${JSON.stringify(r.body)}`);
  const text = JSON.stringify(json);
  assert.ok(text.length > 30, `${what}: says why (${text})`);
  assert.doesNotMatch(text, /\bat .*\.(ts|js):\d+|internal error/, `${what}: no stack trace`);
  return text;
}

test('malformed and slow requests on both servers: each a 4xx JSON answer (bad request line or header, headers over 16 KiB, a request not sent whole in time, bad JSON or a form, unknown routes and methods, odd queries, traversal), the server serving others meanwhile', async () => {
  const storePath = join(dir, 'hostile.db');
  const w = RunStore.open(storePath);
  w.importDataset(someRuns(0, 3, 'first.csv'), 'demo');
  w.close();
  const assets = join(dir, 'dist-hostile');
  mkdirSync(join(assets, 'assets'), { recursive: true });
  writeFileSync(join(assets, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  symlinkSync(join(dir, 'secret.txt'), join(assets, 'assets', 'out.txt'));
  const timeoutMs = 1500;
  const web = createWebServer({
    storePath,
    assetsDir: assets,
    datasets: bundledDatasets(),
    requestTimeoutMs: timeoutMs,
  });
  const webPort = (await web.listen(0)).port;
  cleanups.push(() => web.close());
  const labServer = createLabServer({
    world: loadWorld(),
    budgetSeconds: 3600,
    apiKey: 'k',
    requestTimeoutMs: timeoutMs,
  });
  const labPort = (await labServer.listen(0)).port;
  cleanups.push(() => labServer.close());

  for (const [name, port] of [
    ['serve', webPort],
    ['lab serve', labPort],
  ] as const) {
    const host = `Host: 127.0.0.1:${port}\r\n`;
    // Slow clients first: one that never finishes its headers, one that sends a byte of its body.
    const slowHeaders = rawExchange(port, `POST /submit HTTP/1.1\r\n${host}x-api-key: k\r\ncontent-le`, {
      keepOpen: true,
    });
    const slowBody = rawExchange(
      port,
      `POST /submit HTTP/1.1\r\n${host}x-api-key: k\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`,
      { keepOpen: true },
    );
    // …while they hang, the server answers others.
    const other = await fetch(`http://127.0.0.1:${port}${name === 'serve' ? '/api/studies' : '/budget'}`, {
      headers: { 'x-api-key': 'k' },
    });
    assert.equal(other.status, 200, `${name}: served while two slow clients hang`);
    const cases: [string, string, number][] = [
      ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400],
      ['a header without a colon', `GET / HTTP/1.1\r\n${host}no colon here\r\n\r\n`, 400],
      ['a NUL in a header', `GET / HTTP/1.1\r\n${host}x-a: b\0c\r\n\r\n`, 400],
      ['20 KiB of headers', `GET / HTTP/1.1\r\n${host}x-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      [
        'both a length and chunked',
        `POST /submit HTTP/1.1\r\n${host}content-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
        400,
      ],
      ['a length that is not a number', `POST /submit HTTP/1.1\r\n${host}content-length: many\r\n\r\n`, 400],
    ];
    for (const [what, bytes, status] of cases)
      refusedAsJson(await rawExchange(port, bytes).answer(), status, `${name}, ${what}`);
    const timedOut = await Promise.all([slowHeaders.answer(), slowBody.answer()]);
    refusedAsJson(timedOut[0], 408, `${name}, headers never finished`);
    const said = refusedAsJson(timedOut[1], 408, `${name}, a body sent a byte at a time`);
    assert.match(said, /did not arrive whole within 1\.5 s/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-api-key': 'k' } })).status < 500, true);
  }

  // lab serve's own routes: bodies, types, methods, ids.
  const lab = async (method: string, path: string, body?: string, type = 'application/json') => {
    const res = await fetch(`http://127.0.0.1:${labPort}${path}`, {
      method,
      headers: { 'x-api-key': 'k', ...(body !== undefined ? { 'content-type': type } : {}) },
      body,
    });
    return { status: res.status, body: await res.text() };
  };
  const deep = '['.repeat(400_000) + ']'.repeat(400_000);
  for (const [what, r, status] of [
    ['invalid JSON', await lab('POST', '/submit', '{"architecture_config": '), 400],
    ['JSON nested 400,000 deep', await lab('POST', '/submit', deep), 400],
    ['JSON null', await lab('POST', '/submit', 'null'), 400],
    ['a JSON list', await lab('POST', '/submit', '[1,2]'), 400],
    ['a form (curl -d)', await lab('POST', '/submit', 'a=1&b=2', 'application/x-www-form-urlencoded'), 400],
    ['a final submission not JSON', await lab('POST', '/final_submission', '{{', 'application/json'), 400],
    ['an unknown route', await lab('GET', '/../../etc/passwd'), 404],
    ['an encoded traversal as an id', await lab('GET', '/experiment/..%2F..%2Fetc%2Fpasswd'), 404],
    ['a NUL in an id', await lab('GET', '/experiment/%00'), 404],
    ['DELETE', await lab('DELETE', '/experiments'), 405],
    ['PROPFIND', await lab('PROPFIND', '/budget'), 405],
  ] as const)
    refusedAsJson(r, status, `lab serve, ${what}`);
  const detail = async (r: Promise<{ body: string }>) => (JSON.parse((await r).body) as { detail: string }).detail;
  assert.match(
    await detail(lab('POST', '/submit', 'a=1', 'application/x-www-form-urlencoded')),
    /not valid JSON \(it was sent as "application\/x-www-form-urlencoded"; send JSON, with the header content-type: application\/json\)/,
  );
  // JSON is read whatever its declared type (fetch sends a string as text/plain): a guard.
  assert.match(
    await detail(lab('POST', '/submit', '{}', 'text/plain')),
    /invalid request: field "architecture_config"/,
  );
  assert.equal((await lab('GET', '/budget?x=%00&x=1&=&&')).status, 200, 'a query where none is read is ignored');
  assert.equal(labServer.state.experiments().length, 0, 'nothing recorded by any of it');

  // serve's: files and queries.
  const web2 = async (path: string, method = 'GET') => {
    const r = await rawExchange(
      webPort,
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${webPort}\r\nConnection: close\r\n\r\n`,
    ).answer();
    return r;
  };
  for (const path of [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2f..%2fetc%2fpasswd',
    '/..%5c..%5cetc%5cpasswd',
    '/%252e%252e/etc/passwd',
    '//etc/passwd',
    '/assets/out.txt',
    '/index.html%00.png',
  ]) {
    const r = await web2(path);
    const text = refusedAsJson(r, 404, `serve ${path}`);
    assert.doesNotMatch(text, /root:|secret/);
  }
  for (const [path, status] of [
    ['/api/studies?x=1', 400],
    ['/api/studies/demo/runs?status=', 400],
    ['/api/studies/demo/runs?status=completed&extra=%00', 400],
    ['/api/studies/demo/runs?status=%ZZ', 400],
    ['/api/studies/%00/runs', 400],
    ['/api/nothing', 404],
  ] as const)
    refusedAsJson(await web2(path), status, `serve ${path}`);
  refusedAsJson(await web2('/api/studies', 'OPTIONS'), 405, 'serve OPTIONS');
  refusedAsJson(await web2('/', 'TRACE'), 405, 'serve TRACE');
});

test('a 1 GiB POST to either server is answered 413 without holding it in memory (a guard: bodies over the limit are drained, not kept)', async () => {
  const storePath = join(dir, 'none.db');
  const web = createWebServer({ storePath, assetsDir: join(dir, 'dist'), datasets: [] });
  const webPort = (await web.listen(0)).port;
  cleanups.push(() => web.close());
  const lab = createLabServer({ world: loadWorld(), budgetSeconds: 3600, apiKey: 'k' });
  const labPort = (await lab.listen(0)).port;
  cleanups.push(() => lab.close());
  const piece = Buffer.alloc(1 << 20, 0x20);
  for (const [port, path] of [
    [labPort, '/submit'],
    [webPort, '/api/studies'],
  ] as const) {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { port, method: 'POST', path, headers: { 'x-api-key': 'k', 'content-length': String(1024 * piece.length) } },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        let sent = 0;
        const more = () => {
          while (sent < 1024) {
            sent++;
            if (!req.write(piece)) return void req.once('drain', more);
          }
          req.end();
        };
        more();
      });
      assert.equal(answer.status, 413, answer.body);
      assert.match(answer.body, /request body too large: 1073741824 bytes/);
    } finally {
      clearInterval(sampler);
    }
    // Client and server in this process: a body kept would add 1 GiB; measured 40 MB of buffers.
    assert.ok(peak - before < 300e6, `memory grew by ${((peak - before) / 1e6).toFixed(0)} MB`);
  }
});

test('the api backend tells a server away from a call that is wrong: a gateway 502/503/504 or no answer in time is unreachable (the sweep waits); a 404 or a URL fetch cannot use is not (review)', async () => {
  const answers: Record<string, number> = {
    '/experiment/gw502': 502,
    '/experiment/gw503': 503,
    '/experiment/gw504': 504,
    '/experiment/gone': 404,
  };
  const server = createServer((req, res) => {
    if (req.url === '/experiment/silent') return; // never answers
    res.statusCode = answers[req.url!] ?? 200;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ detail: 'from the test server' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const api = apiBackend({ url, apiKey: 'k', callTimeoutMs: 300 });
    const status = (id: string) => api.status({ externalId: id, N: 98304, estimatedSeconds: 1 } as StoredRun);
    for (const id of ['gw502', 'gw503', 'gw504'])
      await assert.rejects(
        status(id),
        (e: unknown) => e instanceof BackendUnreachable && /is away \(5\d\d/.test((e as Error).message),
      );
    await assert.rejects(
      status('silent'),
      (e: unknown) => e instanceof BackendUnreachable && /no answer in/.test((e as Error).message),
    );
    await assert.rejects(
      status('gone'),
      (e: unknown) => e instanceof ScaleLabError && !(e instanceof BackendUnreachable),
    );
    // A scheme fetch does not speak: the user's to fix, not a server to wait for.
    const wrong = apiBackend({ url: 'localhost:8000', apiKey: 'k' });
    await assert.rejects(
      wrong.status({ externalId: 'x', N: 98304, estimatedSeconds: 1 } as StoredRun),
      (e: unknown) =>
        e instanceof ScaleLabError &&
        !(e instanceof BackendUnreachable) &&
        /cannot call the training API/.test((e as Error).message),
    );
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('the api backend finds a run whose submit answer was lost when the server echoes its request with the keys in another order (review)', async () => {
  const config = { n_layer: 2, d_model: 64, n_heads: 1, tokens: 3e6, batch_tokens: 4096, learning_rate: 1e-3, seed: 3 };
  // The request as this client sends it, then every object's keys reversed, as another server might keep it.
  const reversed = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(reversed)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reversed(x)]),
          )
        : v;
  const request = {
    architecture_config: { d_model: 64, num_layers: 2, num_heads: 1 },
    optimizer_config: { name: 'adamw', lr: 1e-3, parametrization: 'sp', schedule: 'cosine' },
    train_batch_size: 8,
    val_batch_size: 32,
    n_evals: 10,
    total_train_tokens: 3e6,
    max_runtime_seconds: 99,
    model_seed: 3,
  };
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ experiments: [{ experiment_id: 'exp-7', request: reversed(request) }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const api = apiBackend({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'k' });
    const run = { id: 1, config, N: 98304, estimatedSeconds: 1 } as unknown as StoredRun;
    assert.equal(await api.find!(run), 'exp-7');
    const other = { ...run, config: { ...config, seed: 4 } } as unknown as StoredRun;
    assert.equal(await api.find!(other), undefined);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('sweep run --backend api --call-timeout S --unreachable-timeout S: a server that never answers is away after S s a call, and the sweep stops after the window asked for, saying both; refused with another backend', async () => {
  // Accepts every connection and never answers: a training API on a cluster too slow for the defaults.
  const server = createServer(() => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const plan = writePlan(join(dir, 'silent-plan.json'), [0]);
    const started = Date.now();
    const sweep = spawnCli(
      ['sweep', 'run', plan, '--study', 's', '--db', join(dir, 'silent.db'), '--backend', 'api', '--url', url].concat([
        '--api-key',
        'k',
        '--max-runtime',
        '60',
        '--poll',
        '0.05',
        '--call-timeout',
        '0.5',
        '--unreachable-timeout',
        '2',
      ]),
    );
    cleanups.push(() => sweep.child.kill('SIGKILL'));
    const end = await sweep.done;
    assert.equal(end.code, 1, sweep.out.stderr);
    assert.match(sweep.out.stderr, /cannot reach the training API \(no answer in 0\.5 s\); trying again for up to 2 s/);
    assert.match(sweep.out.stderr, /the sweep tried again for 2 s and stops here, no run marked failed/);
    // Not the defaults' 30 s a call and 2 minutes in all.
    assert.ok(end.at - started < 60_000, `${end.at - started} ms`);
    const sim = spawnCli(['sweep', 'run', plan, '--study', 't', '--db', join(dir, 'sim.db'), '--call-timeout', '5']);
    const refused = await sim.done;
    assert.equal(refused.code, 2, sim.out.stderr);
    assert.match(sim.out.stderr, /--call-timeout applies to --backend api/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
