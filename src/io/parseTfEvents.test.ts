import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors/index.js';
import { crc32c, isTfEventsName, parseTfEvents } from './parseTfEvents.js';
import { curveFromEvents, type EventsCurve } from './parseCurves.js';
import { eventBytes, eventFile, tfRecord } from '../../test/helpers/tfevents.js';
import { maskedCrc32c } from './parseTfEvents.js';

const fixture = (run: 1 | 2) =>
  new URL(
    `../../test/fixtures/tfevents/run_${run}/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.${run - 1}`,
    import.meta.url,
  );
const run1 = () => new Uint8Array(readFileSync(fixture(1)));

/** The InputError a call throws (failing the test when it throws none, or another kind). */
function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  assert.fail('expected an InputError');
}

test('CRC-32C: the check value of "123456789" (RFC 3720)', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test("a PyTorch SummaryWriter file (tensorboard-reducer's test run): the tag, steps and values its project expects", () => {
  for (const [run, mean] of [
    [1, 1.488],
    [2, 2.459],
  ] as const) {
    const read = parseTfEvents(new Uint8Array(readFileSync(fixture(run))), `run_${run}`);
    assert.deepEqual([...read.scalars.keys()], ['strict/foo']);
    const foo = read.scalars.get('strict/foo')!;
    assert.deepEqual(
      foo.map((p) => p.step),
      Array.from({ length: 100 }, (_, i) => 5 * i),
    );
    // Written as torch.rand([]) + run: every value in [run, run + 1), and the mean the project's test expects.
    assert.ok(foo.every((p) => p.value >= run && p.value < run + 1));
    const m = foo.reduce((s, p) => s + p.value, 0) / foo.length;
    assert.ok(Math.abs(m - mean) < 1e-3, `mean ${m}`);
    assert.equal(read.records, 101, 'the file_version record and one per step');
    assert.equal(read.truncated, undefined);
    assert.ok(foo[0].wallTime > 1.6e9 && foo[0].wallTime < 1.7e9, 'wall time in 2021');
  }
});

test('a corrupt byte is a located error: which record, at which byte, which CRC', () => {
  const bytes = run1();
  // Record 1 (file_version) is 12 + data + 4 bytes; flip a byte inside record 2's data.
  const record2 = 12 + Number(new DataView(bytes.buffer).getBigUint64(0, true)) + 4;
  const data = bytes.slice();
  data[record2 + 12 + 3] ^= 0xff;
  const e = inputError(() => parseTfEvents(data, 'run.tfevents'));
  assert.equal(e.location.file, 'run.tfevents');
  assert.match(
    e.detail,
    new RegExp(`^record 2 at byte ${record2}: the CRC-32C of its \\d+ bytes of data does not match`),
  );
  // A damaged length: its own CRC catches it before the length is trusted.
  const length = bytes.slice();
  length[record2 + 1] ^= 0x01;
  assert.match(
    inputError(() => parseTfEvents(length, 'run.tfevents')).detail,
    new RegExp(`^record 2 at byte ${record2}: the CRC-32C of its length does not match`),
  );
  // Not an event file at all.
  assert.match(
    inputError(() => parseTfEvents(new TextEncoder().encode('step,loss\n1,2.5\n2,2.4\n'), 'x.csv')).detail,
    /^record 1 at byte 0: .*expected a TensorBoard event file/,
  );
});

test('a truncated last record (a run still writing) is read up to the last whole record, and said', () => {
  const bytes = run1();
  for (const cut of [7, 20]) {
    const read = parseTfEvents(bytes.subarray(0, bytes.length - cut), 'run.tfevents');
    assert.equal(read.records, 100);
    assert.equal(read.scalars.get('strict/foo')!.length, 99);
    assert.equal(read.truncated!.record, 101);
    assert.equal(read.truncated!.have, read.truncated!.need - cut);
  }
  // Cut inside the 12-byte header of the next record.
  const twoRecords = bytes.subarray(0, 12 + Number(new DataView(bytes.buffer).getBigUint64(0, true)) + 4 + 5);
  const read = parseTfEvents(twoRecords, 'run.tfevents');
  assert.deepEqual([read.records, read.truncated?.have, read.truncated?.need], [1, 5, 12]);
  const curve = curveFromEvents(
    [{ source: 'run.tfevents', read: parseTfEvents(bytes.subarray(0, bytes.length - 7), 'run.tfevents') }],
    'run_1',
    { tag: 'strict/foo', schedule: { kind: 'constant', peakLr: 1e-3, steps: 500 } },
  );
  // The 99 values read, less the one at step 0 (the loss before any update), left out and said.
  assert.equal(curve.points.length, 98);
  assert.equal(curve.points[0].step, 5);
  assert.match(curve.notes.join('\n'), /last record \(101, at byte \d+\) is cut short.*read the 100 whole records/);
  assert.match(curve.notes.join('\n'), /"strict\/foo" at step 0 \(the loss before any update\) left out/);
});

test('a file read while its writer is mid-flush, or left by a killed one, is read to its last whole record, and said', () => {
  const bytes = run1();
  const last = bytes.length - (12 + 33 + 4); // record 101, of 33 bytes of data
  // The last record all there but its data not (zeros where the writer's bytes were to be).
  const unflushed = bytes.slice();
  unflushed.fill(0, last + 12);
  // Its data's CRC byte not yet written (one byte of the record differs from what its CRC says).
  const lastByte = bytes.slice();
  lastByte[lastByte.length - 1] ^= 0xff;
  for (const file of [unflushed, lastByte]) {
    const read = parseTfEvents(file, 'run.tfevents');
    assert.equal(read.records, 100);
    assert.deepEqual(read.truncated, { record: 101, offset: last, have: 49, need: 49, unfinished: 'checksum' });
  }
  // Zeros after the last record: space the file system gave the file, never written.
  const padded = new Uint8Array(bytes.length + 4096);
  padded.set(bytes);
  const read = parseTfEvents(padded, 'run.tfevents');
  assert.equal(read.records, 101);
  assert.deepEqual(read.truncated, { record: 102, offset: bytes.length, have: 4096, need: 12, unfinished: 'zeros' });
  const curve = curveFromEvents([{ source: 'run.tfevents', read }], 'run_1', {
    tag: 'strict/foo',
    schedule: { kind: 'constant', peakLr: 1e-3, steps: 500 },
  });
  assert.match(
    curve.notes.join('\n'),
    /run\.tfevents: the file ends in 4096 zero bytes from byte 4912, where record 102 should start/,
  );
  // Zeros and then more bytes, or a bad record before others, are corruption: refused, located.
  const zerosThenData = new Uint8Array(bytes.length + 101);
  zerosThenData.set(bytes);
  zerosThenData[zerosThenData.length - 1] = 1;
  assert.match(
    inputError(() => parseTfEvents(zerosThenData, 'run.tfevents')).detail,
    /^record 102 at byte 4912: the CRC-32C of its length does not match/,
  );
  const midRecord = bytes.slice();
  midRecord[last - 2] ^= 0xff; // record 100's data
  assert.match(
    inputError(() => parseTfEvents(midRecord, 'run.tfevents')).detail,
    /^record 100 at byte \d+: the CRC-32C of its 33 bytes of data does not match/,
  );
});

test('TF2 tensor scalars (float_val or tensor_content) read as simple values do; other tags and summaries are skipped', () => {
  const bytes = eventFile([
    {
      step: 10,
      scalars: [
        { tag: 'train/loss', value: 3.5, style: 'tensor' },
        { tag: 'train/learning_rate', value: 1e-3 },
      ],
    },
    { step: 20, scalars: [{ tag: 'train/loss', value: 3.25, style: 'content' }] },
    { step: 30, scalars: [{ tag: 'eval/loss', value: 3.0, style: 'tensor' }] },
  ]);
  const read = parseTfEvents(bytes, 'tf2');
  assert.deepEqual([...read.scalars.keys()], ['train/loss', 'train/learning_rate', 'eval/loss']);
  assert.deepEqual(
    read.scalars.get('train/loss')!.map((p) => [p.step, p.value, p.record]),
    [
      [10, 3.5, 2],
      [20, 3.25, 3],
    ],
  );
});

test('a curve: the first common loss tag is read, the learning rate from its tag; a missing tag lists the tags there', () => {
  const steps = [100, 200, 300].map((step) => ({
    step,
    scalars: [
      { tag: 'eval/loss', value: 9 },
      { tag: 'train/loss', value: 4 - step / 1000, style: 'tensor' as const },
      { tag: 'train/learning_rate', value: step === 300 ? 5e-4 : 1e-3 },
    ],
  }));
  const files = [{ source: 'a.tfevents', read: parseTfEvents(eventFile(steps), 'a.tfevents') }];
  const c: EventsCurve = curveFromEvents(files, 'a');
  assert.equal(c.tag, 'train/loss');
  assert.equal(c.lrTag, 'train/learning_rate');
  assert.equal(c.lrFrom, 'lr tag');
  assert.deepEqual(
    c.points.map((p) => [p.step, Math.round(p.loss * 1e4) / 1e4]),
    [
      [100, 3.9],
      [200, 3.8],
      [300, 3.7],
    ],
  );
  // Held at the first logged value before it, linear between: step 250 is halfway from 1e-3 to 5e-4.
  assert.equal(c.lrs.length, 300);
  // (logged as float32: equal to 1e-6 relative)
  assert.ok(
    Math.abs(c.lrs[0] / 1e-3 - 1) < 1e-6 && Math.abs(c.lrs[249] / 7.5e-4 - 1) < 1e-6,
    `${c.lrs[0]} ${c.lrs[249]}`,
  );
  assert.equal(curveFromEvents(files, 'a', { tag: 'eval/loss' }).points[0].loss, 9);
  const e = inputError(() => curveFromEvents(files, 'a', { tag: 'val/loss' }));
  assert.match(
    e.detail,
    /no scalars tagged "val\/loss"; the scalar tags in it: "eval\/loss", "train\/loss", "train\/learning_rate"/,
  );
  const none = [
    { source: 'b.tfevents', read: parseTfEvents(eventFile([{ step: 1, scalars: [{ tag: 'acc', value: 0.5 }] }]), 'b') },
  ];
  assert.match(
    inputError(() => curveFromEvents(none, 'b')).detail,
    /none of the loss tags "train\/loss", .* is logged here; the scalar tags in it: "acc": name the loss's tag \(option "tag"\)/,
  );
  // No learning-rate tag and no schedule.
  const noLr = [
    { source: 'c', read: parseTfEvents(eventFile([{ step: 1, scalars: [{ tag: 'loss', value: 2 }] }]), 'c') },
  ];
  assert.match(
    inputError(() => curveFromEvents(noLr, 'c')).detail,
    /logs no learning rate .* give the run's schedule \(option "schedules"\)/,
  );
});

test("a logged warmup (the learning rate's leading rise) is the curve's warmup, left out of the annealing", () => {
  const lr = (step: number) => (step <= 40 ? step * 1e-4 : step <= 80 ? 4e-3 : 2e-3);
  const steps = Array.from({ length: 10 }, (_, i) => ({
    step: (i + 1) * 10,
    scalars: [
      { tag: 'loss', value: 3 },
      { tag: 'lr', value: lr((i + 1) * 10) },
    ],
  }));
  const c = curveFromEvents([{ source: 'w', read: parseTfEvents(eventFile(steps), 'w') }], 'w');
  assert.equal(c.warmupSteps, 40);
  const flat = steps.map((s) => ({ ...s, scalars: [s.scalars[0], { tag: 'lr', value: 1e-3 }] }));
  assert.equal(curveFromEvents([{ source: 'f', read: parseTfEvents(eventFile(flat), 'f') }], 'f').warmupSteps, 0);
});

test('a restart: steps logged again replace the earlier ones from that step on, across files in order, and are said', () => {
  const lr = { tag: 'lr', value: 1e-3 };
  const first = eventFile([100, 200, 300].map((step) => ({ step, scalars: [{ tag: 'loss', value: 5 }, lr] })));
  const second = eventFile([200, 300, 400].map((step) => ({ step, scalars: [{ tag: 'loss', value: 4 }, lr] })));
  const c = curveFromEvents(
    [
      { source: 'f1', read: parseTfEvents(first, 'f1') },
      { source: 'f2', read: parseTfEvents(second, 'f2') },
    ],
    'r',
  );
  assert.deepEqual(
    c.points.map((p) => [p.step, p.loss]),
    [
      [100, 5],
      [200, 4],
      [300, 4],
      [400, 4],
    ],
  );
  assert.match(
    c.notes.join('\n'),
    /^run "r": "loss": resumed at step 200 after step 300 \(record \d+ of f2\): the later values replace the earlier ones from that step on, 2 of 3, as TensorBoard shows a resumed run$/m,
  );
});

test('a loss that is not a positive number is located at its record and byte', () => {
  const bytes = eventFile([
    { step: 1, scalars: [{ tag: 'loss', value: 2 }] },
    { step: 2, scalars: [{ tag: 'loss', value: NaN }] },
  ]);
  const e = inputError(() =>
    curveFromEvents([{ source: 'n', read: parseTfEvents(bytes, 'n') }], 'n', {
      schedule: { kind: 'constant', peakLr: 1e-3, steps: 10 },
    }),
  );
  assert.match(e.message, /^n: record 3 at byte \d+: the loss \("loss"\) at step 2 is NaN; expected a positive number/);
});

test('event files are recognised by their name', () => {
  assert.ok(isTfEventsName('logs/run/events.out.tfevents.1622543341.host.86862.0'));
  assert.ok(!isTfEventsName('events.csv'));
});

test('a record length no file read here could hold is refused, located, not read as a cut-short last record', () => {
  const whole = eventFile([{ step: 1, scalars: [{ tag: 'loss', value: 2 }] }]);
  // A length of 1 TiB with a CRC that holds, then more of the file: a corrupt length, not a run still writing.
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setBigUint64(0, 2n ** 40n, true);
  view.setUint32(8, maskedCrc32c(header, 0, 8), true);
  const bytes = new Uint8Array([
    ...whole,
    ...header,
    ...eventFile([{ step: 2, scalars: [{ tag: 'loss', value: 1 }] }]),
  ]);
  const e = inputError(() => parseTfEvents(bytes, 'big'));
  assert.match(
    e.message,
    new RegExp(`^big: record 3 at byte ${whole.length}: its length is 1099511627776 bytes, more than the 256 MiB`),
  );
});

test('a cut-short file with a later file after it is said as a run stopped mid-write, not one still writing', () => {
  const lr = { tag: 'lr', value: 1e-3 };
  const first = eventFile([100, 200].map((step) => ({ step, scalars: [{ tag: 'loss', value: 5 }, lr] })));
  const second = eventFile([300, 400].map((step) => ({ step, scalars: [{ tag: 'loss', value: 4 }, lr] })));
  const read = (b: Uint8Array, f: string) => ({ source: f, read: parseTfEvents(b.subarray(0, b.length - 3), f) });
  const c = curveFromEvents([read(first, 'f1'), read(second, 'f2')], 'r');
  assert.match(c.notes[0], /^f1: the last record \(3, .*\(the run stopped mid-write and went on in a later file\)/);
  assert.match(c.notes[1], /^f2: the last record \(3, .*\(a run still writing\?\)/);
});

test('a tag that is not UTF-8 is refused with its record and byte offset', () => {
  const good = eventFile([{ step: 1, scalars: [{ tag: 'loss', value: 2 }] }]);
  const event = eventBytes(2, [{ tag: 'lossX', value: 1 }]);
  event[event.indexOf(0x58)] = 0xff; // the tag's 'X' made a byte no UTF-8 text holds
  const bytes = new Uint8Array([...good, ...tfRecord(event)]);
  const e = inputError(() => parseTfEvents(bytes, 't'));
  assert.match(
    e.message,
    new RegExp(`^t: record 3 at byte ${good.length}: a tag's 5 bytes \\(6c 6f 73 73 ff\\) are not UTF-8 text`),
  );
});
