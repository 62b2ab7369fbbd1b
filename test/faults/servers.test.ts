/**
 * Fault injection on the two HTTP servers (issue 16, area "servers"): `lab serve` killed with
 * kill -9 in the middle of its work and restarted on its state file; `serve` pointed at files that
 * are not run stores; both servers asked by a foreign Host (DNS rebinding), sent an oversized body,
 * or a URL with a broken percent-escape.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { root } from '../helpers/cli.js';
import { createLabServer } from '../../src/server/labServer.js';
import { hostAllowed } from '../../src/server/http.js';
import { bundledDatasets, createWebServer, defaultAssetsDir } from '../../src/server/webServer.js';
import { studiesSchema } from '../../src/server/webApi.js';
import { loadWorld } from '../../src/lab/loadWorld.js';
import { simulate } from '../../src/lab/simulate.js';
import { RunStore } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-fault-servers-'));
const world = loadWorld();
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Poll `check` until it returns a value (not undefined), or fail after `timeoutMs`. */
async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The CLI from sources as a child process (a server keeps running; the test ends it). */
function start(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}src/cli/run.ts`, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SCALELAB_DEBUG: '', SCALELAB_API_KEY: '' },
  });
  children.add(child);
  let out = '',
    err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** `lab serve … --json` as a child, once it listens: its JSON line ({url, apiKey, state, resumed, …}). */
async function labServe(args: string[]): Promise<
  Child & {
    info: {
      url: string;
      apiKey: string;
      budgetHours: number;
      state: string | null;
      resumed: { experiments: number; finalSubmission: boolean } | null;
    };
  }
> {
  const c = start(['lab', 'serve', '--port', '0', '--json', ...args]);
  let gone = false;
  void c.exited.then(() => (gone = true));
  const info = await until('lab serve to listen', () => {
    if (gone) throw new Error(`lab serve exited: ${c.stderr()}`);
    try {
      return JSON.parse(c.stdout());
    } catch {
      return undefined; // not all of it yet
    }
  });
  return { ...c, info };
}

async function call(base: string, method: string, path: string, body?: unknown, key = 'k') {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const submission = (seed: number, over: Record<string, unknown> = {}) => ({
  architecture_config: { d_model: 256, num_layers: 4, num_heads: 4 },
  optimizer_config: { name: 'adamw', lr: 3e-3, parametrization: 'mup' },
  train_batch_size: 128,
  total_train_tokens: 2e8,
  max_runtime_seconds: 1000,
  n_evals: 5,
  model_seed: seed,
  ...over,
});

/** What the lab charges for a request, from the simulator alone: runtime clipped to [1, max], a timeout in full. */
function expectedCharge(r: ReturnType<typeof submission>): number {
  const sim = simulate(world, {
    n_layer: r.architecture_config.num_layers,
    d_model: r.architecture_config.d_model,
    n_heads: r.architecture_config.num_heads,
    tokens: r.total_train_tokens,
    batch_tokens: r.train_batch_size * world.architecture.seqLen,
    learning_rate: r.optimizer_config.lr,
    parametrization: 'mup',
    n_evals: r.n_evals,
    seed: r.model_seed,
  });
  return sim.seconds > r.max_runtime_seconds
    ? r.max_runtime_seconds
    : Math.min(r.max_runtime_seconds, Math.max(1, sim.seconds));
}

/** A request sent exactly as written (fetch would normalise the path and refuses to set Host). */
function raw(
  port: number,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...(o.chunked ? { 'transfer-encoding': 'chunked' } : o.body ? { 'content-length': String(o.body.length) } : {}),
      ...o.headers,
    };
    const req = httpRequest({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    if (o.chunked && o.body) {
      // Streamed in pieces, as a client that does not know the length would.
      for (let i = 0; i < o.body.length; i += 256 * 1024) req.write(o.body.subarray(i, i + 256 * 1024));
      req.end();
    } else req.end(o.body);
  });
}

test('item 3: lab serve killed with kill -9 mid-submit resumes on its state file: budget, experiments, ids, final submission, and nothing charged twice', async () => {
  const state = join(dir, 'lab.db');
  // A slow clock and two slots: when the server dies, most experiments are queued or running.
  const a = await labServe([
    '--state',
    state,
    '--api-key',
    'k',
    '--budget-hours',
    '12',
    '--speed',
    '10',
    '--slots',
    '2',
  ]);
  assert.equal(a.info.state, state);
  assert.equal(a.info.resumed, null, 'a new state file starts a new lab');
  const base = a.info.url;
  const acked = new Map<string, ReturnType<typeof submission>>();
  for (let seed = 0; seed < 6; seed++) {
    const r = await call(base, 'POST', '/submit', submission(seed));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    acked.set(r.json.experiment_id, submission(seed));
  }
  const final = { architecture_config: { d_model: 1024, num_layers: 16, num_heads: 16 }, predicted_loss: 2.9 };
  assert.equal((await call(base, 'POST', '/final_submission', final)).status, 200);
  const before = (await call(base, 'GET', '/experiments')).json.experiments as {
    experiment_id: string;
    status: string;
  }[];
  assert.ok(
    before.some((e) => e.status === 'queued' || e.status === 'running'),
    'experiments are in flight when the server is killed',
  );
  const budgetBefore = (await call(base, 'GET', '/budget')).json;
  assert.ok(budgetBefore.reserved_seconds > 0);

  // More submissions on their way while the server is killed: each either was recorded whole or not at all.
  const inFlight = Array.from({ length: 20 }, (_, i) =>
    fetch(`${base}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: JSON.stringify(submission(100 + i)),
    }).then(
      async (r) => ({
        seed: 100 + i,
        status: r.status,
        id: ((await r.json()) as { experiment_id?: string }).experiment_id,
      }),
      () => ({ seed: 100 + i, status: 0, id: undefined }),
    ),
  );
  // Kill once the first of them has been acknowledged, with the rest still arriving.
  const first = await Promise.race(inFlight);
  a.child.kill('SIGKILL');
  assert.equal((await a.exited).signal, 'SIGKILL');
  const answers = await Promise.all(inFlight);
  assert.equal(first.status, 200);
  for (const x of answers) if (x.status === 200) acked.set(x.id!, submission(x.seed));

  // A second server on the same file is refused while the first (restarted) one runs.
  const b = await labServe(['--state', state, '--speed', '1e6']);
  try {
    assert.ok(b.info.resumed, 'the restarted server resumes the lab');
    assert.equal(b.info.apiKey, 'k', "the key is the lab's own when none is given");
    assert.equal(b.info.budgetHours, 12);
    const url = b.info.url;
    const list = (await call(url, 'GET', '/experiments')).json.experiments as {
      experiment_id: string;
      request: Record<string, unknown>;
    }[];
    assert.equal(b.info.resumed!.experiments, list.length);
    assert.equal(b.info.resumed!.finalSubmission, true);
    // Every acknowledged experiment is there with its id and configuration; ids run 1…n without gaps.
    for (const [id, req] of acked) {
      const found = list.find((e) => e.experiment_id === id);
      assert.ok(found, `acknowledged ${id} survived`);
      assert.equal(found.request.model_seed, req.model_seed, id);
    }
    assert.deepEqual(
      list.map((e) => e.experiment_id),
      list.map((_, i) => `exp-${String(i + 1).padStart(5, '0')}`),
    );
    assert.equal(new Set(list.map((e) => e.request.model_seed)).size, list.length, 'one experiment per configuration');

    // The runs in flight at the kill finish (the lab's clock kept running) and each is charged once.
    const settled = await until('every experiment to finish', async () => {
      const bud = (await call(url, 'GET', '/budget')).json;
      return bud.reserved_seconds === 0 ? bud : undefined;
    });
    const charges = list.map((e) => expectedCharge(submission(e.request.model_seed as number)));
    const expected = charges.reduce((s, x) => s + x, 0);
    assert.ok(
      Math.abs(settled.used_seconds - expected) < 1e-6 * expected,
      `used ${settled.used_seconds} s, the experiments cost ${expected} s`,
    );
    assert.equal(settled.budget_seconds, 12 * 3600);
    for (const e of list)
      assert.equal(
        (await call(url, 'GET', `/experiment/${e.experiment_id}`)).json.status,
        'completed',
        e.experiment_id,
      );

    // A configuration submitted before the kill is still a duplicate; a new one gets the next id.
    const [firstId, firstReq] = [...acked][0];
    const dup = await call(url, 'POST', '/submit', firstReq);
    assert.equal(dup.status, 409);
    assert.equal(dup.json.experiment_id, firstId);
    const next = await call(url, 'POST', '/submit', submission(999));
    assert.equal(next.status, 200);
    assert.equal(next.json.experiment_id, `exp-${String(list.length + 1).padStart(5, '0')}`);
    const f = (await call(url, 'GET', '/final_submission')).json;
    assert.equal(f.predicted_loss, 2.9);
    assert.deepEqual(f.architecture_config, final.architecture_config);

    const second = start(['lab', 'serve', '--port', '0', '--state', state]);
    const { code } = await second.exited;
    assert.equal(code, 1);
    assert.match(second.stderr(), /lab state file is in use: another "lab serve"/);
    assert.doesNotMatch(second.stderr(), /\n\s+at |internal error/);
  } finally {
    b.child.kill('SIGTERM');
    assert.equal((await b.exited).code, 0, b.stderr());
  }
  const check = new Database(state, { readonly: true });
  assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
  check.close();
});

test('item 3: a state file is one world and one budget: another is refused (exit 2, the file named) unless --reset, which keeps ids counting up', async () => {
  const state = join(dir, 'settings.db');
  const a = await labServe(['--state', state, '--api-key', 'k', '--budget-hours', '2', '--speed', '1e6']);
  assert.equal((await call(a.info.url, 'POST', '/submit', submission(1))).json.experiment_id, 'exp-00001');
  a.child.kill('SIGTERM');
  assert.equal((await a.exited).code, 0);

  const otherWorld = join(dir, 'other-world.json');
  writeFileSync(otherWorld, JSON.stringify({ ...world, name: 'other', law: { ...world.law, E: world.law.E + 0.1 } }));
  for (const [args, pattern] of [
    [['--budget-hours', '3'], /this lab has a budget of 2 h, and --budget-hours asks for 3 h/],
    [
      ['--world', otherWorld],
      /this lab runs world "default", and --world .*other-world\.json is world "other" with other rules/,
    ],
  ] as const) {
    const r = start(['lab', 'serve', '--port', '0', '--state', state, ...args]);
    assert.equal((await r.exited).code, 2, r.stderr());
    assert.match(r.stderr(), pattern);
    assert.ok(r.stderr().includes(state), 'the message names the state file');
    assert.match(r.stderr(), /--reset/);
  }
  // The same settings, spelled out, are accepted; the refused attempts changed nothing.
  const same = await labServe(['--state', state, '--budget-hours', '2', '--world', 'default', '--speed', '1e6']);
  assert.equal(same.info.resumed?.experiments, 1);
  same.child.kill('SIGTERM');
  await same.exited;

  const reset = await labServe([
    '--state',
    state,
    '--reset',
    '--budget-hours',
    '3',
    '--api-key',
    'k',
    '--speed',
    '1e6',
  ]);
  try {
    assert.equal(reset.info.resumed, null);
    assert.equal(reset.info.budgetHours, 3);
    assert.deepEqual((await call(reset.info.url, 'GET', '/experiments')).json.experiments, []);
    assert.equal((await call(reset.info.url, 'GET', '/budget')).json.used_seconds, 0);
    assert.equal(
      (await call(reset.info.url, 'POST', '/submit', submission(1))).json.experiment_id,
      'exp-00002',
      'an id is never handed out twice',
    );
  } finally {
    reset.child.kill('SIGTERM');
    await reset.exited;
  }

  // A file that is not a lab state file is refused, and left as it was.
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'not a database\n');
  const store = join(dir, 'store-for-lab.db');
  RunStore.open(store).close();
  const storeBytes = readFileSync(store);
  const refused = [
    [text, /not a lab state file: not an SQLite database/],
    [store, /not a lab state file: it is a ScaleLab run store \(tables .*runs.*\); give --state a new file/],
  ] as const;
  await Promise.all(
    refused.map(async ([file, pattern]) => {
      const r = start(['lab', 'serve', '--port', '0', '--state', file]);
      assert.equal((await r.exited).code, 1, r.stderr());
      assert.match(r.stderr(), pattern);
    }),
  );
  assert.equal(readFileSync(text, 'utf8'), 'not a database\n');
  assert.ok(readFileSync(store).equals(storeBytes), 'the run store is untouched');
});

/** A store-shaped file's bytes, and the files next to it, before and after. */
function snapshot(file: string) {
  const folder = join(file, '..');
  return { bytes: readFileSync(file), files: readdirSync(folder).sort() };
}

test('item 4: serve opens the store read-only: an empty file, another SQLite database and a text file stay byte for byte, and each is a 409 saying why', async () => {
  const folder = mkdtempSync(join(dir, 'not-stores-'));
  const empty = join(folder, 'empty.db');
  writeFileSync(empty, '');
  const other = join(folder, 'other.db');
  const db = new Database(other);
  db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me')");
  db.close();
  const text = join(folder, 'text.db');
  writeFileSync(text, 'N,D,loss\n1e8,2e9,3.1\n');
  const cases = [
    [empty, /not a ScaleLab run store: an empty database/],
    [other, /not a ScaleLab run store: another SQLite database \(tables notes\)/],
    [text, /not a ScaleLab run store: not an SQLite database/],
  ] as const;
  for (const [file, pattern] of cases) {
    const before = snapshot(file);
    const web = createWebServer({ storePath: file, assetsDir: join(dir, 'no-dist'), datasets: bundledDatasets() });
    const { port } = await web.listen(0);
    try {
      for (const path of ['/api/studies', '/api/studies/demo/runs', '/api/studies/demo/progress']) {
        const r = await raw(port, path);
        assert.equal(r.status, 409, `${file} ${path}: ${r.text}`);
        const body = JSON.parse(r.text);
        assert.equal(body.error.status, 409);
        assert.match(body.error.message, pattern);
        assert.ok(body.error.message.startsWith(file), 'the message names the file');
      }
      assert.equal((await raw(port, '/api/datasets')).status, 200, 'the bundled data sets still work');
      const status = web.storeStatus();
      assert.equal(status.exists, true);
      assert.match((status as { error?: string }).error ?? '', pattern);
    } finally {
      await web.close();
    }
    const after = snapshot(file);
    assert.ok(after.bytes.equals(before.bytes), `${file} is unchanged`);
    assert.deepEqual(after.files, before.files, 'no journal or other file was created next to it');
  }
  const check = new Database(other, { readonly: true });
  assert.equal(check.pragma('journal_mode', { simple: true }), 'delete', 'the journal mode is not switched');
  assert.deepEqual(
    check.prepare('SELECT name FROM sqlite_master ORDER BY name').all(),
    [{ name: 'notes' }],
    'no table was created',
  );
  check.close();

  // A real store is read (WAL mode, as stores are) and its file is not written; a missing one is not created.
  const storePath = join(folder, 'runs.db');
  const store = RunStore.open(storePath);
  store.plan('demo', [{ key: 'a', phase: 'isoflop', config: {}, N: 1e7, D: 2e8, C: 1.2e16, estimatedSeconds: 60 }]);
  store.close();
  const storeBytes = readFileSync(storePath);
  const missing = join(folder, 'later', 'runs.db');
  for (const [path, names] of [
    [storePath, ['demo']],
    [missing, []],
  ] as const) {
    const web = createWebServer({ storePath: path, assetsDir: join(dir, 'no-dist'), datasets: [] });
    const { port } = await web.listen(0);
    try {
      const s = studiesSchema.parse(JSON.parse((await raw(port, '/api/studies')).text));
      assert.deepEqual(
        s.studies.map((x) => x.name),
        names,
      );
    } finally {
      await web.close();
    }
  }
  assert.ok(readFileSync(storePath).equals(storeBytes), 'reading a store does not write its file');
  assert.equal(existsSync(join(folder, 'later')), false, 'a missing store is not created');

  // `scalelab serve` says so on the terminal at start-up (when the app is built: it refuses to start otherwise).
  if (existsSync(join(defaultAssetsDir(), 'index.html'))) {
    const child = start(['serve', '--port', '0', '--db', text, '--json']);
    try {
      const out = await until('serve to listen', () => {
        try {
          return JSON.parse(child.stdout()) as { url: string; store: { error?: string } };
        } catch {
          return undefined;
        }
      });
      assert.match(out.store.error ?? '', /not a ScaleLab run store/);
      await until('the start-up warning', () =>
        /scalelab: warning: .*text\.db: not a ScaleLab run store: not an SQLite database; the app shows no studies from it/.test(
          child.stderr(),
        )
          ? true
          : undefined,
      );
    } finally {
      child.child.kill('SIGTERM');
      await child.exited;
    }
  }
});

test('item 4: both servers answer only their own Host names (421 otherwise), before anything else', async () => {
  const web = createWebServer({
    storePath: join(dir, 'none.db'),
    assetsDir: join(dir, 'no-dist'),
    datasets: bundledDatasets(),
  });
  const lab = createLabServer({ world, budgetSeconds: 3600, apiKey: 'k' });
  const { port: webPort } = await web.listen(0);
  const { port: labPort } = await lab.listen(0);
  try {
    for (const [port, path, headers] of [
      [webPort, '/api/datasets', {}],
      [labPort, '/budget', { 'x-api-key': 'k' }],
    ] as const) {
      for (const host of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST']) {
        const r = await raw(port, path, { headers: { ...headers, host: `${host}:${port}` } });
        assert.equal(r.status, 200, `${host}: ${r.text}`);
      }
      assert.equal(
        (await raw(port, path, { headers: { ...headers, host: 'localhost:5173' } })).status,
        200,
        "a dev proxy forwards the browser's port",
      );
      for (const host of [
        `evil.example:${port}`,
        'evil.example',
        `127.0.0.1.nip.io:${port}`,
        `localhost.evil.example:${port}`,
        `[::2]:${port}`,
        'localhost:80:80',
      ]) {
        const r = await raw(port, path, { headers: { ...headers, host } });
        assert.equal(r.status, 421, `Host "${host}" → ${r.status}`);
        // JSON, as every other error of each server's API: the web API's {error: {status, message}}, the lab's {detail}.
        assert.match(String(r.headers['content-type']), /^application\/json/);
        const body = JSON.parse(r.text) as { error?: { status: number; message: string }; detail?: string };
        const message = port === webPort ? body.error?.message : body.detail;
        if (port === webPort) assert.equal(body.error?.status, 421);
        assert.match(message ?? '', /^misdirected request: this server does not answer to the host name "/, r.text);
      }
      // Refused before the key is checked or the body read.
      assert.equal((await raw(port, path, { headers: { host: 'evil.example' } })).status, 421);
    }
  } finally {
    await web.close();
    await lab.close();
  }
  // --host adds its own name; bound to every interface, any IP address is one of the server's.
  assert.equal(hostAllowed('lab.internal:8000', 'lab.internal'), true);
  assert.equal(hostAllowed('evil.example:8000', 'lab.internal'), false);
  assert.equal(hostAllowed('192.168.1.7:8000', '0.0.0.0'), true);
  assert.equal(hostAllowed('[fe80::1]:8000', '::'), true);
  assert.equal(hostAllowed('evil.example:8000', '0.0.0.0'), false);
  assert.equal(hostAllowed('[::1]:8000', '::1'), true);
});

test('item 12: a body over the limit is answered 413, not reset, on both servers (declared or streamed); a bad percent-escape is 400', async () => {
  const web = createWebServer({
    storePath: join(dir, 'none.db'),
    assetsDir: join(dir, 'no-dist'),
    datasets: bundledDatasets(),
    maxBodyBytes: 64 * 1024,
  });
  const lab = createLabServer({ world, budgetSeconds: 3600, apiKey: 'k', speed: 1 });
  const { port: webPort } = await web.listen(0);
  const { port: labPort } = await lab.listen(0);
  try {
    const big = Buffer.alloc(8 * 1024 * 1024, 0x20);
    for (const [port, path, limit] of [
      [labPort, '/submit', 1 << 20],
      [webPort, '/api/datasets', 64 * 1024],
    ] as const) {
      const declared = await raw(port, path, { method: 'POST', headers: { 'x-api-key': 'k' }, body: big });
      assert.equal(declared.status, 413, `${port} declared`);
      assert.match(declared.text, new RegExp(`request body too large: ${big.length} bytes \\(at most ${limit}\\)`));
      const streamed = await raw(port, path, {
        method: 'POST',
        headers: { 'x-api-key': 'k' },
        body: big,
        chunked: true,
      });
      assert.equal(streamed.status, 413, `${port} streamed`);
      const viaFetch = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { 'x-api-key': 'k' },
        body: big,
      });
      assert.equal(viaFetch.status, 413);
    }
    // The lab still reads a body up to its limit.
    const ok = await raw(labPort, '/submit', {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(submission(1))),
    });
    assert.equal(ok.status, 200, ok.text);
    const padded = Buffer.from(
      JSON.stringify(submission(2)) + ' '.repeat((1 << 20) - JSON.stringify(submission(2)).length),
    );
    assert.equal(padded.length, 1 << 20);
    assert.equal(
      (await raw(labPort, '/submit', { method: 'POST', headers: { 'x-api-key': 'k' }, body: padded })).status,
      200,
      'exactly 1 MiB is read',
    );

    for (const path of ['/experiment/%E0%A4%A', '/experiment/exp-%zz', '/budget?x=%E0%A4%A', '/experiments?%']) {
      const r = await raw(labPort, path, { headers: { 'x-api-key': 'k' } });
      assert.equal(r.status, 400, `${path} → ${r.status} ${r.text}`);
      assert.match(JSON.parse(r.text).detail, /malformed URL: .*percent-escape/);
    }
    assert.equal(
      (await raw(labPort, '/experiment/exp-00001', { headers: { 'x-api-key': 'k' } })).status,
      200,
      'a sound path still works',
    );
    for (const path of [
      '/%E0%A4%A',
      '/assets/%zz.js',
      '/api/studies/%E0%A4%A/progress',
      '/api/studies?status=%E0%A4%A',
      '/api/datasets?x=%',
    ]) {
      const r = await raw(webPort, path);
      assert.equal(r.status, 400, `${path} → ${r.status} ${r.text}`);
      assert.match(JSON.parse(r.text).error.message, /malformed URL/);
    }
  } finally {
    await web.close();
    await lab.close();
  }
});

test('clients that hang up: mid-upload (nothing recorded, the next request served), and after the whole submission (recorded once; sent again, a 409 with its id, not charged twice)', async () => {
  const lab = createLabServer({ world, budgetSeconds: 3600, apiKey: 'k' });
  const web = createWebServer({ storePath: join(dir, 'hang-up.db'), assetsDir: join(dir, 'no-dist'), datasets: [] });
  const { port: labPort } = await lab.listen(0);
  const { port: webPort } = await web.listen(0);
  const base = `http://127.0.0.1:${labPort}`;
  /** Send `head` and `body` on a raw connection, then hang up; resolves once the server has closed its side. */
  const hangUp = (port: number, head: string, body: string) =>
    new Promise<void>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(head + body, () => s.destroy());
      });
      s.on('close', () => resolve());
      s.on('error', reject);
    });
  const idle = (server: { getConnections: (cb: (e: Error | null, n: number) => void) => void }) =>
    until(
      'the server to drop the connection',
      () => new Promise<true | undefined>((r) => server.getConnections((_, n) => r(n === 0 ? true : undefined))),
    );
  try {
    const text = JSON.stringify(submission(1));
    const head = (length: number) =>
      `POST /submit HTTP/1.1\r\nHost: 127.0.0.1:${labPort}\r\nx-api-key: k\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    // Half the body, then gone.
    await hangUp(labPort, head(text.length), text.slice(0, text.length / 2));
    await idle(lab.server);
    assert.deepEqual((await call(base, 'GET', '/experiments')).json.experiments, [], 'nothing recorded');
    assert.equal((await call(base, 'GET', '/budget')).json.used_seconds, 0);
    // The whole body, then gone before the answer: recorded (the lab cannot know), once.
    await hangUp(labPort, head(Buffer.byteLength(text)), text);
    await until('the submission to be recorded', async () =>
      (await call(base, 'GET', '/experiments')).json.experiments.length === 1 ? true : undefined,
    );
    const again = await call(base, 'POST', '/submit', submission(1));
    assert.equal(again.status, 409, JSON.stringify(again.json));
    assert.match(again.json.detail, /already submitted as experiment .* \(not charged\)/);
    const [only] = (await call(base, 'GET', '/experiments')).json.experiments;
    assert.equal(again.json.experiment_id, only.experiment_id, 'the 409 gives the id the hung-up client never read');
    const fresh = await call(base, 'POST', '/submit', submission(2));
    assert.equal(fresh.status, 200, 'the next submission is served');
    // The web app's server: a request whose body is cut off, then a normal one.
    await hangUp(
      webPort,
      `GET /api/datasets HTTP/1.1\r\nHost: 127.0.0.1:${webPort}\r\ncontent-length: 1000\r\n\r\n`,
      '{"a":',
    );
    await idle(web.server);
    assert.equal((await raw(webPort, '/api/datasets')).status, 200);
  } finally {
    await web.close();
    await lab.close();
  }
});
