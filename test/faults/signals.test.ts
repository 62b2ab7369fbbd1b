// Fault injection, fourth pass ("nothing lost under faults"): Ctrl-C (SIGINT) and SIGTERM during long
// commands. Each stops at once with one line saying what it left (exit 130, or 143), no stack trace:
// no partial or temporary output file, an import's files stored whole or not at all (and the line says
// which), a sweep's runs in flight left to finish and collected by the next sweep, nothing trained twice.
import { test, type TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, root } from '../helpers/cli.js';
import { integrityOk, metricsPerRun, spawnCli as cli, waitFor, waitingSweep } from './common.js';
import { RunStore } from '../../src/store/store.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-signal-${name}-`));

/** CPU seconds a process has used (user + system), from /proc: whether it is at work. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    // After "pid (comm) ": state is field 3, utime 14, stime 15; clock ticks of 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Whether a process still runs (a zombie, whose parent has not reaped it, counts as ended). */
function running(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// Each command, left alone, works for minutes; its --out names a folder that does not exist yet, which
// the command creates when it checks its flags: once there, and the command has used a second of CPU
// since, it is at work. fit and report await their worker threads (a 20,000-replicate bootstrap), so
// the signal is handled: one line, exit 130 (143). curve-law fit computes in the main thread, a fit per
// model size (18 here) and then each replicate, giving the event loop a turn between them: the same
// (before: no listener could run while it computed, and Node's default ended it silently).
const long: {
  name: string;
  args: (out: string) => string[];
  out: string;
  signal: NodeJS.Signals;
  json?: boolean;
}[] = [
  {
    name: 'fit --bootstrap 20000 (worker threads)',
    args: (out) => ['fit', 'examples/chinchilla.csv', '--bootstrap', '20000', '--out', out],
    out: 'fit.json',
    signal: 'SIGINT',
  },
  {
    name: 'fit --bootstrap 20000 --json, SIGTERM',
    args: (out) => ['fit', 'examples/chinchilla.csv', '--bootstrap', '20000', '--out', out, '--json'],
    out: 'fit.json',
    signal: 'SIGTERM',
    json: true,
  },
  {
    name: 'report --bootstrap 20000',
    args: (out) => ['report', 'examples/chinchilla.csv', '--bootstrap', '20000', '--out', out],
    out: 'report.html',
    signal: 'SIGINT',
  },
  {
    name: 'curve-law fit --bootstrap 1000 (main thread)',
    args: (out) => [
      'curve-law',
      'fit',
      'examples/curve-laws/gemstones-wsd/curves.csv',
      '--schedules',
      'examples/curve-laws/gemstones-wsd/schedules.json',
      '--bootstrap',
      '1000',
      '--out',
      out,
    ],
    out: 'curve-fit.json',
    signal: 'SIGINT',
  },
  {
    // Its fit takes a fraction of a second: the signal comes among the replicates.
    name: 'curve-law fit --bootstrap 20000 --json, SIGTERM in its bootstrap',
    args: (out) => [
      'curve-law',
      'fit',
      'examples/studies/moby-curves/runs/d32-constant',
      'examples/studies/moby-curves/runs/d32-wsd-0.2',
      '--bootstrap',
      '20000',
      '--out',
      out,
      '--json',
    ],
    out: 'curve-fit.json',
    signal: 'SIGTERM',
    json: true,
  },
  {
    // 8 tasks, each fitted and bootstrapped on the main thread (seconds each): stopped between two replicates.
    name: 'downstream predict --bootstrap 100 (main thread, a replicate at a time)',
    args: (out) => [
      'downstream',
      'predict',
      'examples/downstream/olmo-ladder/ladder.json',
      '--bootstrap',
      '100',
      '--out',
      out,
    ],
    out: 'predictions.json',
    signal: 'SIGINT',
  },
  {
    // 8 fits (2 procedures at 4 cutoffs), each with its bootstrap on the main thread: stopped between two.
    name: 'backtest --bootstrap 200 (main thread, a fit at a time)',
    args: (out) => ['backtest', 'examples/chinchilla.csv', '--bootstrap', '200', '--out', out],
    out: 'backtest.json',
    signal: 'SIGINT',
  },
];

for (const c of long)
  test(`${c.signal} during ${c.name}: it stops at once, exit ${c.signal === 'SIGINT' ? 130 : 143}, with one line, and leaves no output file, whole or partial`, async (t) => {
    const dir = tmp('out');
    const folder = join(dir, 'new');
    const out = join(folder, c.out);
    const p = cli(c.args(out));
    t.after(() => p.child.kill('SIGKILL'));
    await waitFor(
      'the command to check its --out (making its folder)',
      () => existsSync(folder) || p.child.exitCode !== null,
    );
    const atWork = cpuSeconds(p.child.pid!) + 1;
    await waitFor('the command to be at work', () => cpuSeconds(p.child.pid!) >= atWork || p.child.exitCode !== null);
    assert.equal(p.child.exitCode, null, `it was still working when signalled: ${p.out.stderr}`);
    const sent = Date.now();
    p.child.kill(c.signal);
    const end = await p.done;
    // Prompt: the work left would take minutes; the exit comes within seconds (a busy machine's margin).
    assert.ok(end.at - sent < 15_000, `exited ${end.at - sent} ms after the signal`);
    assert.equal(end.code, c.signal === 'SIGINT' ? 130 : 143, p.out.stderr);
    const said = `interrupted (${c.signal === 'SIGINT' ? 'SIGINT, Ctrl-C' : 'SIGTERM'}): ${out} not written`;
    if (c.json) {
      assert.deepEqual(JSON.parse(p.out.stdout), {
        error: { type: 'Interrupted', signal: c.signal, message: said },
      });
      assert.equal(p.out.stderr, '');
    } else {
      assert.equal(p.out.stderr, `scalelab: ${said}\n`);
      assert.equal(p.out.stdout, '');
    }
    assert.ok(noStackTrace(p.out.stderr), p.out.stderr);
    assert.deepEqual(readdirSync(folder), [], 'no output file and no temporary file');
  });

/** Whether a process catches a signal (its bit in /proc's SigCgt mask): whether its listener is installed. */
function catches(pid: number, signal: 'SIGHUP'): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    const bit = { SIGHUP: 1 }[signal] - 1;
    return mask !== undefined && (BigInt(`0x${mask}`) & (1n << BigInt(bit))) !== 0n;
  } catch {
    return false;
  }
}

/** Training curves of 6 model sizes on a Chinchilla-like law (checkpoints every 5 % of 20 tokens per parameter). */
function trainingCurves(): string {
  const file = join(tmp('curves'), 'curves.csv');
  const rows = [1e7, 3e7, 1e8, 3e8, 1e9, 3e9].flatMap((N) =>
    Array.from({ length: 20 }, (_, k) => {
      const D = 20 * N * ((k + 1) / 20);
      return `n${N},${N},${D},${(1.7 + 400 / N ** 0.34 + 410 / D ** 0.28).toFixed(5)}`;
    }),
  );
  writeFileSync(file, `run,N,D,loss\n${rows.join('\n')}\n`);
  return file;
}

// Commands that print their result on stdout (no --out) and compute for minutes on the main thread, in
// steps with turns for the event loop between them, or on worker threads (frontier's approach 3). When
// the command handles the signals it installs its listeners, SIGHUP's among them (Node catches no SIGHUP
// of its own): once its mask says so, and the command has used a second of CPU since, it is at work.
// Before: Node's default ended each silently.
const computing: { name: string; args: string[]; signal: NodeJS.Signals; json?: boolean }[] = [
  {
    name: 'compare --bootstrap 100000',
    args: ['compare', 'examples/inputs/archs.csv', '--group-column', 'arch', '--bootstrap', '100000'],
    signal: 'SIGINT',
  },
  {
    name: 'compare --bootstrap 100000 --json, SIGTERM',
    args: ['compare', 'examples/inputs/archs.csv', '--group-column', 'arch', '--bootstrap', '100000', '--json'],
    signal: 'SIGTERM',
    json: true,
  },
  {
    name: 'frontier --approach 2 --bootstrap 100000 (main thread)',
    args: ['frontier', 'examples/chinchilla.csv', '--approach', '2', '--bootstrap', '100000'],
    signal: 'SIGINT',
  },
  {
    name: 'frontier --approach 1 --bootstrap 100000 (main thread)',
    args: ['frontier', trainingCurves(), '--approach', '1', '--bootstrap', '100000'],
    signal: 'SIGINT',
  },
  {
    name: 'frontier --approach 3 --bootstrap 100000 --json (worker threads), SIGTERM',
    args: ['frontier', 'examples/chinchilla.csv', '--approach', '3', '--bootstrap', '100000', '--json'],
    signal: 'SIGTERM',
    json: true,
  },
  {
    name: 'plan --sweep --sweep-bootstrap 10000000',
    args: ['plan', '--C', '1e21', '--sweep', 'examples/inputs/sweep.csv', '--sweep-bootstrap', '10000000'],
    signal: 'SIGINT',
  },
  {
    name: 'hparams --sweep --bootstrap 10000000',
    args: ['hparams', '--C', '1e21', '--sweep', 'examples/inputs/sweep.csv', '--bootstrap', '10000000'],
    signal: 'SIGINT',
  },
  {
    name: 'bcrit FILE --bootstrap 2000000',
    args: ['bcrit', 'examples/inputs/curves.csv', '--bootstrap', '2000000'],
    signal: 'SIGINT',
  },
  {
    name: 'mup transfer --bootstrap 10000000 --json, SIGTERM',
    args: ['mup', 'transfer', 'examples/inputs/lr-sweeps.csv', '--bootstrap', '10000000', '--json'],
    signal: 'SIGTERM',
    json: true,
  },
  {
    // One task, its fits and 20,000 bootstrap replicates on the main thread (minutes): stopped within a replicate.
    name: 'plan --target-accuracy of one task, --downstream-bootstrap 20000 (a replicate at a time)',
    args: [
      'plan',
      '--target-accuracy',
      'hellaswag_val_5shot=0.85',
      '--downstream',
      'examples/downstream/olmo-ladder/ladder.json',
      '--downstream-bootstrap',
      '20000',
    ],
    signal: 'SIGINT',
  },
];

for (const c of computing)
  test(`${c.signal} during ${c.name}: it stops at once, exit ${c.signal === 'SIGINT' ? 130 : 143}, with one line and no result`, async (t) => {
    const p = cli(c.args);
    t.after(() => p.child.kill('SIGKILL'));
    const pid = p.child.pid!;
    await waitFor('the command to handle the signals', () => catches(pid, 'SIGHUP') || p.child.exitCode !== null);
    const atWork = cpuSeconds(pid) + 1;
    await waitFor('the command to be at work', () => cpuSeconds(pid) >= atWork || p.child.exitCode !== null);
    assert.equal(p.child.exitCode, null, `it was still working when signalled: ${p.out.stderr}`);
    const sent = Date.now();
    p.child.kill(c.signal);
    const end = await p.done;
    assert.ok(end.at - sent < 15_000, `exited ${end.at - sent} ms after the signal`);
    assert.equal(end.code, c.signal === 'SIGINT' ? 130 : 143, p.out.stderr);
    const said = `interrupted (${c.signal === 'SIGINT' ? 'SIGINT, Ctrl-C' : 'SIGTERM'})`;
    if (c.json) {
      assert.deepEqual(JSON.parse(p.out.stdout), { error: { type: 'Interrupted', signal: c.signal, message: said } });
      assert.equal(p.out.stderr, '');
    } else {
      assert.equal(p.out.stderr, `scalelab: ${said}\n`);
      assert.equal(p.out.stdout, '', 'no result, whole or part');
    }
    assert.ok(!running(pid), 'the process (and its worker threads) ended');
  });

test('Ctrl-C during a downstream import of several files: the file being imported is finished, the next ones are not begun, and the line says which landed', async (t) => {
  const dir = tmp('import');
  const db = join(dir, 'runs.db');
  const tasks = ['arc_easy', 'piqa', 'hellaswag'];
  const longCsv = (run: string, rows: number) => {
    const lines = Array.from({ length: rows }, (_, i) => {
      const k = Math.floor(i / tasks.length) + 1;
      return `${run},1e8,${k}e9,${(3.5 - k / 1000).toFixed(4)},${tasks[i % tasks.length]},acc,${(0.3 + k / 1000).toFixed(4)}`;
    });
    const file = join(dir, `${run}.csv`);
    writeFileSync(file, `run,N,tokens,val_loss,task,metric,value\n${lines.join('\n')}\n`);
    return file;
  };
  // The hook pauses an import at its 100th row of a file, inside that file's transaction, until the test
  // lets it go on: only b has that many. The signal comes then, and is handled when b's transaction has committed.
  const files = [longCsv('a', 6), longCsv('b', 300), longCsv('c', 9), longCsv('d', 12)];
  const [a, b, c, d] = files;
  const { p, end } = await signalledInFile(
    t,
    ['downstream', 'import', ...files, '--study', 'many', '--db', db],
    'SIGINT',
  );
  assert.equal(end.code, 130, p.out.stderr);
  assert.equal(
    p.out.stdout,
    `${a}: 6 metrics added, 0 already in the store (study "many", ${db})\n` +
      `${b}: 300 metrics added, 0 already in the store (study "many", ${db})\n`,
  );
  assert.equal(
    p.out.stderr,
    'scalelab-test: import paused\n' +
      `scalelab: interrupted (SIGINT, Ctrl-C): 2 of 4 files imported whole into ${db} (${a}, ${b}), the others not (${c}, ${d}); importing them all again adds only what is missing\n`,
  );
  assert.ok(integrityOk(db), 'integrity_check ok');
  const perRun = () => metricsPerRun(db, 'many');
  assert.deepEqual(perRun(), { a: 6, b: 300 }, 'the files said to be imported, whole; nothing of the others');
  const again = cli(['downstream', 'import', ...files, '--study', 'many', '--db', db, '--json']);
  assert.equal((await again.done).code, 0, again.out.stderr);
  assert.deepEqual(
    JSON.parse(again.out.stdout).files.map((f: { added: number; skipped: number }) => [f.added, f.skipped]),
    [
      [0, 6],
      [0, 300],
      [9, 0],
      [12, 0],
    ],
  );
  assert.deepEqual(perRun(), { a: 6, b: 300, c: 9, d: 12 });
});

/**
 * An import of several files, paused at its 100th row of a file (only the 300-row file "b" has that many),
 * signalled there, then let go on: the process and how it ended. The pause lasts until the test releases
 * it (not a second that a loaded machine could outrun), so the signal always comes inside b's transaction.
 */
async function signalledInFile(t: TestContext, args: string[], signal: NodeJS.Signals) {
  const gate = mkdtempSync(join(tmpdir(), 'scalelab-faults-signal-gate-'));
  t.after(() => rmSync(gate, { recursive: true, force: true }));
  const p = cli(args, { SCALELAB_TEST_IMPORT_PAUSE_AFTER: '100', SCALELAB_TEST_IMPORT_PAUSE: gate });
  t.after(() => p.child.kill('SIGKILL'));
  const paused = join(gate, `${p.child.pid}.paused`);
  await waitFor('the import of b to pause', () => existsSync(paused) || p.child.exitCode !== null);
  p.child.kill(signal);
  writeFileSync(join(gate, `${p.child.pid}.go`), '');
  return { p, end: await p.done };
}

test('SIGTERM during a runs import of several files: the same, whole files only, and the rerun adds the rest once', async (t) => {
  const dir = tmp('runs-import');
  const db = join(dir, 'runs.db');
  const csv = (name: string, rows: number) => {
    const file = join(dir, `${name}.csv`);
    const lines = Array.from({ length: rows }, (_, i) => `${name}-${i},${1e8 + i},2e9,3.1`);
    writeFileSync(file, `run,N,D,loss\n${lines.join('\n')}\n`);
    return file;
  };
  const files = [csv('a', 6), csv('b', 300), csv('c', 9)];
  const [a, b, c] = files;
  const { p, end } = await signalledInFile(t, ['runs', 'import', ...files, '--db', db], 'SIGTERM');
  assert.equal(end.code, 143, p.out.stderr);
  assert.equal(
    p.out.stderr,
    'scalelab-test: import paused\n' +
      `scalelab: interrupted (SIGTERM): 2 of 3 files imported whole into ${db} (${a}, ${b}), the others not (${c}); importing them all again adds only what is missing\n`,
  );
  const count = () => {
    const s = RunStore.open(db);
    try {
      return s.runs().length;
    } finally {
      s.close();
    }
  };
  assert.equal(count(), 306, 'a and b whole, nothing of c');
  const again = cli(['runs', 'import', ...files, '--db', db, '--json']);
  assert.equal((await again.done).code, 0, again.out.stderr);
  assert.deepEqual(
    JSON.parse(again.out.stdout).files.map((f: { runs: number; skipped: number }) => [f.runs, f.skipped]),
    [
      [0, 6],
      [0, 300],
      [9, 0],
    ],
  );
  assert.equal(count(), 315);
});

test('Ctrl-C during the only file of a runs import, or of a downstream import: heard once it has committed, exit 130, saying the import had finished (review14: exit 0, silent)', async (t) => {
  const dir = tmp('last-file');
  const db = join(dir, 'runs.db');
  const runs = join(dir, 'b.csv');
  writeFileSync(
    runs,
    `run,N,D,loss\n${Array.from({ length: 300 }, (_, i) => `b-${i},${1e8 + i},2e9,3.1`).join('\n')}\n`,
  );
  const metrics = join(dir, 'm.csv');
  writeFileSync(
    metrics,
    `run,N,tokens,task,metric,value\n${Array.from({ length: 300 }, (_, i) => `m,1e8,${i + 1}e9,arc_easy,acc,0.3`).join('\n')}\n`,
  );
  for (const [args, stored] of [
    [['runs', 'import', runs, '--db', db], `${runs}: 300 runs and 300 checkpoints added`],
    [['downstream', 'import', metrics, '--study', 'm', '--db', db], `${metrics}: 300 metrics added`],
  ] as const) {
    const { p, end } = await signalledInFile(t, [...args], 'SIGINT');
    assert.equal(end.code, 130, p.out.stderr);
    assert.ok(p.out.stdout.startsWith(stored), p.out.stdout);
    assert.equal(
      p.out.stderr,
      'scalelab-test: import paused\n' +
        `scalelab: interrupted (SIGINT, Ctrl-C): the import had finished before it: ${args[2]} imported whole into ${db}\n`,
    );
  }
  assert.ok(integrityOk(db), 'integrity_check ok');
  assert.deepEqual(metricsPerRun(db, 'm'), { m: 300 });
});

test('Ctrl-C during a sweep (local backend): it stops at once, saying its runs in flight go on; they finish on their own, and the sweep run again collects them and trains each run once', async (t) => {
  // Concurrency 2 of 3 runs: two in flight, one not yet submitted when the signal comes.
  const { dir, db, log, args, runDirs } = waitingSweep('signal-sweep', { runs: 3, concurrency: 2 });
  const trainers = () =>
    runDirs()
      .filter((d) => existsSync(join(d, 'pids.json')))
      .map((d) => (JSON.parse(readFileSync(join(d, 'pids.json'), 'utf8')) as { trainer: number }).trainer);
  const first = cli(args);
  t.after(() => {
    first.child.kill('SIGKILL');
    for (const d of runDirs()) writeFileSync(join(d, 'go'), '');
  });
  await waitFor('both trainers to start', () => trainers().length === 2 || first.child.exitCode !== null);
  // And the store to say so: a run whose trainer started but whose submit is not yet recorded is said as
  // caught while being submitted, another line.
  const runningInStore = () => {
    if (!existsSync(db)) return 0;
    const store = RunStore.open(db);
    try {
      return store.runs({ study: 's' }).filter((r) => r.status === 'running').length;
    } finally {
      store.close();
    }
  };
  await waitFor('the store to record both as running', () => runningInStore() === 2 || first.child.exitCode !== null);
  first.child.kill('SIGINT');
  const end = await first.done;
  assert.equal(end.code, 130, first.out.stderr);
  assert.equal(
    first.out.stderr,
    `scalelab: interrupted (SIGINT, Ctrl-C): 2 runs in flight go on (each in its run folder); the same command again collects their results and resumes study "s" without training anything twice ("scalelab sweep cancel --study s" ends them)\n`,
  );
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('-sweep-')),
    [],
    "the sweep's claim on the study is released",
  );
  const inFlight = trainers();
  assert.ok(inFlight.every(running), 'the runs in flight go on without the sweep');
  // They finish while no sweep runs; the next sweep collects them and trains only the third run.
  for (const d of runDirs()) writeFileSync(join(d, 'go'), '');
  await waitFor('the two trainers to finish', () => !inFlight.some(running));
  const second = cli([...args, '--json']);
  t.after(() => second.child.kill('SIGKILL'));
  await waitFor('the third trainer to start', () => trainers().length === 3 || second.child.exitCode !== null);
  for (const d of runDirs()) writeFileSync(join(d, 'go'), '');
  const resumed = await second.done;
  assert.equal(resumed.code, 0, second.out.stderr);
  const summary = JSON.parse(second.out.stdout);
  assert.deepEqual([summary.done, summary.failed, summary.total], [3, 0, 3]);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 3, 'each run was trained once');
  const store = RunStore.open(db);
  try {
    assert.deepEqual(
      store.runs({ study: 's' }).map((r) => [r.status, store.checkpoints(r.id).length]),
      [
        ['completed', 3],
        ['completed', 3],
        ['completed', 3],
      ],
    );
  } finally {
    store.close();
  }
  assert.ok(!trainers().some(running), 'no trainer left running');
});

test('a signal after the result was printed leaves it one whole JSON document and the exit as it was; one during awaited work is not lost', () => {
  const fixture = fileURLToPath(new URL('../fixtures/late-signal.mts', import.meta.url));
  const run = (mode: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', fixture, mode], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const late = run('late');
  assert.equal(late.status, 0, late.stderr);
  assert.deepEqual(JSON.parse(late.stdout), { result: 42 });
  assert.equal(late.stderr, 'scalelab: interrupted (SIGINT) after the command had finished: its output stands\n');
  // Once the command has ended, before the process exits (its handles closing): said, and the exit stands.
  const afterEnd = run('after-end');
  assert.equal(afterEnd.status, 0, `${afterEnd.signal ?? ''} ${afterEnd.stderr}`);
  assert.deepEqual(JSON.parse(afterEnd.stdout), { result: 42 });
  assert.equal(afterEnd.stderr, 'scalelab: interrupted (SIGINT) after the command had finished: its output stands\n');
  const during = run('interruptible');
  assert.equal(during.status, 130, during.stderr);
  assert.equal(JSON.parse(during.stdout).error.type, 'Interrupted');
});
