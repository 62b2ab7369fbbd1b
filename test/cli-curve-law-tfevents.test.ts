// `scalelab curve-law fit` on TensorBoard event files: synthetic runs drawn from a stated LR-annealing
// law (TF2-style tensor scalars, the learning rate logged under its own tag), and a real PyTorch file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, root, scalelab } from './helpers/cli.js';
import { eventFile, type TestScalar } from './helpers/tfevents.js';
import { predictCurve } from '../src/analyses/curveLaws.js';
import { lrAt, lrSequence, wsd, type Schedule } from '../src/core/schedule.js';
import { normal, randomSource } from '../src/core/random.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-tfevents-'));
const truth = {
  law: 'lr-annealing' as const,
  joint: false,
  lambda: 0.999,
  params: { L0: 1.6, A: 0.9, alpha: 0.5, C: 0.08 },
};

/** A run folder as a trainer logging to TensorBoard leaves it: the loss every 25 steps, the learning rate every step. */
function runFolder(name: string, s: Schedule, seed: number, bad: Map<number, number> = new Map()): string {
  const random = randomSource(seed);
  const evals = Array.from({ length: s.steps / 25 }, (_, i) => (i + 1) * 25);
  const losses = predictCurve(truth, { lrs: lrSequence(s), warmupSteps: s.warmupSteps ?? 0 }, evals);
  const steps = Array.from({ length: s.steps }, (_, i) => {
    const step = i + 1;
    const scalars: TestScalar[] = [{ tag: 'train/learning_rate', value: lrAt(s, i), style: 'tensor' }];
    const k = evals.indexOf(step);
    if (k >= 0) {
      const loss = losses[k] + 0.001 * normal(random);
      scalars.push({ tag: 'train/loss', value: bad.get(step) ?? loss, style: 'tensor' });
    }
    return { step, scalars };
  });
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'events.out.tfevents.1700000000.host.1.0'), eventFile(steps));
  return folder;
}

const constant = runFolder('constant', { kind: 'constant', peakLr: 5e-3, steps: 2000, warmupSteps: 0 }, 1);
const wsdRun = runFolder('wsd-0.2', wsd(5e-3, 2000, 0.2, { warmupSteps: 50 }), 2);

test('curve-law fit reads TensorBoard run folders: the loss tag, the learning-rate tag, and recovers the law', () => {
  const fit = join(dir, 'fit.json');
  const r = scalelab(['curve-law', 'fit', constant, wsdRun, '--law', 'lr-annealing', '--out', fit, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  assert.deepEqual(
    out.inputs.map((i: Record<string, unknown>) => [i.run, i.tag, i.lrFrom, i.lrTag, i.points, i.lastStep]),
    [
      ['constant', 'train/loss', 'lr tag', 'train/learning_rate', 80, 2000],
      ['wsd-0.2', 'train/loss', 'lr tag', 'train/learning_rate', 80, 2000],
    ],
  );
  const p = out.fits[0].fit.params;
  assert.ok(Math.abs(p.alpha / 0.5 - 1) < 0.1 && Math.abs(p.L0 / 1.6 - 1) < 0.03, JSON.stringify(p));
  // predict --observed reads an event-file run the same way: its last logged loss against the prediction.
  const observed = scalelab([
    'curve-law',
    'predict',
    '--curve-fit',
    fit,
    '--observed',
    wsdRun,
    ...['--schedule', 'wsd', '--steps', '2000', '--peak-lr', '5e-3', '--warmup-steps', '50', '--json'],
  ]);
  assert.equal(observed.code, 0, observed.stderr);
  const o = observed.json().observed;
  assert.deepEqual([o.run, o.step], ['wsd-0.2', 2000]);
  // Within 0.1 %: the logged warmup is read as warmup (a rise read as annealing missed by 3 %).
  assert.ok(Math.abs(o.error) < 1e-3, JSON.stringify(o));
  const text = scalelab(['curve-law', 'fit', constant, wsdRun, '--law', 'lr-annealing']);
  assert.match(
    text.stdout,
    /wsd-0\.2: 80 checkpoints of tag "train\/loss", learning rate from lr tag "train\/learning_rate"/,
  );
});

const fixture = join(root, 'test/fixtures/tfevents/run_1');
const fixtureFile = join(fixture, 'events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0');
const schedules = join(dir, 'schedules.json');
// The run's values are noise (torch.rand): any decaying schedule lets a law be fitted; the test is of the reading.
writeFileSync(schedules, JSON.stringify({ run_1: { kind: 'cosine', peakLr: 1e-3, steps: 500, minLrFrac: 0.1 } }));

test('a real PyTorch event file: the tag named, its steps read; without --tag the tags present are listed', () => {
  // The file logs from step 0 (the loss before any update), as PyTorch's and most trainers' do: that
  // value is left out and said, not refused.
  const r = scalelab(['curve-law', 'fit', fixture, '--tag', 'strict/foo', '--schedules', schedules, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const input = r.json().inputs[0];
  assert.deepEqual(
    [input.run, input.tag, input.lrFrom, input.points, input.lastStep, input.source],
    ['run_1', 'strict/foo', 'schedule', 99, 495, fixtureFile],
  );
  assert.match(input.notes.join('\n'), /"strict\/foo" at step 0 \(the loss before any update\) left out/);
  assert.match(r.stderr, /note: run "run_1": "strict\/foo" at step 0 \(the loss before any update\) left out/);
  const text = scalelab(['curve-law', 'fit', fixture, '--tag', 'strict/foo', '--schedules', schedules]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /run_1: 99 checkpoints of tag "strict\/foo"/);
  const none = scalelab(['curve-law', 'fit', fixtureFile, '--schedules', schedules]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /none of the loss tags "train\/loss", .*the scalar tags in it: "strict\/foo": .*--tag/);
  assert.ok(noStackTrace(none.stderr), none.stderr);
  // --tag with no event file among the inputs is refused, not ignored.
  const gem = join(root, 'examples/curve-laws/gemstones-wsd');
  const table = scalelab([
    'curve-law',
    'fit',
    join(gem, 'curves.csv'),
    '--schedules',
    join(gem, 'schedules.json'),
    '--tag',
    'loss',
  ]);
  assert.equal(table.code, 2);
  assert.match(
    table.stderr,
    /^scalelab: error: --tag: names the loss in TensorBoard event files, and none of the inputs is one/,
  );
});

test("curve-law predict --observed reads an event file's loss by --tag; its errors name predict's own flags", () => {
  const fit = join(root, 'examples/studies/moby-curves/fit-multi-power.json');
  const target = ['--schedule', 'cosine', '--steps', '500', '--peak-lr', '1e-3', '--N', '100096'];
  const predict = (...args: string[]) =>
    scalelab(['curve-law', 'predict', '--curve-fit', fit, '--observed', fixture, ...args]);
  // run_1 logs no learning rate: the target schedule stands in (predict reads only the observed losses).
  const r = predict('--tag', 'strict/foo', ...target, '--json');
  assert.equal(r.code, 0, r.stderr);
  const o = r.json().observed;
  assert.deepEqual([o.run, o.step], ['run_1', 495]);
  assert.ok(Math.abs(o.observed - 1.21209) < 1e-4, JSON.stringify(o));
  // Without --tag: the tags present listed, and predict's --tag named (not fit's).
  const none = predict(...target);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /the scalar tags in it: "strict\/foo": name the loss's tag \(--tag\)\n$/);
  assert.ok(noStackTrace(none.stderr), none.stderr);
  // Without a schedule: predict's --schedule asked for, not fit's --schedules.
  const bare = predict('--tag', 'strict/foo');
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /run "run_1" logs no learning rate .*: give the run's schedule \(--schedule\)\n$/);
  // --tag refused where no event file is read.
  const metrics = join(root, 'examples/studies/moby-curves/runs/d64-cosine-2x');
  const noEvents = scalelab(['curve-law', 'predict', '--curve-fit', fit, '--observed', metrics, '--tag', 'loss']);
  assert.equal(noEvents.code, 2);
  assert.match(noEvents.stderr, /^scalelab: error: --tag: names the loss in TensorBoard event files/);
  const noObserved = scalelab(['curve-law', 'predict', '--curve-fit', fit, '--tag', 'loss', ...target]);
  assert.equal(noObserved.code, 2);
  assert.match(noObserved.stderr, /^scalelab: error: --tag: names the loss of the --observed run's/);
});

test('a truncated event file is read to its last whole record and said; a corrupt one is refused, located', () => {
  const bytes = readFileSync(fixtureFile);
  mkdirSync(join(dir, 'run_1'));
  const cut = join(dir, 'run_1', 'events.out.tfevents.1622543341.host.1.0');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
  const args = ['curve-law', 'fit', cut, '--tag', 'strict/foo', '--schedules', schedules];
  const r = scalelab([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /note: .*: the last record \(101, at byte \d+\) is cut short.*read the 100 whole records/);
  assert.equal(r.json().inputs[0].points, 98);
  // The cut record, and the step-0 loss left out.
  assert.equal(r.json().inputs[0].notes.length, 2);
  const bad = Buffer.from(bytes);
  bad[200] ^= 0xff;
  writeFileSync(cut, bad);
  const e = scalelab(args);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /events\.out\.tfevents\.1622543341\.host\.1\.0: record \d+ at byte \d+: the CRC-32C of its/);
  assert.ok(noStackTrace(e.stderr), e.stderr);
  copyFileSync(fixtureFile, cut);
});

test('a TensorBoard logdir: the event files in its sub-folders are runs named by their paths; a link loop and a folder too deep are not walked; predict asks for one run', () => {
  const logdir = join(dir, 'logdir');
  const files = [
    ['runs/a', fixtureFile],
    ['runs/b/train', join(root, 'test/fixtures/tfevents/run_2/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.1')],
    // Five folders down: beyond the search's four levels, not read.
    ['d1/d2/d3/d4/d5', fixtureFile],
  ];
  for (const [sub, file] of files) {
    mkdirSync(join(logdir, sub), { recursive: true });
    copyFileSync(file, join(logdir, sub, 'events.out.tfevents.1622543341.host.1.0'));
  }
  // A link back up to the logdir: followed once, its folders not read again (nor forever).
  symlinkSync(logdir, join(logdir, 'runs/b/train/up'));
  const cosine = { kind: 'cosine', peakLr: 1e-3, steps: 500, minLrFrac: 0.1 };
  const byPath = join(dir, 'logdir-schedules.json');
  writeFileSync(byPath, JSON.stringify({ 'runs/a': cosine, 'runs/b/train': cosine }));
  const r = scalelab(['curve-law', 'fit', logdir, '--tag', 'strict/foo', '--schedules', byPath, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.json().inputs.map((i: Record<string, unknown>) => [i.run, i.lrFrom, i.points, i.source]),
    [
      ['runs/a', 'schedule', 99, join(logdir, 'runs/a/events.out.tfevents.1622543341.host.1.0')],
      ['runs/b/train', 'schedule', 99, join(logdir, 'runs/b/train/events.out.tfevents.1622543341.host.1.0')],
    ],
  );
  assert.match(
    r.stderr,
    /note: .*logdir: a TensorBoard logdir of 2 runs, each a sub-folder's event files, named by its path .*: "runs\/a", "runs\/b\/train"\n/,
  );
  assert.match(r.stderr, /note: run "runs\/b\/train": "strict\/foo" at step 0 \(the loss before any update\) left out/);
  // predict compares one run: the logdir's are listed, and how to give one.
  const fit = join(root, 'examples/studies/moby-curves/fit-multi-power.json');
  const target = ['--schedule', 'cosine', '--steps', '500', '--peak-lr', '1e-3', '--N', '100096'];
  const many = scalelab([
    'curve-law',
    'predict',
    '--curve-fit',
    fit,
    '--observed',
    logdir,
    '--tag',
    'strict/foo',
    ...target,
  ]);
  assert.equal(many.code, 2);
  assert.match(
    many.stderr,
    /error: --observed .*logdir: a TensorBoard logdir of 2 runs \("runs\/a", "runs\/b\/train"\); predict compares one: give its folder, e.g\. --observed .*logdir\/runs\/a\n$/,
  );
  assert.ok(noStackTrace(many.stderr), many.stderr);
  const one = scalelab([
    ...['curve-law', 'predict', '--curve-fit', fit, '--observed', join(logdir, 'runs/a'), '--tag', 'strict/foo'],
    ...[...target, '--json'],
  ]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.json().observed.run, 'a');
  // A folder with no event files within reach says where it looked.
  const bare = join(dir, 'bare/x/y');
  mkdirSync(bare, { recursive: true });
  const none = scalelab(['curve-law', 'fit', join(dir, 'bare')]);
  assert.equal(none.code, 2);
  assert.match(
    none.stderr,
    /bare: a folder without metrics\.jsonl or TensorBoard event files, in it or its sub-folders 4 levels down/,
  );
});

test('a NaN or infinite loss in an event file is refused naming --drop-nonfinite; with it, left out with a note naming the run, steps and count, and the fit recovers the law', () => {
  const bad = new Map([
    [1500, NaN],
    [1525, Infinity],
  ]);
  const broken = runFolder('wsd-nan', wsd(5e-3, 2000, 0.2, { warmupSteps: 50 }), 2, bad);
  const refused = scalelab(['curve-law', 'fit', constant, broken, '--law', 'lr-annealing']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /events\.out\.tfevents\.[^:]*: record \d+ at byte \d+: the loss \("train\/loss"\) at step 1500 is NaN \(one of 2 NaN or infinite losses\); expected a positive number: leave such losses out with --drop-nonfinite/,
  );
  assert.ok(noStackTrace(refused.stderr), refused.stderr);
  const r = scalelab(['curve-law', 'fit', constant, broken, '--law', 'lr-annealing', '--drop-nonfinite', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: run "wsd-nan": "train\/loss": 2 NaN or infinite losses left out as asked, at steps 1500 \(NaN\), 1525 \(Infinity\)\n/,
  );
  const out = r.json();
  assert.deepEqual(
    out.inputs.map((i: Record<string, unknown>) => [i.run, i.points]),
    [
      ['constant', 80],
      ['wsd-nan', 78],
    ],
  );
  assert.match(out.inputs[1].notes.join('\n'), /2 NaN or infinite losses left out/);
  // The same law as from the clean run (its other checkpoints are the same draws): within 10 % of the truth.
  const p = out.fits[0].fit.params;
  assert.ok(Math.abs(p.alpha / 0.5 - 1) < 0.1 && Math.abs(p.L0 / 1.6 - 1) < 0.03, JSON.stringify(p));
  // Asked for, but none there: nothing said. A loss of 0 or below is still refused (not a divergence).
  const clean = scalelab(['curve-law', 'fit', constant, wsdRun, '--law', 'lr-annealing', '--drop-nonfinite']);
  assert.equal(clean.code, 0, clean.stderr);
  assert.doesNotMatch(clean.stderr, /NaN or infinite/);
  const negative = runFolder('wsd-negative', wsd(5e-3, 2000, 0.2, { warmupSteps: 50 }), 2, new Map([[1500, -1]]));
  const neg = scalelab(['curve-law', 'fit', constant, negative, '--law', 'lr-annealing', '--drop-nonfinite']);
  assert.equal(neg.code, 2);
  assert.match(neg.stderr, /the loss \("train\/loss"\) at step 1500 is -1; expected a positive number\n/);
});

test('a logdir entry that cannot be opened (a link to a purged run, a link loop) is said, not silently left out', () => {
  const logdir = join(dir, 'logdir-links');
  mkdirSync(join(logdir, 'a'), { recursive: true });
  copyFileSync(fixtureFile, join(logdir, 'a', 'events.out.tfevents.1622543341.host.1.0'));
  symlinkSync(join(dir, 'purged-run'), join(logdir, 'b'));
  symlinkSync('loop', join(logdir, 'loop'));
  const schedules = join(dir, 'links-schedules.json');
  writeFileSync(schedules, JSON.stringify({ a: { kind: 'cosine', peakLr: 1e-3, steps: 500, minLrFrac: 0.1 } }));
  const r = scalelab(['curve-law', 'fit', logdir, '--tag', 'strict/foo', '--schedules', schedules, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.json().inputs.map((i: Record<string, unknown>) => i.run),
    ['a'],
  );
  assert.match(
    r.stderr,
    /note: .*logdir-links: left out, as they cannot be opened \(a run there is not read\): .*logdir-links\/b \(a link to nothing\), .*logdir-links\/loop \(ELOOP\)\n/,
  );
});
