import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSchedule, lrAt, lrSequence, parseSchedule, wsd, wsdBranches, type Schedule } from './schedule.js';
import { InputError } from '../errors/index.js';
import { RunStore } from '../store/store.js';
import { parseRuns } from '../io/parseRuns.js';
import { parseMetrics } from '../io/parseMetrics.js';

const schedules: Schedule[] = [
  { kind: 'constant', peakLr: 3e-3, steps: 100, warmupSteps: 5 },
  { kind: 'cosine', peakLr: 3e-3, steps: 100, warmupSteps: 5, minLrFrac: 0.1 },
  { kind: 'linear', peakLr: 1e-3, steps: 80, warmupSteps: 0, minLrFrac: 0 },
  wsd(5.7e-3, 100, 0.2, { warmupSteps: 5 }),
  wsd(5.7e-3, 100, 0.5, { warmupSteps: 5, decayShape: 'cosine', minLrFrac: 0 }),
  wsd(5.7e-3, 100, 0.3, { warmupSteps: 5, decayShape: 'sqrt' }),
];

test('each schedule has its published shape', () => {
  const [constant, cosine, , w] = schedules;
  assert.equal(lrAt(constant, 0), 3e-3 / 5);
  assert.equal(lrAt(constant, 99), 3e-3);
  assert.equal(lrAt(cosine, 5), 3e-3); // the peak right after warmup
  assert.ok(Math.abs(lrAt(cosine, 99) - 3e-4) < 2e-6, 'cosine ends near 10 % of the peak');
  // WSD: stable for 80 steps, then a linear decay reaching 10 % exactly at the last step.
  assert.equal(lrAt(w, 79), 5.7e-3);
  assert.ok(lrAt(w, 80) < 5.7e-3);
  assert.ok(Math.abs(lrAt(w, 99) - 5.7e-4) < 1e-15);
  const seq = lrSequence(w);
  for (let i = 81; i < 100; i++) assert.ok(seq[i] < seq[i - 1], 'the decay falls at every step');
  assert.match(describeSchedule(w), /^wsd, η 0\.00570, 100 steps \(warmup 5, decay 20 linear to 10 %\)$/);
});

test('cooldown branches agree with their trunk up to the branch point', () => {
  const trunk: Schedule = { kind: 'constant', peakLr: 5.7e-3, steps: 1000, warmupSteps: 50 };
  const [b1, b2] = wsdBranches({ peakLr: 5.7e-3, warmupSteps: 50 }, [
    { at: 400, decaySteps: 100 },
    { at: 800, decaySteps: 200 },
  ]);
  assert.deepEqual([b1.steps, b2.steps], [500, 1000]);
  for (const [b, at] of [
    [b1, 400],
    [b2, 800],
  ] as const) {
    for (let s = 0; s < at; s++) assert.equal(lrAt(b, s), lrAt(trunk, s));
    assert.ok(lrAt(b, at) < lrAt(trunk, at));
  }
});

test('a schedule round-trips through JSON and the run store; checkpoints keep the learning rate of their step', () => {
  for (const s of schedules) assert.deepEqual(parseSchedule(JSON.parse(JSON.stringify(s)), { file: 'x.json' }), s);
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'scalelab-schedule-')), 'runs.db'));
  const [planned] = store.plan('curves', [
    { key: 'a', phase: 'curve', config: {}, N: 25472, D: 2e5, C: 6 * 25472 * 2e5, estimatedSeconds: 1 },
  ]);
  const s = schedules[3];
  const evals = [20, 60, 100].map((step) => ({
    tokens: step * 2048,
    step,
    loss: 3 - step / 100,
    lr: lrAt(s, step - 1),
  }));
  store.finish(planned.id, { status: 'completed', loss: evals[2].loss, evals, schedule: s });
  const run = store.run(planned.id)!;
  assert.deepEqual(run.schedule, s);
  assert.deepEqual(store.checkpoints(planned.id), evals);
  // An imported curve's `lr` column lands with its checkpoints too.
  const imported = parseRuns('run,N,D,step,loss,lr\nb,1000,2048,1,3.5,0.001\nb,1000,4096,2,3.4,0.002\n', {
    source: 'curve.csv',
  });
  store.importDataset(imported, 'curves');
  const b = store.runs({ study: 'curves' }).find((r) => r.name === 'b')!;
  assert.deepEqual(
    store.checkpoints(b.id).map((c) => c.lr),
    [0.001, 0.002],
  );
  assert.equal(b.schedule, null);
  store.close();
});

test('a schedule that does not say what the learning rate was is refused, located at the field', () => {
  const bad: [unknown, RegExp][] = [
    [{ kind: 'wsd', peakLr: 1e-3, steps: 100 }, /schedule field "decaySteps": missing/],
    [
      { kind: 'step', peakLr: 1e-3, steps: 100 },
      /schedule field "kind": expected one of constant, cosine, linear, wsd, got "step"/,
    ],
    [{ kind: 'cosine', peakLr: -1, steps: 100 }, /"peakLr": expected a positive learning rate, got -1/],
    [{ kind: 'cosine', peakLr: 1e-3, steps: 100.5 }, /"steps": expected a whole number/],
    [{ kind: 'cosine', peakLr: 1e-3, steps: 100, decaySteps: 10 }, /only a "wsd" schedule has a decaySteps/],
    [
      { kind: 'wsd', peakLr: 1e-3, steps: 100, warmupSteps: 10, decaySteps: 95 },
      /"decaySteps": expected a whole number of steps from 1 to the steps after warmup \(90\)/,
    ],
    [{ kind: 'constant', peakLr: 1e-3, steps: 100, lr: 2 }, /schedule field "lr": not a schedule field/],
    ['wsd', /expected a schedule object/],
  ];
  for (const [value, message] of bad) {
    assert.throws(
      () => parseSchedule(value, { file: 'run.json', line: 3 }),
      (e: unknown) => e instanceof InputError && /^run\.json:3: /.test(e.message) && message.test(e.message),
    );
  }
  // A trainer's metrics line with a broken schedule fails the run with the line.
  const m = parseMetrics(
    '{"tokens": 10, "val_loss": 3, "lr": 0.001, "schedule": {"kind": "wsd", "peakLr": 0.001, "steps": 10}}\n',
    'metrics.jsonl',
    true,
  );
  assert.match(m.problem ?? '', /^metrics\.jsonl line 1: schedule field "decaySteps": missing/);
  assert.match(
    parseMetrics('{"tokens": 10, "val_loss": 3, "lr": -1}\n', 'metrics.jsonl', true).problem ?? '',
    /line 1: lr -1 is not a positive number/,
  );
});

test('the reference trainer sets the same learning rate at every step as lrAt', () => {
  // train.py's lr_at, lifted out without PyTorch: the file's own function text, run under plain Python.
  const source = readFileSync(fileURLToPath(new URL('../../examples/trainers/train.py', import.meta.url)), 'utf8');
  const fn = /\ndef lr_at\(step\):[\s\S]*?\n(?=\n)/.exec(source)?.[0];
  assert.ok(fn, 'train.py defines lr_at');
  for (const s of schedules) {
    const shape = s.decayShape ?? 'linear';
    const py = [
      'import math, json, types',
      `args = types.SimpleNamespace(lr=${s.peakLr}, schedule="${s.kind}", min_lr_frac=${s.minLrFrac ?? 0.1}, decay_shape="${shape}")`,
      `steps, warmup, decay_steps = ${s.steps}, ${s.warmupSteps ?? 0}, ${s.decaySteps ?? 0}`,
      fn,
      `print(json.dumps([lr_at(i) for i in range(steps)]))`,
    ].join('\n');
    let out: string;
    try {
      out = execFileSync('python3', ['-c', py], { encoding: 'utf8' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // no Python: the trainer cannot run here either
      throw e;
    }
    const trainer = JSON.parse(out) as number[];
    const ours = Array.from(lrSequence(s));
    assert.equal(trainer.length, ours.length);
    trainer.forEach((lr, i) =>
      assert.ok(Math.abs(lr - ours[i]) <= 1e-15, `${s.kind} step ${i}: train.py ${lr}, lrAt ${ours[i]}`),
    );
  }
});
