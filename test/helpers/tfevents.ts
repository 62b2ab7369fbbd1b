/**
 * Writes TensorBoard event files for tests: TFRecord framing around `Event` protocol buffers with
 * scalar summaries, TF1-style (`simple_value`) or TF2-style (a one-element float tensor, as
 * tf.summary.scalar and PyTorch's new_style scalars write), so the reader is tested on the style
 * the real fixture (PyTorch's add_scalar, simple_value) does not have.
 */
import { maskedCrc32c } from '../../src/io/parseTfEvents.js';

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

const key = (field: number, wire: number) => varint(field * 8 + wire);
const lengthDelimited = (field: number, bytes: number[]) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const float32 = (x: number) => [...new Uint8Array(Float32Array.of(x).buffer)];
const float64 = (x: number) => [...new Uint8Array(Float64Array.of(x).buffer)];
const utf8 = (s: string) => [...new TextEncoder().encode(s)];

export interface TestScalar {
  tag: string;
  value: number;
  /** 'simple' (TF1, PyTorch's default), 'tensor' (TF2: float_val packed), 'content' (tensor_content bytes). */
  style?: 'simple' | 'tensor' | 'content';
}

/** One Event's bytes: wall time, step and a summary of scalars (or, with none, file_version). */
export function eventBytes(step: number, scalars: TestScalar[], wallTime = 1.7e9 + step): number[] {
  const head = [...key(1, 1), ...float64(wallTime), ...key(2, 0), ...varint(step)];
  if (!scalars.length) return [...head, ...lengthDelimited(3, utf8('brain.Event:2'))];
  const values = scalars.flatMap(({ tag, value, style = 'simple' }) => {
    const inner =
      style === 'simple'
        ? [...key(2, 5), ...float32(value)]
        : lengthDelimited(
            8,
            style === 'tensor'
              ? [...key(1, 0), 1, ...lengthDelimited(2, []), ...lengthDelimited(5, float32(value))]
              : [...key(1, 0), 1, ...lengthDelimited(4, float32(value))],
          );
    // metadata (9) with plugin "scalars", as TF2 writes it: skipped by the reader.
    const metadata = lengthDelimited(9, lengthDelimited(1, lengthDelimited(1, utf8('scalars'))));
    return lengthDelimited(1, [...lengthDelimited(1, utf8(tag)), ...metadata, ...inner]);
  });
  return [...head, ...lengthDelimited(5, values)];
}

/** TFRecord framing: length, its masked CRC-32C, the data, its masked CRC-32C. */
export function tfRecord(data: number[]): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(out, 12, 12 + data.length), true);
  return out;
}

/** An event file: the file_version record, then one record per step's scalars. */
export function eventFile(steps: { step: number; scalars: TestScalar[] }[]): Uint8Array {
  const records = [tfRecord(eventBytes(0, [])), ...steps.map((s) => tfRecord(eventBytes(s.step, s.scalars)))];
  const out = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
