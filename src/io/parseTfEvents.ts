/**
 * TensorBoard event files (`events.out.tfevents.*`), as PyTorch's SummaryWriter, TensorFlow,
 * Megatron, torchtitan and the Hugging Face Trainer write them: the scalars logged under each tag.
 * Pure: bytes in, scalars out (the file is read by the caller).
 *
 * The file is a TFRecord stream: each record is a little-endian u64 length, the masked CRC-32C of
 * those 8 bytes, the data, and the masked CRC-32C of the data. Each record's data is one `Event`
 * protocol buffer (tensorflow/core/util/event.proto). Of it only what a loss curve needs is decoded:
 * `wall_time` (1, double), `step` (2, int64) and `summary` (5), whose `value`s (1) carry a `tag` (1)
 * and either a `simple_value` (2, float: TF1 and PyTorch's add_scalar) or a one-element `tensor`
 * (8: TF2's tf.summary.scalar and PyTorch's new_style scalars). Everything else (graphs, images,
 * histograms, text) is skipped by its wire type, so a file holding them reads the same.
 *
 * The protobuf wire format is decoded here by hand: four wire types and five fields, and the
 * errors must say which record at which byte is bad, which a general decoder's "premature EOF"
 * does not.
 */
import { InputError } from '../errors/index.js';
import { MAX_WHOLE_FILE_BYTES } from './limits.js';

/** One logged scalar: the value of a tag at a step. */
export interface TfScalar {
  step: number;
  value: number;
  wallTime: number;
  /** 1-based index of the record that holds it, and the record's first byte in the file. */
  record: number;
  offset: number;
}

export interface TfEventsRead {
  /** Scalars by tag, in the order of the file (first appearance of each tag). */
  scalars: Map<string, TfScalar[]>;
  /** Whole records read. */
  records: number;
  /**
   * The file ends inside a record (a run still writing, or killed mid-write): the records before
   * it were read; this says where the cut one starts and how much of it is there. `unfinished` says
   * how the end is not a whole record: `cut` (the file ends before the record does), `checksum` (the
   * last record is all there but its data's CRC does not match: a writer's bytes not all on disk yet),
   * `zeros` (the file ends in zero bytes where a record should start: space a file system gave the
   * file and a killed writer never filled).
   */
  truncated?: { record: number; offset: number; have: number; need: number; unfinished: 'cut' | 'checksum' | 'zeros' };
}

/** Whether `bytes[start, end)` are all zero. */
function allZero(bytes: Uint8Array, start: number, end = bytes.length): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TFRecord uses.
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The CRC-32C of `bytes[start, end)`. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC32C_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * TFRecord stores the CRC rotated and offset ("masked"), so that a CRC of data that itself holds
 * CRCs does not degenerate.
 */
export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const c = crc32c(bytes, start, end);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** A record's length (8 bytes) and its CRC (4) before the data; the data's CRC (4) after. */
const HEADER_BYTES = 12;
const FOOTER_BYTES = 4;

/**
 * Each record's data, in order, with its index and offset; stops at a truncated last record.
 * @throws InputError naming the record and its byte offset when a CRC does not match
 */
function tfRecords(
  bytes: Uint8Array,
  source: string,
): { records: { data: Uint8Array; record: number; offset: number }[]; truncated?: TfEventsRead['truncated'] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: { data: Uint8Array; record: number; offset: number }[] = [];
  let offset = 0;
  for (let record = 1; offset < bytes.length; record++) {
    const left = bytes.length - offset;
    // Zeros to the end, where a record should start, are no record's bytes: the end of what was written.
    if (allZero(bytes, offset))
      return { records, truncated: { record, offset, have: left, need: HEADER_BYTES, unfinished: 'zeros' } };
    if (left < HEADER_BYTES)
      return { records, truncated: { record, offset, have: left, need: HEADER_BYTES, unfinished: 'cut' } };
    const stored = view.getUint32(offset + 8, true);
    const computed = maskedCrc32c(bytes, offset, offset + 8);
    if (stored !== computed)
      throw new InputError(
        { file: source },
        `record ${record} at byte ${offset}: the CRC-32C of its length does not match (stored ${hex(stored)}, computed ${hex(computed)}); ${record === 1 ? 'expected a TensorBoard event file (TFRecord records)' : 'the file is corrupt from here'}`,
      );
    const length = Number(view.getBigUint64(offset, true));
    // A length whose CRC holds but that no file read here could contain was not cut short by a
    // writer stopped mid-record: read as a cut last record, it would hide every record after it.
    if (length > MAX_WHOLE_FILE_BYTES)
      throw new InputError(
        { file: source },
        `record ${record} at byte ${offset}: its length is ${length} bytes, more than the ${MAX_WHOLE_FILE_BYTES / 2 ** 20} MiB a file read whole may hold; expected a TensorBoard event's length (the file is corrupt from here)`,
      );
    const need = HEADER_BYTES + length + FOOTER_BYTES;
    if (left < need) return { records, truncated: { record, offset, have: left, need, unfinished: 'cut' } };
    const start = offset + HEADER_BYTES;
    const dataStored = view.getUint32(start + length, true);
    const dataComputed = maskedCrc32c(bytes, start, start + length);
    // The file's last record, its length whole but its data not matching: read while its writer's bytes
    // were not all there (TensorBoard's own loader stops at it too). One before others is corruption.
    if (dataStored !== dataComputed && left === need)
      return { records, truncated: { record, offset, have: left, need, unfinished: 'checksum' } };
    if (dataStored !== dataComputed)
      throw new InputError(
        { file: source },
        `record ${record} at byte ${offset}: the CRC-32C of its ${length} bytes of data does not match (stored ${hex(dataStored)}, computed ${hex(dataComputed)}); the record is corrupt`,
      );
    records.push({ data: bytes.subarray(start, start + length), record, offset });
    offset += need;
  }
  return { records };
}

/** Protobuf wire types. */
const VARINT = 0,
  FIXED64 = 1,
  LENGTH = 2,
  FIXED32 = 5;

/** Thrown by the decoder; the caller locates it at the record. */
class Malformed extends Error {}

/** A tag whose bytes are not UTF-8 (a protobuf string is): the Event decodes, its tag does not. */
class NotUtf8 extends Malformed {}

/** A cursor over one protobuf message. */
class Wire {
  private pos: number;
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  more(): boolean {
    return this.pos < this.end;
  }
  /** A varint as a number (exact up to 2^53; a step beyond is no step anyone logs). */
  varint(): number {
    let result = 0,
      scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed('a varint runs past the end of its message');
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if (!(b & 0x80)) return result;
      scale *= 128;
    }
    throw new Malformed('a varint longer than 10 bytes');
  }
  /** A field's key: its number and wire type. */
  key(): [field: number, wire: number] {
    const k = this.varint();
    return [Math.floor(k / 8), k % 8];
  }
  private need(n: number): number {
    if (this.pos + n > this.end) throw new Malformed(`a field of ${n} bytes runs past the end of its message`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  double(): number {
    return this.view.getFloat64(this.need(8), true);
  }
  float(): number {
    return this.view.getFloat32(this.need(4), true);
  }
  /** A length-delimited field, as a cursor over its bytes. */
  sub(): Wire {
    const n = this.varint();
    const at = this.need(n);
    return new Wire(this.bytes, at, at + n);
  }
  /** A length-delimited field's raw bytes. */
  raw(): Uint8Array {
    const n = this.varint();
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  skip(wire: number): void {
    if (wire === VARINT) this.varint();
    else if (wire === FIXED64) this.need(8);
    else if (wire === LENGTH) this.need(this.varint());
    else if (wire === FIXED32) this.need(4);
    else throw new Malformed(`wire type ${wire} (groups and unknown types are not in an Event)`);
  }
}

// Fatal: a tag that is not UTF-8 is refused, not read with U+FFFD in it (and then not found by its name).
const utf8 = new TextDecoder('utf-8', { fatal: true });

function tagText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const shown = [...bytes.subarray(0, 32)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new NotUtf8(`a tag's ${bytes.length} bytes (${shown}${bytes.length > 32 ? ' …' : ''}) are not UTF-8 text`);
  }
}

// TensorFlow's DataType values for the scalar tensors read here.
const DT_FLOAT = 1,
  DT_DOUBLE = 2;

/** A TensorProto's value when it holds one float or double, else undefined. */
function tensorScalar(w: Wire): number | undefined {
  let dtype = 0;
  const values: number[] = [];
  let content: Uint8Array | undefined;
  while (w.more()) {
    const [field, wire] = w.key();
    if (field === 1 && wire === VARINT) dtype = w.varint();
    else if (field === 4 && wire === LENGTH) content = w.raw();
    // float_val (5) and double_val (6): packed, or one value per field.
    else if (field === 5 && wire === LENGTH) {
      const p = w.sub();
      while (p.more()) values.push(p.float());
    } else if (field === 5 && wire === FIXED32) values.push(w.float());
    else if (field === 6 && wire === LENGTH) {
      const p = w.sub();
      while (p.more()) values.push(p.double());
    } else if (field === 6 && wire === FIXED64) values.push(w.double());
    else w.skip(wire);
  }
  if (dtype !== DT_FLOAT && dtype !== DT_DOUBLE) return undefined;
  if (content) {
    const size = dtype === DT_FLOAT ? 4 : 8;
    if (content.length !== size) return undefined;
    const v = new DataView(content.buffer, content.byteOffset, content.byteLength);
    return dtype === DT_FLOAT ? v.getFloat32(0, true) : v.getFloat64(0, true);
  }
  return values.length === 1 ? values[0] : undefined;
}

/** The scalar values of one Event: its step, wall time and (tag, value) pairs. */
function decodeEvent(data: Uint8Array): { step: number; wallTime: number; values: [string, number][] } {
  const w = new Wire(data);
  let step = 0,
    wallTime = 0;
  const values: [string, number][] = [];
  while (w.more()) {
    const [field, wire] = w.key();
    if (field === 1 && wire === FIXED64) wallTime = w.double();
    else if (field === 2 && wire === VARINT) step = w.varint();
    else if (field === 5 && wire === LENGTH) {
      const summary = w.sub();
      while (summary.more()) {
        const [f, t] = summary.key();
        if (f !== 1 || t !== LENGTH) {
          summary.skip(t);
          continue;
        }
        const value = summary.sub();
        let tag: string | undefined;
        let v: number | undefined;
        while (value.more()) {
          const [vf, vt] = value.key();
          if (vf === 1 && vt === LENGTH) tag = tagText(value.raw());
          else if (vf === 2 && vt === FIXED32) v = value.float();
          else if (vf === 8 && vt === LENGTH) v = tensorScalar(value.sub());
          else value.skip(vt);
        }
        if (tag !== undefined && v !== undefined) values.push([tag, v]);
      }
    } else w.skip(wire);
  }
  // int64 steps are two's complement: a negative step reads as a varint above 2^63.
  if (step >= 2 ** 63) step -= 2 ** 64;
  return { step, wallTime, values };
}

/**
 * The scalars of a TensorBoard event file.
 * @throws InputError naming the record and its byte offset when a CRC does not match or an Event
 *   does not decode
 */
export function parseTfEvents(bytes: Uint8Array, source: string): TfEventsRead {
  const { records, truncated } = tfRecords(bytes, source);
  const scalars = new Map<string, TfScalar[]>();
  for (const { data, record, offset } of records) {
    let event;
    try {
      event = decodeEvent(data);
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      if (e instanceof NotUtf8)
        throw new InputError(
          { file: source },
          `record ${record} at byte ${offset}: ${e.message}; expected a tag in UTF-8, as TensorBoard writes it`,
        );
      throw new InputError(
        { file: source },
        `record ${record} at byte ${offset}: not an Event (${e.message}); expected a TensorBoard event`,
      );
    }
    for (const [tag, value] of event.values) {
      const list = scalars.get(tag) ?? [];
      if (!list.length) scalars.set(tag, list);
      list.push({ step: event.step, value, wallTime: event.wallTime, record, offset });
    }
  }
  return { scalars, records: records.length, ...(truncated ? { truncated } : {}) };
}

/** Whether a file's name is a TensorBoard event file's (`events.out.tfevents.<time>.<host>…`). */
export function isTfEventsName(name: string): boolean {
  return /^events\.out\.tfevents\./.test(name.replace(/^.*[\\/]/, ''));
}
