// The reference trainer (examples/trainers/train.py) through the local backend: two tiny runs
// complete and their metrics land in the store. Needs PyTorch (Debian's python3-torch, installed by
// .ci/run): without it the test is skipped with the command that installs it (test/helpers/tools.ts);
// SCALELAB_SKIP_TORCH=1 skips it on purpose, SCALELAB_REQUIRE_ALL=1 (CI) fails it instead.
// SCALELAB_PYTHON names another Python (another PyTorch): scripts/check-current-torch.sh runs this
// test on Debian trixie's PyTorch 2.x that way.
// SCALELAB_TRAINER_DEVICE=cuda trains on the GPU (scripts/device-check.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunStore } from '../src/store/store.js';
import { runSweep } from '../src/experiments/runner.js';
import { localBackend } from '../src/experiments/backends/local.js';
import { pythonPath as python, testTool } from './helpers/tools.js';

const torchTool = testTool('torch');
const skip = torchTool.skip;
const device = process.env.SCALELAB_TRAINER_DEVICE || 'cpu';
const trainers = fileURLToPath(new URL('../examples/trainers/', import.meta.url));

// Needs only Python: a torch that cannot be imported is put first on the path, so the test runs (and
// asserts) with or without a real PyTorch installed.
test(
  'train.py without PyTorch says in one line what to install, not a traceback',
  { skip: existsSync(python) ? false : `no Python at ${python}` },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'scalelab-notorch-'));
    mkdirSync(join(dir, 'torch'));
    writeFileSync(join(dir, 'torch', '__init__.py'), 'raise ModuleNotFoundError("No module named \'torch\'")\n');
    const r = spawnSync(
      python,
      [join(trainers, 'train.py'), '--layers', '1', '--d-model', '8', '--tokens', '1e3', '--out', join(dir, 'run')],
      { encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir } },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /Traceback/, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^train\.py: PyTorch is not installed for .*No module named 'torch'.*apt-get install python3-torch/,
    );
  },
);

test(
  'two tiny training runs through the local backend complete and their metrics land in the store',
  { skip, timeout: 300_000 },
  async (t) => {
    torchTool.require();
    const dir = mkdtempSync(join(tmpdir(), 'scalelab-trainer-'));
    const data = join(dir, 'moby');
    const prepared = JSON.parse(execFileSync(python, [join(trainers, 'prepare_data.py'), data], { encoding: 'utf8' }));
    assert.ok(prepared.characters > 1e6, 'the corpus is Moby-Dick');
    const store = RunStore.open(join(dir, 'runs.db'));
    const config = (layers: number) => ({
      n_layer: layers,
      d_model: 32,
      n_heads: 1,
      tokens: 3e4,
      batch_tokens: 1024,
      learning_rate: 3e-3,
      parametrization: 'sp',
      n_evals: 3,
      seed: 0,
    });
    store.plan('smoke', [
      {
        key: 'a',
        phase: 'isoflop',
        config: config(1),
        N: 12 * 32 * 32,
        D: 3e4,
        C: 6 * 12288 * 3e4,
        estimatedSeconds: 5,
      },
      {
        key: 'b',
        phase: 'isoflop',
        config: config(2),
        N: 24 * 32 * 32,
        D: 3e4,
        C: 6 * 24576 * 3e4,
        estimatedSeconds: 5,
      },
    ]);
    const command = `${python} ${join(trainers, 'train.py')} --layers {n_layer} --d-model {d_model} --heads {n_heads} --tokens {tokens} --batch-tokens {batch_tokens} --lr {lr} --parametrization {parametrization} --seed {seed} --n-evals {n_evals} --context 32 --eval-tokens 4096 --threads 1 --device ${device} --data ${data} --out {run_dir}`;
    const p = await runSweep(store, 'smoke', localBackend({ command, root: join(dir, 'runs'), concurrency: 2 }), {
      pollMs: 300,
    });
    assert.equal(
      p.done,
      2,
      `done ${p.done}, failed ${p.failed}: ${store
        .runs({ study: 'smoke' })
        .map((r) => r.reason)
        .join('; ')}`,
    );
    for (const r of store.runs({ study: 'smoke' })) {
      const cps = store.checkpoints(r.id);
      assert.equal(cps.length, 3);
      assert.ok(
        cps.every((c) => c.loss > 0.5 && c.loss < Math.log(93) + 0.5),
        `losses in nats per character: ${cps.map((c) => c.loss)}`,
      );
      assert.ok(cps[2].loss < cps[0].loss, 'the loss falls during training');
      assert.equal(r.loss, cps[2].loss);
      // The run keeps its schedule and each checkpoint its learning rate (curve laws read them).
      assert.deepEqual([r.schedule?.kind, r.schedule?.steps], ['cosine', 29]);
      assert.ok(
        cps.every((c) => c.lr! > 0 && c.lr! <= 3e-3),
        `learning rates ${cps.map((c) => c.lr)}`,
      );
    }
    // Kaplan's N counted from the model: per layer 12·d² + 13·d (biases, norms) with d_ff = 4d, plus the final norm.
    const counts = readdirSync(join(dir, 'runs'), { recursive: true })
      .filter((f) => String(f).endsWith('metrics.jsonl'))
      .map((f) => JSON.parse(readFileSync(join(dir, 'runs', String(f)), 'utf8').split('\n')[0]).params_nonembedding)
      .sort((a, b) => a - b);
    assert.deepEqual(
      counts,
      [1, 2].map((L) => L * (12 * 32 * 32 + 13 * 32) + 2 * 32),
    );
    // Each run ended with the trainer's own summary, naming the PyTorch it ran on: the interpreter's.
    const torch = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const summaries = readdirSync(join(dir, 'runs'), { recursive: true })
      .filter((f) => String(f).endsWith('stderr.log'))
      .map((f) =>
        JSON.parse(
          readFileSync(join(dir, 'runs', String(f)), 'utf8')
            .trim()
            .split('\n')
            .at(-1)!,
        ),
      );
    assert.equal(summaries.length, 2);
    for (const s of summaries) assert.deepEqual([s.done, s.device, s.torch], [true, device, torch]);
    // Progress goes to stderr, one line per evaluation; stdout stays empty for JSON (the runner falls back to it for metrics).
    for (const f of readdirSync(join(dir, 'runs'), { recursive: true }).map(String)) {
      if (f.endsWith('stderr.log'))
        assert.equal(
          readFileSync(join(dir, 'runs', f), 'utf8').match(/^train\.py: step \d+\/\d+ .*val \d/gm)?.length,
          3,
          f,
        );
      if (f.endsWith('stdout.log')) assert.equal(readFileSync(join(dir, 'runs', f), 'utf8'), '', f);
    }
    t.diagnostic(`PyTorch ${torch} on ${device}`);
    store.close();
  },
);

test(
  'the trainer follows a schedule, saves checkpoints and starts a cooldown branch from one',
  { skip, timeout: 300_000 },
  () => {
    torchTool.require();
    const dir = mkdtempSync(join(tmpdir(), 'scalelab-trainer-wsd-'));
    const data = join(dir, 'moby');
    execFileSync(python, [join(trainers, 'prepare_data.py'), data], { encoding: 'utf8' });
    const train = (out: string, extra: string[]) =>
      execFileSync(
        python,
        [
          join(trainers, 'train.py'),
          '--layers',
          '1',
          '--d-model',
          '32',
          '--heads',
          '1',
          '--tokens',
          '40960',
          '--batch-tokens',
          '1024',
          '--context',
          '32',
          '--n-evals',
          '4',
          '--eval-tokens',
          '4096',
          '--threads',
          '1',
          '--device',
          device,
          '--data',
          data,
          '--quiet',
          '--out',
          join(dir, out),
          ...extra,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
    const metrics = (out: string) =>
      readFileSync(join(dir, out, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    // 40 steps: a constant-LR trunk saving a checkpoint after step 30, a WSD run from scratch decaying over the last 10, and the same WSD run as a branch.
    train('trunk', ['--schedule', 'constant', '--save-at', '30']);
    train('wsd', ['--schedule', 'wsd', '--decay-frac', '0.25']);
    train('branch', ['--schedule', 'wsd', '--decay-frac', '0.25', '--resume', join(dir, 'trunk', 'ckpt-30.pt')]);
    const [trunk, wsd, branch] = [metrics('trunk'), metrics('wsd'), metrics('branch')];
    assert.deepEqual(
      trunk.map((m) => m.step),
      [10, 20, 30, 40],
    );
    assert.deepEqual(trunk[0].schedule, { kind: 'constant', peakLr: 3e-3, steps: 40, warmupSteps: 2 });
    assert.deepEqual(wsd[0].schedule, {
      kind: 'wsd',
      peakLr: 3e-3,
      steps: 40,
      warmupSteps: 2,
      minLrFrac: 0.1,
      decaySteps: 10,
      decayShape: 'linear',
    });
    assert.ok(Math.abs(wsd[3].lr - 3e-4) < 1e-12, `the last step's learning rate is 10 % of the peak: ${wsd[3].lr}`);
    // The branch carries the trunk's first three evaluations and continues it: the same run as the WSD run from scratch.
    assert.deepEqual(
      branch.slice(0, 3).map((m) => m.val_loss),
      trunk.slice(0, 3).map((m) => m.val_loss),
    );
    assert.ok(
      Math.abs(branch[3].val_loss - wsd[3].val_loss) < 1e-6,
      `branch ${branch[3].val_loss}, from scratch ${wsd[3].val_loss}`,
    );
    // A branch whose schedule disagrees with the trunk's before the checkpoint is refused.
    assert.throws(
      () => train('bad', ['--schedule', 'wsd', '--decay-frac', '0.5', '--resume', join(dir, 'trunk', 'ckpt-30.pt')]),
      (e: { stderr?: string }) => /schedule differs from the checkpoint's from step 20/.test(String(e.stderr)),
    );
  },
);
