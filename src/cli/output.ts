/**
 * Output conventions shared by every command: JSON on stdout with --json, a human report otherwise;
 * progress bars only on a terminal and never with --json; errors as one line, no stack trace.
 */
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { exitCodes, InputError, isScaleLabError, OptionError, ScaleLabError, UsageError } from '../errors/index.js';
import { flagFor } from './optionFlags.js';
import { syncFolder, workingFolderRemoved } from '../io/durable.js';
import { processAlive } from '../io/processAlive.js';
import { betweenSteps, expectOutput, handleToTheEnd, onInterrupt, outputWritten } from './interrupt.js';

export interface OutputOptions {
  json?: boolean;
}

/**
 * Why a server could not listen, with what to do: a port in use (another server, often one's own
 * earlier `serve`), a port that needs privileges, an address this machine does not have.
 */
export function listenError(host: string, port: number, e: unknown): ScaleLabError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const advice =
    code === 'EADDRINUSE'
      ? `port ${port} is in use (another server, or an earlier one still running): give --port N, or --port 0 for a free one`
      : code === 'EACCES'
        ? `port ${port} needs privileges on this machine: give --port 1024 or above (or --port 0 for a free one)`
        : code === 'EADDRNOTAVAIL'
          ? `this machine has no address ${host}: give --host 127.0.0.1, or one of its own addresses`
          : ((e as Error)?.message ?? String(e));
  return new ScaleLabError(`cannot listen on ${host}:${port}: ${advice}`);
}

/** Whether a --host address keeps a server on this machine: a loopback address or localhost. */
function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The warning a server prints when it listens where other machines can reach it (--host 0.0.0.0,
 * or one of this machine's network addresses): who then can do what (`exposes`), and how to keep it
 * here. Undefined on a loopback address.
 */
export function exposedServerWarning(host: string, port: number, exposes: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  const every = ['0.0.0.0', '::', '[::]'].includes(host);
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `scalelab: warning: listening on ${shown}:${port}, ${every ? 'every network interface of this machine' : 'an address other machines may reach'}: ${exposes}. Give --host 127.0.0.1 to keep it on this machine\n`;
}

export function printJson(value: unknown): void {
  writeStdout(JSON.stringify(value, null, 2) + '\n');
}

/**
 * Write a command's output to stdout. Sent to a file or a device (`> fit.json`, `> /dev/full`), it is
 * written here whole, a write at a time until every byte is out: Node's own stream writes a file once and
 * ignores a partial write, so a full disk left the file cut short with exit 0, and its error came back as
 * a stack trace. To a terminal or a pipe, through Node's stream as before (a closed pipe: main.ts).
 * @throws OutputError (exit 1) saying what was written there is incomplete
 */
export function writeStdout(text: string | Uint8Array): void {
  if (!stdoutIsFile()) {
    process.stdout.write(text);
    return;
  }
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(1, bytes, at, bytes.length - at);
  } catch (e) {
    throw stdoutFailure(e);
  }
}

/**
 * Whether stdout is a file or a device other than a terminal, which Node writes synchronously (fd 1). In a
 * worker thread (the tests' CLI host) process.stdout has no descriptor and is written as a stream.
 */
function stdoutIsFile(): boolean {
  if ((process.stdout as { fd?: unknown }).fd !== 1 || process.stdout.isTTY) return false;
  try {
    const s = fstatSync(1);
    return s.isFile() || s.isCharacterDevice();
  } catch {
    return false;
  }
}

/**
 * A failed write to stdout in words, naming the file it was sent to where the system says (a full disk:
 * "cannot write stdout (fit.json): the disk is full …; what was written there is incomplete. …"). An error
 * that is no file system's is returned as it was.
 */
export function stdoutFailure(e: unknown): unknown {
  const err = e as NodeJS.ErrnoException | undefined;
  if (typeof err?.code !== 'string') return e;
  let file: string | undefined;
  try {
    file = readlinkSync('/proc/self/fd/1');
  } catch {
    file = undefined; // not Linux: stdout is named as such
  }
  const { why, todo } = writeFailure(err, file ?? 'stdout');
  return new OutputError(
    `cannot write stdout${file ? ` (${file})` : ''}: ${why}; what was written there is incomplete${todo ? `. ${todo}` : ''}`,
  );
}

/** Where non-finite numbers sit in a value (`approaches[0].targets[1].N = NaN`), the first few. */
export function nonFiniteNumbers(value: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= 3) return out;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(`${path || 'the result'} = ${value}`);
  } else if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    Array.from(value as ArrayLike<unknown>).forEach((v, i) => nonFiniteNumbers(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nonFiniteNumbers(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

/**
 * The backstop behind every analysis's own checks: a NaN or an infinity is not an answer. The
 * result is refused, naming the quantity, rather than printed (JSON would even turn it into a
 * silent null).
 */
function nonFiniteRefusal(what: string, source?: string): ScaleLabError {
  // Without a data file the numbers came from flags alone: blaming "identical runs" there misleads.
  const detail = source
    ? `the analysis came out non-finite (${what}): these data do not determine it, so it is not printed as an answer; look for a degenerate input (identical runs, a constant column, one value far from the others)`
    : `the analysis came out non-finite (${what}): the values given do not determine it, so it is not printed as an answer; look for a value far outside the range the law was fitted on`;
  return source ? new InputError({ file: source }, detail) : new UsageError(detail);
}

/**
 * Print an analysis's result as JSON, refusing one that holds NaN or ±Infinity.
 * @param source the input file, named in the refusal
 */
export function printResult(value: unknown, source?: string): void {
  const bad = nonFiniteNumbers(value);
  if (bad.length) throw nonFiniteRefusal(bad.join(', '), source);
  printJson(value);
}

/**
 * Write an analysis's result as a JSON file (--out) checked with checkOutput: the object --json prints,
 * refused as printResult refuses it when it holds NaN or ±Infinity.
 */
export function writeJsonResult(path: string, value: unknown, opts: OutputOptions, source?: string): void {
  const bad = nonFiniteNumbers(value);
  if (bad.length) throw nonFiniteRefusal(bad.join(', '), source);
  writeOutput(path, JSON.stringify(value, null, 2) + '\n', opts);
}

/**
 * Write an analysis's text report, refusing one that prints NaN or Infinity as a number (the file
 * name itself may contain anything, so it is not scanned).
 */
export function writeResult(text: string, source?: string): void {
  checkFiniteText(text, source);
  writeStdout(text);
}

/**
 * Refuse a text (a report, an HTML page, a figure) that shows NaN or Infinity as a number.
 * @throws InputError naming `source`, with the line it was found on
 */
export function checkFiniteText(text: string, source?: string): void {
  const scanned = source ? text.split(source).join('') : text;
  const m = /(?<![\p{L}\p{N}_])-?(?:NaN|Infinity)(?![\p{L}\p{N}_])/u.exec(scanned);
  if (m) {
    const start = scanned.lastIndexOf('\n', m.index) + 1,
      end = scanned.indexOf('\n', m.index);
    // The line around it, cut at whole words (a quote cut mid-word reads as garbled).
    const from = Math.max(start, m.index - 80),
      to = end < 0 ? scanned.length : Math.min(end, m.index + 80);
    let line = scanned.slice(from, to);
    if (to < (end < 0 ? scanned.length : end)) line = `${line.replace(/\s*\S*$/, '')} …`;
    if (from > start) line = `… ${line.replace(/^\S*\s*/, '')}`;
    line = line.trim();
    throw nonFiniteRefusal(`${m[0]} in "${line}"`, source);
  }
}

/** What a command writes to its --out: `${what} is written as ${format}`, to a name ending in one of `extensions`. */
export interface OutputFormat {
  /** e.g. "the fit" */
  what: string;
  /** e.g. "JSON" */
  format: string;
  /** The endings that name it, the usual one first: [".json"] */
  extensions: readonly string[];
  /** Written to a file only: the command prints no such thing without --out. */
  fileOnly?: boolean;
}

/** File formats by the ending that names them: a name with one of these says what the file holds. */
const formatOfExtension: Readonly<Record<string, string>> = {
  '.csv': 'CSV',
  '.tsv': 'TSV',
  '.json': 'JSON',
  '.jsonl': 'JSONL',
  '.ndjson': 'JSONL',
  '.html': 'HTML',
  '.htm': 'HTML',
  '.md': 'Markdown',
  '.markdown': 'Markdown',
  '.svg': 'SVG',
  '.png': 'PNG',
  '.jpg': 'JPEG',
  '.jpeg': 'JPEG',
  '.pdf': 'PDF',
  '.yaml': 'YAML',
  '.yml': 'YAML',
  '.parquet': 'Parquet',
  '.xlsx': 'Excel',
};

/** The format an output name's ending says (".csv": CSV), undefined for no ending or one that names none. */
export function formatOfName(path: string): { extension: string; format: string } | undefined {
  const m = /(\.[A-Za-z0-9]+)$/.exec(basename(path));
  const extension = m?.[1].toLowerCase();
  const format = extension === undefined || m!.index === 0 ? undefined : formatOfExtension[extension];
  return format === undefined ? undefined : { extension: extension!, format };
}

/**
 * Refuse an output name whose ending says another format than the one written (fit --out fit.csv
 * would hold JSON that no CSV reader opens), naming what is written and the name to give. A name
 * without an ending, or with one that names no format (.out, .txt), is written as before.
 * @throws UsageError (exit 2)
 */
export function checkOutputFormat(path: string, writes: OutputFormat, flag = '--out'): void {
  const said = formatOfName(path);
  if (!said || writes.extensions.includes(said.extension)) return;
  const instead = path.slice(0, path.length - said.extension.length) + writes.extensions[0];
  const ext = writes.extensions;
  const endings = ext.length > 1 ? `${ext.slice(0, -1).join(', ')} or ${ext[ext.length - 1]}` : ext[0];
  throw new UsageError(
    `${flag} ${path}: the name says ${said.format}, but ${writes.what} is written as ${writes.format}: expected a ${endings} file name (${flag} ${instead})`,
  );
}

/**
 * Make sure an output file can be written, before any work that would be lost if it could not:
 * its folder is created when missing (as the run store's is), and a folder in the way or a folder
 * that is not writable is refused, naming the flag; with `writes`, so is a name whose ending says another
 * format (checkOutputFormat). So is a file that writing would destroy: a run store, or one of `reads` (the
 * files and the store the command reads: `fit runs.json --out runs.json` would replace its own input).
 * @throws UsageError (exit 2)
 */
export function checkOutput(path: string, flag = '--out', writes?: OutputFormat, reads: readonly string[] = []): void {
  const problem = (what: string) => new UsageError(`${flag} ${path}: ${what}`);
  // "-" is standard output to many tools; here it would be a file named "-". Where the command prints
  // without --out (each that names what it writes), leaving it off is what was meant.
  if (path === '-')
    throw problem(
      flag === '--out' && writes && !writes.fileOnly
        ? `expected a file name, not "-" (it would make a file named "-"); to print ${writes.what}, leave --out off`
        : `expected a file name, not "-" (it would make a file named "-"); ${writes?.what ?? 'this output'} is written to a file only`,
    );
  if (writes) checkOutputFormat(path, writes, flag);
  const stat = (p: string) => {
    try {
      return statSync(p);
    } catch {
      return undefined;
    }
  };
  if (stat(path)?.isDirectory()) throw problem('is a folder; expected a file name');
  if (!isAbsolute(path) && workingFolderRemoved())
    throw problem(
      'the folder this command runs in was removed, so a relative path leads nowhere; change to a folder that exists, or give a full path',
    );
  // A link to a file not there yet: the file is written where the link points, the link kept.
  const linked = danglingLinkTarget(path);
  if (linked !== undefined) {
    const linkedDir = dirname(linked);
    if (!stat(linkedDir)?.isDirectory())
      throw problem(
        `is a symbolic link to ${linked}, whose folder ${linkedDir} does not exist; expected a link into a folder that exists, or a plain file name`,
      );
    try {
      accessSync(linkedDir, constants.W_OK);
    } catch {
      throw problem(`is a symbolic link to ${linked}, whose folder ${linkedDir} is not writable`);
    }
    expectOutput(path, false);
    return;
  }
  // Refused before its folder is made: a refused --out leaves nothing behind.
  const replaced = whatOutputWouldReplace(path, reads);
  if (replaced) throw problem(`${replaced}; expected another file name`);
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw problem(
      `cannot create its folder ${dir} (${code ?? (e as Error).message}: ${code === 'EROFS' ? 'a read-only file system' : 'a file in the way, or no permission'}); give a path in a folder you may write to`,
    );
  }
  try {
    accessSync(dir, constants.W_OK);
    if (stat(path)) accessSync(path, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = stat(path) ? 'the file' : `its folder ${dir}`;
    throw problem(
      code === 'EROFS'
        ? `cannot write there (${what} is on a read-only file system, EROFS); give a path on another disk`
        : `cannot write there (${what} is not writable${code ? `, ${code}` : ''}); give a path in a folder you may write to`,
    );
  }
  expectOutput(path, stat(path) !== undefined);
}

/** How an SQLite database file begins (its header string, NUL included): a run store is one. */
const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * What writing `path` would destroy: a run store (any SQLite database: writing over it would lose every
 * run), or one of the files the command reads (`reads`: its inputs, its --db), the same file by device and
 * inode, so through another name, a link or a relative path too. Undefined when nothing is there.
 */
function whatOutputWouldReplace(path: string, reads: readonly string[]): string | undefined {
  // a/../runs.json names runs.json once a is made (checkOutput makes it after this check).
  const at = statOf(path) ? path : whereWritten(path);
  const target = statOf(at);
  if (!target?.isFile()) return undefined;
  const same = reads.find((r) => {
    const s = statOf(r);
    if (s === undefined || s.dev !== target.dev) return false;
    // Some file systems give every file inode 0: there only the resolved paths tell.
    return s.ino !== 0 && target.ino !== 0 ? s.ino === target.ino : realpathOf(r) === realpathOf(at);
  });
  const store = startsWith(at, sqliteHeader);
  if (same !== undefined)
    return `is ${same === path ? '' : `the same file as ${same}, `}${store ? 'the run store' : 'the input'} this command reads; writing there would replace it`;
  if (store) return 'is an SQLite database (a run store); writing there would replace every run it holds';
  return undefined;
}

/** Whether a file's first bytes are `prefix` (false when it cannot be read: the write will say why). */
function startsWith(path: string, prefix: Uint8Array): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(prefix.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(prefix);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Write an output file checked with checkOutput, and say so on stderr (stdout holds only the
 * result; with --json the caller passed the name and needs no telling).
 * @param detail what was written, e.g. "12 KiB, 5 figures"
 */
export function writeOutput(path: string, data: string | Uint8Array, opts: OutputOptions, detail?: string): void {
  // A Ctrl-C during the write is heard once the file is whole and renamed (a synchronous write cannot
  // be stopped half way by a listener): "… was written before it", rather than Node's default ending
  // the process inside the write and leaving its temporary file.
  handleToTheEnd();
  writeAtomically(path, data);
  said(path, opts, detail);
}

/**
 * writeOutput for a large output (an export of every run) made in pieces: each piece is written as it
 * comes, with a turn for the event loop after every MiB, so a Ctrl-C stops it between two pieces,
 * removing the temporary file and leaving the earlier file as it was.
 */
export async function writeOutputInSteps(
  path: string,
  pieces: Iterable<string | Uint8Array>,
  opts: OutputOptions,
  detail?: string,
): Promise<void> {
  // A signal during the last piece, the flush or the rename (no turn of the event loop after them) is
  // heard at the command's end, the file then said written, rather than lost with the listener.
  handleToTheEnd();
  await writeAtomicallyInSteps(path, pieces);
  said(path, opts, detail);
}

function said(path: string, opts: OutputOptions, detail?: string): void {
  outputWritten(path);
  if (!opts.json) process.stderr.write(`wrote ${path}${detail ? ` (${detail})` : ''}\n`);
}

/**
 * Write a file whole or not at all: into a temporary file beside it, flushed, then renamed over it,
 * so a full disk or a killed process never leaves a truncated file over the one that was there; the
 * folder is synced after the rename, so that once this returns a power cut keeps the new file.
 * @throws OutputError naming the file (exit 1); the earlier file is left as it was
 */
export function writeAtomically(path: string, data: string | Uint8Array): void {
  const w = new AtomicWrite(path);
  try {
    w.write(data);
    w.finish();
  } catch (e) {
    throw w.abandon(e);
  }
}

/** How much writeAtomicallyInSteps writes between two turns of the event loop. */
const STEP_BYTES = 1 << 20;

/**
 * writeAtomically of pieces, written as they come, with a turn for the event loop after every MiB
 * (betweenSteps): a signal handled then removes the temporary file before the command ends.
 * @throws OutputError naming the file (exit 1), or what a piece threw; either way the temporary file
 * is removed and the earlier file left as it was
 */
export async function writeAtomicallyInSteps(path: string, pieces: Iterable<string | Uint8Array>): Promise<void> {
  const w = new AtomicWrite(path);
  const withdraw = onInterrupt(() => {
    w.abandon(undefined);
    return undefined; // the output's own clause says it was not written
  });
  try {
    let since = 0;
    for (const piece of pieces) {
      since += w.write(piece);
      if (since >= STEP_BYTES) {
        since = 0;
        await betweenSteps();
      }
    }
    w.finish();
  } catch (e) {
    throw w.abandon(e);
  } finally {
    withdraw();
  }
}

/**
 * One atomic write in progress: the temporary file beside the target (or the device itself, written in
 * place), written piece by piece, then flushed and renamed over the target, or abandoned and removed.
 */
class AtomicWrite {
  private readonly existing: ReturnType<typeof statOf>;
  /** Where the file is made: the path, or the file a symbolic link there names. */
  private readonly target: string;
  /** The temporary file, undefined for a device or a pipe (written in place: there is nothing to replace). */
  private readonly tmp: string | undefined;
  private fd: number | undefined;
  private done = false;
  /** The process's own descriptor (--out /dev/stdout): written to, never closed. */
  private readonly borrowed: boolean;

  constructor(readonly path: string) {
    this.existing = statOf(path);
    const own = ownDescriptor(path);
    this.borrowed = own !== undefined;
    if (own !== undefined) {
      // /dev/stdout names the file stdout was sent to (`> log`, `>> log`): written through the descriptor,
      // so an append stays an append; a temporary file renamed over it would replace the whole log.
      this.target = path;
      this.tmp = undefined;
      this.fd = own;
      return;
    }
    if (this.existing && !this.existing.isFile()) {
      this.target = path;
      this.tmp = undefined;
    } else {
      // Through a symbolic link to the file it names (the link stays), keeping that file's permissions;
      // a link to a file not there yet makes that file (renamed over the link, the link would be lost).
      this.target = this.existing ? realpathSync(path) : (danglingLinkTarget(path) ?? path);
      this.tmp = join(dirname(this.target), temporaryName(basename(this.target), process.pid));
      removeStaleTemporaries(this.target);
    }
    try {
      this.fd = this.tmp
        ? openTemporary(this.tmp, this.existing ? this.existing.mode & 0o7777 : 0o666)
        : openSync(path, 'w');
    } catch (e) {
      throw this.abandon(e);
    }
  }

  /** Write one piece whole; returns its length in bytes. */
  write(piece: string | Uint8Array): number {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    for (let at = 0; at < bytes.length;) at += writeSync(this.fd!, bytes, at, bytes.length - at);
    return bytes.length;
  }

  /** Flush, close and rename over the target; the folder synced, so the new name survives a power cut. */
  finish(): void {
    const fd = this.fd!;
    if (this.tmp) fsyncSync(fd);
    this.fd = undefined;
    if (!this.borrowed) closeSync(fd);
    if (!this.tmp) return void (this.done = true);
    if (this.existing) chmodSync(this.tmp, this.existing.mode & 0o7777);
    renameSync(this.tmp, this.target);
    this.done = true;
    syncFolder(dirname(this.target));
  }

  /**
   * Give the write up: the temporary file closed and removed. Returns what to throw for `e`: a file
   * system's error as an OutputError in words (a piece's own error as it was).
   */
  abandon(e: unknown): unknown {
    if (this.done) return e;
    if (this.fd !== undefined && !this.borrowed) {
      try {
        closeSync(this.fd);
      } catch {
        // closing a file that failed to write: its removal below is what matters
      }
      this.fd = undefined;
    }
    if (this.tmp) rmSync(this.tmp, { force: true });
    const err = e as NodeJS.ErrnoException | undefined;
    if (typeof err?.code !== 'string' || !err.syscall) return e;
    const state = this.tmp ? (statOf(this.path) ? '; the file there is unchanged' : '; nothing was written') : '';
    const { why, todo } = writeFailure(err, this.target, this.tmp);
    return new OutputError(`cannot write ${this.path}: ${why}${state}${todo ? `. ${todo}` : ''}`);
  }
}

/**
 * Why a write of `target` failed, in words, and what to do (checked before the work, so a full disk,
 * a file system remounted read-only or a change since). Node's own wording would name the temporary file.
 */
function writeFailure(err: NodeJS.ErrnoException, target: string, tmp?: string): { why: string; todo?: string } {
  const dir = dirname(target);
  if (err.code === 'ENOSPC' || err.code === 'EFBIG' || err.code === 'EDQUOT')
    return {
      why: `the disk is full or the file too large (${err.code})`,
      todo: 'Free some space there, or write it to another disk',
    };
  if (err.code === 'EROFS')
    return { why: 'the file system there is read-only (EROFS)', todo: 'Write it to a folder on another disk' };
  if (err.code === 'EACCES' || err.code === 'EPERM')
    return { why: `no permission to write in ${dir} (${err.code})`, todo: 'Write it to a folder you may write to' };
  if (err.code === 'ENOENT' && !isAbsolute(target) && workingFolderRemoved())
    return {
      why: 'the folder this command runs in was removed (ENOENT), so a relative path leads nowhere',
      todo: 'Change to a folder that exists, or give a full path',
    };
  if (err.code === 'ENOENT' && !statOf(dir)?.isDirectory())
    return { why: `its folder ${dir} was removed while the command ran (ENOENT)` };
  return { why: tmp ? err.message.split(tmp).join(target) : err.message };
}

/** How old a dead process's temporary file must be before a later write removes it. */
const STALE_TEMPORARY_MS = 60_000;

/**
 * Stdout or stderr when a path names it (/dev/stdout, /dev/stderr, /dev/fd/1, /proc/self/fd/2, …) and it
 * was sent to a regular file (`> log`, `>> log`): written through the descriptor, at its offset (an append
 * stays an append). Otherwise undefined, and the path is written as any other: a pipe or a terminal in
 * place through a descriptor of its own, which blocks (Node leaves stdout's non-blocking: past 64 KiB to
 * a slow reader a write of it fails with EAGAIN). Other descriptors are not taken over: /dev/fd/8 may be
 * one of Node's own.
 */
function ownDescriptor(path: string): number | undefined {
  const named = /^\/dev\/(stdout|stderr)$/.exec(path);
  const numbered = /^\/(?:dev|proc\/self)\/fd\/([12])$/.exec(path);
  const fd = named ? (named[1] === 'stdout' ? 1 : 2) : numbered ? Number(numbered[1]) : undefined;
  if (fd === undefined) return undefined;
  try {
    return fstatSync(fd).isFile() ? fd : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Create the temporary file, refusing one already there (O_EXCL): a link planted under its name in a
 * shared folder is not followed. One left there (a stale file of this pid, or such a link) is removed —
 * the link itself, not what it names — and the file created afresh.
 */
function openTemporary(tmp: string, mode: number): number {
  try {
    return openSync(tmp, 'wx', mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    rmSync(tmp, { force: true });
    return openSync(tmp, 'wx', mode);
  }
}

/** `.NAME.PID.tmp`: the temporary file beside NAME that process PID writes before renaming it over NAME. */
function temporaryName(name: string, pid: number): string {
  return `.${name}.${pid}.tmp`;
}

/**
 * Remove the temporary files that earlier writes of `target` left when they were killed (kill -9,
 * a crash, a power cut between write and rename): ours by name, and only those whose process has
 * gone (one alive may be writing it now). Nothing else in the folder is touched.
 */
function removeStaleTemporaries(target: string): void {
  const dir = dirname(target),
    name = basename(target);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // the write itself will say what is wrong with the folder
  }
  const prefix = `.${name}.`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = entry.slice(prefix.length, -'.tmp'.length);
    if (!/^[1-9][0-9]{0,9}$/.test(pid) || entry !== temporaryName(name, Number(pid))) continue;
    if (Number(pid) === process.pid || processAlive(Number(pid))) continue;
    try {
      // A minute old at least: a folder shared between hosts (NFS, containers) can hold another host's
      // write in progress, whose process this host cannot see; no write takes a minute between the two calls.
      if (Date.now() - statSync(join(dir, entry)).mtimeMs < STALE_TEMPORARY_MS) continue;
      rmSync(join(dir, entry), { force: true });
    } catch {
      // not ours to remove after all (another user's folder): leave it
    }
  }
}

/**
 * Where a symbolic link at `path` points when nothing is there (a link to a file not written yet,
 * through links to links), or undefined when `path` is no such link.
 */
function danglingLinkTarget(path: string): string | undefined {
  let at = path;
  for (let hops = 0; hops < 16; hops++) {
    let link: string;
    try {
      // Something is there (a plain file, or a link's existing target): the link is not dangling.
      if (!lstatSync(at).isSymbolicLink()) return undefined;
      link = readlinkSync(at);
    } catch {
      return at === path ? undefined : at;
    }
    at = resolve(dirname(at), link);
  }
  return undefined; // a loop of links: the write says so (ELOOP)
}

/**
 * The file a path will name once its missing folders are made: the longest part of it that exists,
 * resolved (links followed), then the rest, whose folders will be new ones (no links to follow).
 */
function whereWritten(path: string): string {
  const parts = path.split(sep);
  for (let i = parts.length - 1; i > 0; i--) {
    const folder = parts.slice(0, i).join(sep) || sep;
    if (statOf(folder)?.isDirectory()) return join(realpathOf(folder), ...parts.slice(i));
  }
  return isAbsolute(path) ? path : join(realpathOf('.'), path);
}

/** A path with its links followed, or the path itself where it cannot be resolved. */
function realpathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** An output file that could not be written after the work (a full disk): the run failed, exit 1. */
class OutputError extends ScaleLabError {
  override name = 'OutputError';
}

/** A progress bar on stderr when it is a terminal and output is not JSON; otherwise a no-op. */
export function progress(
  label: string,
  total: number,
  opts: OutputOptions,
): { tick: (n?: number) => void; stop: () => void } {
  if (opts.json || !process.stderr.isTTY || total <= 0) return { tick: () => {}, stop: () => {} };
  // Loaded only for a bar on a terminal: every command imports this file, few draw a bar.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: (n = 1) => bar.increment(n), stop: () => bar.stop() };
}

/** A status line on stderr when it is a terminal and output is not JSON, rewritten in place; otherwise a no-op. */
export function statusLine(opts: OutputOptions): { show: (text: string) => void; done: () => void } {
  if (opts.json || !process.stderr.isTTY) return { show: () => {}, done: () => {} };
  let shown = false;
  return {
    show: (text) => {
      const width = process.stderr.columns || 100;
      process.stderr.write(`\r\x1b[K${text.length >= width ? `${text.slice(0, width - 2)}…` : text}`);
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * What a command's register function is handed (main.ts): runs the action's body, turns whatever it
 * throws into one line on stderr (a JSON error with `json`) and the exit code.
 */
export type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;

/** Print an error the way every command does, and return the exit code. */
export function reportError(e: unknown, opts: OutputOptions = {}): number {
  if (isScaleLabError(e)) {
    // The library names options (`fix`); the user typed flags (`--fix`).
    const message = e.messageNaming(flagFor);
    process.stderr.write(`scalelab: error: ${message}\n`);
    if (opts.json)
      printErrorJson({
        error: {
          type: e.name,
          message,
          ...(e instanceof OptionError ? { option: flagFor(e.option) } : {}),
          ...('location' in e && e.location !== undefined ? { location: (e as { location: unknown }).location } : {}),
          ...('imported' in e ? { imported: (e as { imported: unknown }).imported } : {}),
        },
      });
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(
    `scalelab: internal error: ${err?.message ?? String(e)}\n(this is a bug in ScaleLab; set SCALELAB_DEBUG=1 for a stack trace)\n`,
  );
  if (process.env.SCALELAB_DEBUG) process.stderr.write(`${err?.stack}\n`);
  if (opts.json) printErrorJson({ error: { type: 'InternalError', message: err?.message ?? String(e) } });
  return exitCodes.internal;
}

/** The error as JSON on stdout, unless stdout itself is what failed (a full disk): the line on stderr says it. */
function printErrorJson(value: unknown): void {
  try {
    printJson(value);
  } catch {
    // stdout cannot be written: the error was said on stderr
  }
}
