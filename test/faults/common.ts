/** Shared by the fault tests: polling for a condition, the tiny trainer configuration their plans use, a sweep in flight. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { root } from '../helpers/cli.js';
import { RunStore } from '../../src/store/store.js';

/** Poll every 50 ms until `cond` holds; fail after `ms` naming `what` (never a sleep for a guess). */
export async function waitFor(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A planned run's configuration for the fake trainers (seconds to run). */
export const config = (seed: number) => ({
  n_layer: 2,
  d_model: 64,
  n_heads: 1,
  tokens: 3e6,
  batch_tokens: 4096,
  learning_rate: 1e-3,
  seed,
});

/** A sweep plan of IsoFLOP runs of one tiny size, one per seed (config(seed)); returns its path. */
export function writePlan(file: string, seeds: number[]): string {
  const isoflop = seeds.map((seed) => ({
    phase: 'isoflop',
    C: 6 * 98304 * 3e6,
    N: 98304,
    config: config(seed),
    seconds: 1,
  }));
  writeFileSync(file, JSON.stringify({ kind: 'scalelab-sweep-plan', probe: [], isoflop }, null, 2) + '\n');
  return file;
}

/** Planned IsoFLOP runs of the tiny trainer, one per seed (keys k-SEED), for RunStore.plan. */
export const plannedRuns = (seeds: number[]) =>
  seeds.map((seed) => ({
    key: `k-${seed}`,
    phase: 'isoflop',
    config: config(seed),
    N: 98304,
    D: 3e6,
    C: 6 * 98304 * 3e6,
    estimatedSeconds: 1,
  }));

/**
 * A sweep plan of `runs` tiny IsoFLOP runs in a new folder, and the `sweep run` arguments that train them on
 * the local backend with the waiting trainer (each waits for a `go` file in its run folder, and logs its
 * start): the setup of every fault test that acts on a sweep in flight.
 */
export function waitingSweep(
  name: string,
  o: { runs: number; concurrency: number; json?: boolean },
): {
  dir: string;
  db: string;
  runsRoot: string;
  log: string;
  plan: string;
  args: string[];
  runDirs: () => string[];
  go: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), `scalelab-faults-${name}-`));
  const db = join(dir, 'runs.db');
  const runsRoot = join(dir, 'runs');
  const log = join(dir, 'starts.log');
  const plan = join(dir, 'plan.json');
  writePlan(
    plan,
    Array.from({ length: o.runs }, (_, seed) => seed),
  );
  const waiting = JSON.stringify(fileURLToPath(new URL('../fixtures/waiting-trainer.mjs', import.meta.url)));
  const command = `${JSON.stringify(process.execPath)} ${waiting} --wait --log ${JSON.stringify(log)} --tokens {tokens} --out {run_dir}`;
  const args = ['sweep', 'run', plan, '--study', 's', '--db', db, '--backend', 'local'].concat(
    ['--concurrency', String(o.concurrency), '--runs-dir', runsRoot, '--poll', '0.05', '--command', command],
    o.json ? ['--json'] : [],
  );
  const runDirs = () =>
    existsSync(join(runsRoot, 's')) ? readdirSync(join(runsRoot, 's')).map((d) => join(runsRoot, 's', d)) : [];
  const go = () => runDirs().forEach((d) => writeFileSync(join(d, 'go'), ''));
  return { dir, db, runsRoot, log, plan, args, runDirs, go };
}

/**
 * The CLI as a child process (from source), its output gathered as it comes, killed after `ms` so a hang
 * fails; `done` is its exit code or the signal that ended it, and when.
 */
export function spawnCli(args: string[], env: Record<string, string> = {}, ms = 120_000) {
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}src/cli/run.ts`, ...args], {
    cwd: root,
    env: { ...process.env, SCALELAB_DEBUG: '', ...env },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, at: Date.now() });
    }),
  );
  return { child, out, done };
}

/** Whether SQLite finds the store file whole (`PRAGMA integrity_check`), opened read-only. */
export function integrityOk(path: string): boolean {
  const raw = new Database(path, { readonly: true });
  try {
    return raw.pragma('integrity_check', { simple: true }) === 'ok';
  } finally {
    raw.close();
  }
}

/** A study's task metrics in the store, counted per run. */
export function metricsPerRun(path: string, study: string): Record<string, number> {
  const s = RunStore.open(path);
  try {
    const n: Record<string, number> = {};
    for (const m of s.taskMetrics(study)) n[m.run] = (n[m.run] ?? 0) + 1;
    return n;
  } finally {
    s.close();
  }
}

/**
 * The CLI run by a user to whom a file of mode 600 or a folder of mode 555 is closed: this one, or, as
 * root (who reads and writes anything), "nobody" — where that user can reach the checkout and its
 * node_modules (a clone inside a private folder cannot be), else a reason to skip. `scratch` gets a
 * folder that user may write to, for tsx's cache.
 */
export function cliAsUserDenied(
  scratch: string,
): { cli: (args: string[]) => { code: number; stdout: string; stderr: string } } | { skip: string } {
  if (process.platform === 'win32') return { skip: 'no POSIX permissions here' };
  const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if (process.getuid?.() === 0) {
    const probe = spawnSync(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: root, ...asOther });
    if (probe.status !== 0)
      return { skip: 'run as root, and the checkout is not readable by another user here: no user to deny' };
  }
  const tmp = join(scratch, 'tsx-scratch');
  mkdirSync(tmp, { recursive: true });
  chmodSync(tmp, 0o777);
  return {
    cli: (args) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', `${root}src/cli/run.ts`, ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SCALELAB_DEBUG: '', TMPDIR: tmp },
        ...asOther,
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
