import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabServer } from '../src/server/labServer.js';
import { LabState } from '../src/server/labState.js';
import { loadWorld } from '../src/lab/loadWorld.js';
import { apiBackend } from '../src/experiments/backends/api.js';
import { simulate } from '../src/lab/simulate.js';
import type { StoredRun } from '../src/store/store.js';

const world = loadWorld();
let realSeconds = 0; // the server's clock, moved by the test
const lab = createLabServer({
  world,
  budgetSeconds: 4 * 3600,
  apiKey: 'secret',
  speed: 1,
  slots: 1,
  now: () => realSeconds,
});
const { port } = await lab.listen(0);
const base = `http://127.0.0.1:${port}`;
after(() => lab.close());

async function call(method: string, path: string, body?: unknown, key = 'secret') {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const request = (over: Record<string, unknown> = {}) => ({
  architecture_config: { d_model: 256, num_layers: 4, num_heads: 4 },
  optimizer_config: { name: 'adamw', lr: 3e-3, parametrization: 'mup' },
  train_batch_size: 128,
  total_train_tokens: 2e8,
  max_runtime_seconds: 3600,
  n_evals: 5,
  model_seed: 0,
  ...over,
});

test('every endpoint needs the API key: 401 without it', async () => {
  assert.equal((await call('GET', '/budget', undefined, '')).status, 401);
  assert.equal((await call('GET', '/budget', undefined, 'wrong')).status, 401);
});

test('submit reserves max_runtime; queued → running → completed; charge = runtime clipped to [1, max]', async () => {
  const s = await call('POST', '/submit', request());
  assert.equal(s.status, 200);
  const id = s.json.experiment_id;
  let b = await call('GET', '/budget');
  assert.deepEqual(
    [b.json.used_seconds, b.json.reserved_seconds, b.json.remaining_seconds],
    [0, 3600, 4 * 3600 - 3600],
  );
  const sim = simulate(world, {
    n_layer: 4,
    d_model: 256,
    n_heads: 4,
    tokens: 2e8,
    batch_tokens: 128 * 512,
    learning_rate: 3e-3,
    parametrization: 'mup',
    n_evals: 5,
  });
  let e = await call('GET', `/experiment/${id}`);
  assert.equal(e.json.status, 'running', 'one free slot: it starts at once');
  realSeconds = sim.seconds / 2;
  e = await call('GET', `/experiment/${id}`);
  assert.equal(e.json.status, 'running');
  assert.ok(e.json.val_losses.length >= 1 && e.json.val_losses.length < 5, 'evaluations appear as time passes');
  realSeconds = sim.seconds + 1;
  e = await call('GET', `/experiment/${id}`);
  assert.equal(e.json.status, 'completed');
  assert.equal(e.json.val_losses.length, 5);
  assert.ok(Math.abs(e.json.val_losses[4] - sim.finalLoss) < 1e-12, "the loss is the simulator's");
  assert.ok(Math.abs(e.json.charged_seconds - sim.seconds) < 1e-9);
  b = await call('GET', '/budget');
  assert.ok(Math.abs(b.json.used_seconds - sim.seconds) < 1e-9);
  assert.equal(b.json.reserved_seconds, 0);
});

test('a second experiment waits in the queue while the only slot is busy', async () => {
  const a = await call('POST', '/submit', request({ model_seed: 1 }));
  const q = await call('POST', '/submit', request({ model_seed: 2 }));
  assert.equal((await call('GET', `/experiment/${a.json.experiment_id}`)).json.status, 'running');
  assert.equal((await call('GET', `/experiment/${q.json.experiment_id}`)).json.status, 'queued');
  realSeconds += 7200;
  assert.equal((await call('GET', `/experiment/${q.json.experiment_id}`)).json.status, 'completed');
});

test('a duplicate configuration is 409 and not charged', async () => {
  const before = (await call('GET', '/budget')).json;
  const d = await call('POST', '/submit', request({ max_runtime_seconds: 100 }));
  assert.equal(d.status, 409);
  assert.match(d.json.detail, /duplicate configuration: already submitted as experiment exp-00001/);
  assert.deepEqual((await call('GET', '/budget')).json, before);
});

test('over budget is 400; a timeout is charged in full and fails', async () => {
  const big = await call('POST', '/submit', request({ model_seed: 9, max_runtime_seconds: 43200 }));
  assert.equal(big.status, 400);
  assert.match(big.json.detail, /over budget/);
  const t = await call('POST', '/submit', request({ model_seed: 3, total_train_tokens: 5e9, max_runtime_seconds: 60 }));
  assert.equal(t.status, 200);
  realSeconds += 100;
  const e = await call('GET', `/experiment/${t.json.experiment_id}`);
  assert.equal(e.json.status, 'failed');
  assert.match(e.json.error, /timeout/);
  assert.equal(e.json.charged_seconds, 60);
});

test('invalid requests are 400 with the field named; unknown ids 404; wrong methods 405', async () => {
  const bad = await call('POST', '/submit', request({ train_batch_size: -1 }));
  assert.equal(bad.status, 400);
  assert.match(bad.json.detail, /field "train_batch_size"/);
  const limit = await call(
    'POST',
    '/submit',
    request({ architecture_config: { d_model: 99999, num_layers: 4, num_heads: 4 } }),
  );
  assert.equal(limit.status, 400);
  assert.match(limit.json.detail, /d_model = 99999 is outside the lab's range/);
  assert.equal((await call('POST', '/submit', '{not json')).status, 400);
  assert.equal((await call('GET', '/experiment/exp-99999')).status, 404);
  assert.equal((await call('DELETE', '/budget')).status, 405);
  assert.equal((await call('GET', '/nothing')).status, 404);
});

test('GET /experiments lists every submission; final_submission round-trips', async () => {
  const list = await call('GET', '/experiments');
  assert.ok(list.json.experiments.length >= 4);
  assert.equal((await call('GET', '/final_submission')).status, 404);
  const f = await call('POST', '/final_submission', {
    architecture_config: { d_model: 1024, num_layers: 16, num_heads: 16 },
    predicted_loss: 2.9,
  });
  assert.equal(f.status, 200);
  assert.equal((await call('GET', '/final_submission')).json.predicted_loss, 2.9);
  assert.equal((await call('POST', '/final_submission', { predicted_loss: -1 })).status, 400);
});

test('the API client backend drives the server: submit, adopt a 409 duplicate, read the result', async () => {
  const client = apiBackend({ url: base, apiKey: 'secret', seqLen: 512 });
  const run = {
    id: 1,
    key: 'k',
    status: 'planned',
    estimatedSeconds: 600,
    config: {
      n_layer: 2,
      d_model: 128,
      n_heads: 2,
      tokens: 1e8,
      batch_tokens: 65536,
      learning_rate: 3e-3,
      parametrization: 'mup',
      n_evals: 4,
      seed: 0,
    },
  } as unknown as StoredRun;
  const id = await client.submit(run);
  assert.equal(await client.submit(run), id, 'a resubmission after a crash adopts the earlier experiment');
  realSeconds += 100000;
  const s = await client.status({ ...run, externalId: id });
  assert.equal(s.state, 'completed');
  assert.equal(s.evals!.length, 4);
});

test('a lab on a state file resumes where it stopped: the clock ran on while no server was up, in-flight runs finish when they would have, charged once', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'scalelab-lab-state-')), 'lab.db');
  let t = 1000; // real seconds
  const first = createLabServer({
    state: LabState.open(path, { world, budgetSeconds: 4 * 3600, apiKey: 'k' }),
    speed: 1,
    slots: 1,
    now: () => t,
  });
  const at = `http://127.0.0.1:${(await first.listen(0)).port}`;
  const post = (base: string, seed: number) =>
    fetch(`${base}/submit`, {
      method: 'POST',
      headers: { 'x-api-key': 'k' },
      body: JSON.stringify(request({ model_seed: seed })),
    }).then((r) => r.json() as Promise<{ experiment_id: string }>);
  const get = (base: string, path: string) =>
    fetch(`${base}${path}`, { headers: { 'x-api-key': 'k' } }).then((r) => r.json() as Promise<any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  const a = await post(at, 1);
  const b = await post(at, 2);
  const runtime = simulate(world, {
    n_layer: 4,
    d_model: 256,
    n_heads: 4,
    tokens: 2e8,
    batch_tokens: 128 * 512,
    learning_rate: 3e-3,
    parametrization: 'mup',
    n_evals: 5,
    seed: 1,
  }).seconds;
  t += runtime / 2;
  assert.deepEqual(
    [
      (await get(at, `/experiment/${a.experiment_id}`)).status,
      (await get(at, `/experiment/${b.experiment_id}`)).status,
    ],
    ['running', 'queued'],
  );
  await first.close();

  // Down for a quarter of the run; back with another speed and more slots.
  t += runtime / 4;
  const second = createLabServer({ state: LabState.open(path), speed: 2, slots: 4, now: () => t });
  const again = `http://127.0.0.1:${(await second.listen(0)).port}`;
  try {
    assert.equal(second.apiKey, 'k');
    assert.deepEqual(
      [
        (await get(again, `/experiment/${a.experiment_id}`)).status,
        (await get(again, `/experiment/${b.experiment_id}`)).status,
      ],
      ['running', 'queued'],
      'three quarters in: still running',
    );
    t += runtime / 8 + 1; // at speed 2: past the end of the first run
    const done = await get(again, `/experiment/${a.experiment_id}`);
    assert.equal(done.status, 'completed');
    assert.ok(Math.abs(done.charged_seconds - runtime) < 1e-9);
    assert.equal(
      (await get(again, `/experiment/${b.experiment_id}`)).status,
      'running',
      'the queued run kept its place in the schedule',
    );
    const budget = await get(again, '/budget');
    assert.ok(Math.abs(budget.used_seconds - runtime) < 1e-9, 'charged once');
    assert.equal(budget.reserved_seconds, 3600);
    const c = await post(again, 3);
    assert.equal(c.experiment_id, 'exp-00003');
    assert.equal(
      (await get(again, `/experiment/${c.experiment_id}`)).status,
      'running',
      'a new run has one of the new slots at once',
    );
  } finally {
    await second.close();
  }
});
