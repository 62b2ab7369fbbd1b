/**
 * Every command in the README's ```sh blocks runs as written: in a fresh folder that holds the
 * repository's examples/ (as a clone does), one after another (later commands read what earlier
 * ones wrote: fit.json, plan.json, the store), each through `sh`, with an `npx` on PATH that runs the
 * CLI from sources. Lines continued with `\` are joined. The few lines that cannot run here as
 * written are listed in `exceptions`, each with why and what runs instead; a line that matches no
 * exception must run and exit 0, and an exception that matches no line fails the test (so the list
 * follows the README). Also: examples/inputs/ is what scripts/example-inputs.ts makes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './helpers/cli.js';
import { pythonPath, testTool } from './helpers/tools.js';
import { exampleInputs, inputsDir } from '../scripts/example-inputs.js';

export interface ReadmeCommand {
  /** README line the command starts on. */
  line: number;
  command: string;
}

/** The commands of every ```sh block, continuation lines joined. */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const lines = markdown.split('\n');
  const out: ReadmeCommand[] = [];
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    if (!inBlock) {
      inBlock = lines[i].trim() === '```sh';
      continue;
    }
    if (lines[i].trim() === '```') {
      inBlock = false;
      continue;
    }
    const start = i;
    let command = lines[i];
    while (command.endsWith('\\') && i + 1 < lines.length)
      command = `${command.slice(0, -1).trimEnd()} ${lines[++i].trim()}`;
    if (command.trim()) out.push({ line: start + 1, command: command.trim() });
  }
  assert.equal(inBlock, false, 'a ```sh block is not closed');
  return out;
}

const node = process.execPath;
const fakeTrainer = join(root, 'test/fixtures/fake-trainer.mjs');
const torch = testTool('torch');

interface Exception {
  match: RegExp;
  why: string;
  /** The command line that runs instead. */
  replace?: (command: string) => string;
  /** A check that runs instead (in the commands' folder). Neither: nothing runs. */
  check?: (command: string, dir: string) => Promise<void> | void;
  /** The tool it needs: skipped without it (failed under SCALELAB_REQUIRE_ALL=1). */
  needs?: ReturnType<typeof testTool>;
}

/** Lines that cannot run as written here, why, and what is checked instead. */
const exceptions: Exception[] = [
  {
    match: /^npm install && npx scalelab /,
    why: 'installing is what scripts/check-package.sh checks (CI packs the tarball and installs it into an empty folder); the command after it runs',
    replace: (c) => c.replace(/^npm install && /, ''),
  },
  {
    match: /^npm install && python3 examples\/trainers\/prepare_data\.py/,
    why: "installing is checked by scripts/check-package.sh; the data preparation after it runs (into this folder's examples/trainers/data)",
    replace: (c) => c.replace(/^npm install && /, ''),
  },
  { match: /^npm test$/, why: 'the test suite this test is part of' },
  {
    match: /^npm run bench:extrapolation\b/,
    why: 'the benchmark fits 13 ladders with every procedure and takes minutes; its script must exist',
    check: () => assert.ok(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts['bench:extrapolation']),
  },
  {
    match: /^npx scalelab serve\b/,
    why: 'a server that runs until stopped (and port 8080 may be taken): started on a free port, its page fetched, then stopped',
    check: serveOnce,
  },
  {
    match: /^npx scalelab sweep run .*--command "python3 examples\/trainers\/train\.py /,
    why: 'trains every run of a plan sized for a B200 with PyTorch: the trainer is replaced by test/fixtures/fake-trainer.mjs (same arguments, JSONL metrics), so the sweep, and the study the next commands read, are real; it polls every 0.1 s, not 2',
    replace: (c) => `${c.replace('python3 examples/trainers/train.py', `${node} ${fakeTrainer}`)} --poll 0.1`,
  },
  {
    match: /^python3 examples\/trainers\/train\.py /,
    why: `needs a Python with PyTorch (here ${pythonPath}); 2e6 characters take a minute or two, so it trains 2e4 and evaluates twice on 4,096 (same trainer, same output)`,
    replace: (c) =>
      c.replace(/^python3 /, `${pythonPath} `).replace('--tokens 2e6', '--tokens 2e4 --n-evals 2 --eval-tokens 4096'),
    needs: torch,
  },
  {
    match: /^npx scalelab study run --backend local --study moby-small .*examples\/trainers\/train\.py/,
    why: 'about 10 minutes of real training (examples/studies/moby-small/ holds its result): the trainer is replaced by test/fixtures/fake-trainer.mjs, so every flag and the whole loop run, polling every 0.1 s',
    replace: (c) =>
      c
        .replace('/usr/bin/python3 examples/trainers/train.py', `${node} ${fakeTrainer}`)
        .replace(/\s+#.*$/, ' --poll 0.1'),
  },
];

/** Start `scalelab serve` on a free port, fetch the page, stop it. */
async function serveOnce(command: string, dir: string): Promise<void> {
  const args = command
    .replace(/\s+#.*$/, '')
    .split(/\s+/)
    .slice(2); // after "npx scalelab"
  const child = spawn(node, ['--import', 'tsx', join(root, 'src/cli/run.ts'), ...args, '--port', '0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
        if (m) resolve(m[0]);
      });
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${out}`)));
    });
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /<html/i);
  } finally {
    // A server that exited before listening (no web app built) has fired its 'exit' already: waiting for
    // another would hang the test with no message instead of failing it with the server's own.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    }
  }
}

test('examples/inputs/ holds exactly what scripts/example-inputs.ts makes', () => {
  const made = exampleInputs();
  const shipped = readdirSync(inputsDir)
    .filter((f) => f !== 'README.md')
    .sort();
  assert.deepEqual(shipped, Object.keys(made).sort());
  for (const [name, text] of Object.entries(made))
    assert.equal(
      readFileSync(join(inputsDir, name), 'utf8'),
      text,
      `examples/inputs/${name} differs from what scripts/example-inputs.ts makes: run it and commit`,
    );
  const readme = readFileSync(join(inputsDir, 'README.md'), 'utf8');
  for (const name of Object.keys(made))
    assert.ok(readme.includes(`\`${name}\``), `examples/inputs/README.md does not describe ${name}`);
});

test('readmeCommands joins continuation lines and keeps where each command starts', () => {
  const md =
    'text\n```sh\nnpx scalelab a \\\n    --b 1 \\\n    --c "x y"\nnpx scalelab d   # comment\n```\n```ts\nnot a command\n```\n';
  assert.deepEqual(readmeCommands(md), [
    { line: 3, command: 'npx scalelab a --b 1 --c "x y"' },
    { line: 6, command: 'npx scalelab d   # comment' },
  ]);
});

test('every command block in the README runs as written', { timeout: 900_000 }, async (t) => {
  const commands = readmeCommands(readFileSync(join(root, 'README.md'), 'utf8'));
  assert.ok(commands.length >= 40, `${commands.length} commands found in the README's sh blocks`);

  // A folder like a clone: examples/ (its trainers folder real, so prepared data land here), node_modules.
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-readme-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'examples/trainers'), { recursive: true });
  for (const e of readdirSync(join(root, 'examples')))
    if (e !== 'trainers') symlinkSync(join(root, 'examples', e), join(dir, 'examples', e));
  for (const f of ['train.py', 'prepare_data.py'])
    symlinkSync(join(root, 'examples/trainers', f), join(dir, 'examples/trainers', f));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1" = scalelab ] || { echo "this test's npx runs only scalelab, not $1" >&2; exit 127; }\nshift\nexec '${node}' --import '${import.meta.resolve('tsx')}' '${join(root, 'src/cli/run.ts')}' "$@"\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, SCALELAB_DEBUG: '' };

  const used = new Set<Exception>();
  let ran = 0;
  for (const { line, command } of commands) {
    const exception = exceptions.find((e) => e.match.test(command));
    if (exception) used.add(exception);
    const where = `README.md:${line}: ${command}`;
    if (exception && ((!exception.replace && !exception.check) || exception.needs?.skip)) {
      t.diagnostic(
        `not run: ${where}\n  why: ${exception.why}${exception.needs?.skip ? `; and ${exception.needs.skip}` : ''}`,
      );
      continue;
    }
    exception?.needs?.require();
    const started = Date.now();
    if (exception?.check) {
      await exception.check(command, dir);
    } else {
      const run = exception?.replace ? exception.replace(command) : command;
      if (exception) assert.notEqual(run, command, `${where}: the exception's replacement changed nothing`);
      const r = spawnSync('sh', ['-c', run], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 600_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 << 20,
      });
      const output = `${r.stdout}${r.stderr}`;
      assert.equal(
        r.status,
        0,
        `${where}\nexited ${r.status ?? r.signal}${exception ? `\n(ran: ${run})` : ''}\n${output.slice(-3000)}`,
      );
      assert.doesNotMatch(
        output,
        /internal error|\n\s+at .+:\d+:\d+\)?\n/,
        `${where}: an internal error or a stack trace\n${output.slice(-3000)}`,
      );
      assert.ok(output.trim() || /--out\b/.test(run), `${where}: printed nothing`);
    }
    t.diagnostic(
      `${((Date.now() - started) / 1000).toFixed(1)} s  ${where}${exception ? `\n  instead: ${exception.check ? 'a check' : exception.replace!(command)}\n  why: ${exception.why}` : ''}`,
    );
    ran++;
  }
  const stale = exceptions.filter((e) => !used.has(e));
  assert.deepEqual(
    stale.map((e) => String(e.match)),
    [],
    'exceptions that match no README command: remove them or fix their pattern',
  );
  assert.ok(ran >= commands.length - 3, `ran ${ran} of ${commands.length}`);
  // What the commands wrote is there (a few that later commands read).
  for (const f of ['fit.json', 'loss.svg', 'report.html', 'report.md', 'plan.json', 's1.csv', '.scalelab/runs.db'])
    assert.ok(existsSync(join(dir, f)), `${f} was not written`);
});
