// Rebuilds examples/downstream/gemstones/ (runs/*.csv and ladder.json) from the Gemstones repository
// (github.com/mcleish7/gemstone-scaling-laws). A one-off; PROVENANCE.md says what it does and why.
//
// Needs: git, Node 20, and a Parquet reader that is NOT a dependency of this project: install
// hyparquet outside the repository and point HYPARQUET at it, e.g.
//   mkdir /tmp/pq && cd /tmp/pq && npm init -y && npm i hyparquet
//   HYPARQUET=/tmp/pq/node_modules/hyparquet/src/index.js \
//     node examples/downstream/gemstones/extract.mjs /path/to/gemstone-scaling-laws/.git [commit]
// The repository may be bare (no work tree): files are read with `git cat-file`. Reads 725 MB of
// per-example task losses through one `git cat-file --batch`; about 6 s on one core here.
import { spawnSync, spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [gitDir, commit = 'HEAD'] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: HYPARQUET=<hyparquet index.js> node extract.mjs <git dir of gemstone-scaling-laws> [commit]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const hyparquetPath = process.env.HYPARQUET;
if (!hyparquetPath) {
  console.error('set HYPARQUET to hyparquet’s src/index.js (installed outside this repository; see the header)');
  process.exit(2);
}
const { parquetReadObjects } = await import(pathToFileURL(hyparquetPath).href);

const git = (...args) => {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const sha = git('rev-parse', commit).toString().trim();

// Tasks: the accuracy column of light_eval_df.parquet, the losses_<name>.json of bhagia_task_losses,
// the name used here, and the random-guess accuracy (answer choices per question).
const TASKS = [
  { column: 'arc:challenge', loss: 'arcc', task: 'arc_challenge', chance: 0.25 },
  { column: 'arc:easy', loss: 'arce', task: 'arc_easy', chance: 0.25 },
  { column: 'commonsense_qa', loss: 'coqa', task: 'commonsense_qa', chance: 0.2 },
  { column: 'hellaswag', loss: 'hellaswag', task: 'hellaswag', chance: 0.25 },
  { column: 'mmlu', loss: 'mmlu', task: 'mmlu', chance: 0.25 },
  { column: 'openbookqa', loss: 'openbook', task: 'openbookqa', chance: 0.25 },
  { column: 'piqa', loss: 'piqa', task: 'piqa', chance: 0.5 },
  { column: 'siqa', loss: 'siqa', task: 'siqa', chance: 1 / 3 },
  { column: 'winogrande', loss: 'winogrande', task: 'winogrande', chance: 0.5 },
];
const MAIN_STEP = 83475; // the final checkpoint ("main"), as benchmarks/gadre_fit.py and bhagia_fit.py take it
const TOKENS_PER_STEP = 2048 * 2048;
const VOCAB = 50304;

/** benchmarks/plot_lighteval.py's param_counter(width, depth): all parameters, embeddings and LM head included. */
function paramCounter(width, depth) {
  const headSize = 128;
  const nHead = Math.trunc(width / 128);
  const nQueryGroups = Math.trunc(nHead / 2);
  const inter = 4 * width;
  const attn = width * (nHead + 2 * nQueryGroups) * headSize + headSize * nHead * width;
  const mlp = 3 * width * inter;
  const block = attn + mlp + 2 * width;
  return block * depth + VOCAB * width + width + width * VOCAB;
}

const stepOf = (revision) => (revision === 'main' ? MAIN_STEP : Number(/^step_(\d+)$/.exec(revision)[1]));

// 1. Accuracies.
const pq = git('show', `${sha}:benchmarks/light_eval_df.parquet`);
const rows = await parquetReadObjects({ file: pq.buffer.slice(pq.byteOffset, pq.byteOffset + pq.byteLength) });
const acc = new Map(); // `${model}|${step}` → row
for (const r of rows) {
  const m = /^(Gemstone-\d+x\d+)-(main|step_\d+)$/.exec(r.__index_level_0__);
  if (!m) throw new Error(`unexpected index ${r.__index_level_0__}`);
  acc.set(`${m[1]}|${stepOf(m[2])}`, r);
}

// 2. Mean task loss of each file: the mean of all values of all its lists (bhagia_fit.py).
const listing = git('ls-tree', '-r', sha, 'benchmarks/bhagia_task_losses/')
  .toString()
  .trim()
  .split('\n')
  .map((l) => {
    const [meta, path] = l.split('\t');
    const m = /bhagia_task_losses\/(Gemstone-\d+x\d+)\/(main|step_\d+)\/losses_(\w+)\.json$/.exec(path);
    if (!m) throw new Error(`unexpected file ${path}`);
    return { blob: meta.split(' ')[2], model: m[1], step: stepOf(m[2]), loss: m[3] };
  });
const loss = new Map(); // `${model}|${step}|${lossName}` → { mean, n }
await new Promise((resolve, reject) => {
  const p = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch']);
  let buf = Buffer.alloc(0);
  let i = 0;
  p.stdout.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      const size = Number(buf.subarray(0, nl).toString().split(' ')[2]);
      if (buf.length < nl + 1 + size + 1) return;
      const json = JSON.parse(buf.subarray(nl + 1, nl + 1 + size).toString());
      buf = buf.subarray(nl + 1 + size + 1);
      const f = listing[i++];
      let sum = 0;
      let n = 0;
      for (const list of Object.values(json))
        for (const v of list) {
          sum += v;
          n++;
        }
      if (n === 0) throw new Error(`empty ${f.model} ${f.step} ${f.loss}`);
      loss.set(`${f.model}|${f.step}|${f.loss}`, { mean: sum / n, n });
    }
  });
  p.on('error', reject);
  p.on('close', (code) => (code === 0 && i === listing.length ? resolve() : reject(new Error(`cat-file: ${code}, ${i}`))));
  p.stdin.end(listing.map((f) => f.blob).join('\n') + '\n');
});

// 3. One wide CSV per shape, one row per checkpoint; the manifest.
const models = [...new Set(listing.map((f) => f.model))].sort((a, b) => {
  const [wa, da] = a.match(/\d+/g).map(Number);
  const [wb, db] = b.match(/\d+/g).map(Number);
  return paramCounter(wa, da) - paramCounter(wb, db) || wa - wb;
});
mkdirSync(join(here, 'runs'), { recursive: true });
const runs = [];
const counts = {};
for (const model of models) {
  const [width, depth] = model.match(/\d+/g).map(Number);
  const steps = [...new Set(listing.filter((f) => f.model === model).map((f) => f.step))].sort((a, b) => a - b);
  const header = ['step', 'tokens', ...TASKS.flatMap((t) => [`${t.task}/acc_norm`, `${t.task}/ce`])];
  const lines = [header.join(',')];
  for (const step of steps) {
    const a = acc.get(`${model}|${step}`);
    if (!a) throw new Error(`no accuracies for ${model} step ${step}`);
    const cells = [step, step * TOKENS_PER_STEP];
    for (const t of TASKS) {
      const l = loss.get(`${model}|${step}|${t.loss}`);
      if (!l) throw new Error(`no losses_${t.loss}.json for ${model} step ${step}`);
      counts[t.loss] ??= new Set();
      counts[t.loss].add(l.n);
      cells.push(a[t.column], Number(l.mean.toPrecision(9)));
    }
    lines.push(cells.join(','));
  }
  writeFileSync(join(here, 'runs', `${model}.csv`), lines.join('\n') + '\n');
  runs.push({ file: `runs/${model}.csv`, run: model, N: paramCounter(width, depth), role: 'ladder' });
}
const manifest = {
  source: `Gemstones (McLeish et al. 2025), mcleish7/gemstone-scaling-laws @ ${sha.slice(0, 8)}`,
  tasks: TASKS.map((t) => ({ task: t.task, accuracyMetric: 'acc_norm', lossMetric: 'ce', chance: t.chance })),
  runs,
};
writeFileSync(join(here, 'ladder.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`commit ${sha}; ${models.length} shapes, ${acc.size} accuracy rows, ${listing.length} loss files`);
console.log('examples per loss file:', Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, [...v]])));
