/**
 * Who holds a run store's write lock. SQLite's lock says nothing of its holder, so a long writer
 * (an import, RunStore.writeTransaction) records itself in `PATH-writer` beside the store, and a process
 * waiting for the lock reads it to say who it waits for (or, when no holder recorded itself, looks for
 * the processes that have the store open). Separate from the store's queries: this is what a busy-store
 * message and a wait are made of; the study claims a sweep holds are in claims.ts.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { processAlive } from '../io/processAlive.js';

/** Who holds a store's write lock, as the holder recorded it (see RunStore.writeTransaction). */
export interface WriterInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** False when the recorded process is gone (it was killed; SQLite released its lock). */
  alive: boolean;
}

export interface WaitOptions {
  /** Give up after this long. @default 60 000 ms */
  timeoutMs?: number;
  /** Called while waiting (a few times a second) with the holder, when it recorded itself. */
  onWait?: (wait: { holder: WriterInfo | undefined; waitedMs: number }) => void;
}

/** How long one attempt of a write that waits (writeTransaction, whenFree) blocks on the lock before it says so. */
export const WAIT_ATTEMPT_MS = 200;

/**
 * Busy timeout of synchronous writes (a sweep's status updates), ms: long enough to outlast most
 * imports (a sweep waits on past it, see experiments/runner.ts). A test shortens it with
 * SCALELAB_TEST_BUSY_TIMEOUT_MS.
 */

export function syncBusyTimeoutMs(): number {
  const v = Number(process.env.SCALELAB_TEST_BUSY_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 30_000;
}

/** `path-writer`: the lock-info file a long writer keeps next to the store while it writes. */
export function writerFile(path: string): string {
  return `${path}-writer`;
}

/** The writer recorded next to a store, if any. */
export function storeWriter(path: string): WriterInfo | undefined {
  if (path === ':memory:') return undefined;
  try {
    const w = JSON.parse(readFileSync(writerFile(path), 'utf8')) as Omit<WriterInfo, 'alive'>;
    if (typeof w.pid !== 'number' || typeof w.command !== 'string') return undefined;
    return { ...w, alive: w.host !== hostname() || processAlive(w.pid) };
  } catch {
    return undefined;
  }
}

/**
 * One line on who holds a store's write lock, for messages. With `path` (a final error, said once),
 * a holder that recorded nothing is looked for among the processes that have the store open.
 */
export function describeWriter(w: WriterInfo | undefined, path?: string): string {
  if (!w) {
    const open = path === undefined ? [] : processesWithOpen(path);
    const shown = open.slice(0, 3).map((p) => `pid ${p.pid} ("${p.command}")`);
    return `another process holds its write lock (it recorded no details: a sweep's short write, or a program other than ScaleLab)${
      shown.length ? `; open in ${shown.join(', ')}${open.length > 3 ? ` and ${open.length - 3} more` : ''}` : ''
    }`;
  }
  const since = Math.max(0, Math.round((Date.now() - Date.parse(w.since)) / 1000));
  const host = w.host === hostname() ? '' : ` on ${w.host}`;
  if (!w.alive) return `held by a process that has gone (pid ${w.pid}, "${w.command}"); another writer holds it now`;
  return `held by pid ${w.pid}${host} ("${w.command}"), writing for ${since} s`;
}

/**
 * The other processes of this host that have a store (or its write-ahead log) open, with their command
 * lines: one of them holds its lock when no holder recorded itself (a program other than ScaleLab, such
 * as the sqlite3 shell). Read from Linux's /proc, and only the processes this user may look into; none
 * elsewhere.
 */
function processesWithOpen(path: string): { pid: number; command: string }[] {
  if (process.platform !== 'linux' || path === ':memory:') return [];
  let names: Set<string>, pids: string[];
  try {
    const real = realpathSync(path);
    names = new Set([real, `${real}-wal`]);
    pids = readdirSync('/proc').filter((p) => /^[1-9][0-9]*$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  const found: { pid: number; command: string }[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look into
    }
    const opens = fds.some((fd) => {
      try {
        return names.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
    if (!opens) continue;
    let command = '';
    try {
      // One line: an argument may hold newlines (node -e 'a program').
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').replace(/\s+/g, ' ');
    } catch {
      // gone since: its pid is still worth naming
    }
    found.push({ pid: Number(pid), command: command.length > 120 ? `${command.slice(0, 120)}…` : command });
  }
  return found;
}

/** How this process describes itself in the lock-info file. */
export function commandLine(): string {
  const script = basename(process.argv[1] ?? 'node');
  const name = /^(scalelab(\.js)?|run\.[tj]s)$/.test(script) ? 'scalelab' : script;
  const text = [name, ...process.argv.slice(2)].join(' ');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
