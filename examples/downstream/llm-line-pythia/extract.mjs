// Rebuilds examples/downstream/llm-line-pythia/ (runs/*.csv and ladder.json) from the "LLMs on the Line"
// repository (github.com/brendel-group/llm-line): the Pythia rows of its data/latest_pm_hf.csv. A one-off;
// PROVENANCE.md says what it does and why.
//
// Needs: git and Node 20, nothing else.
//   node examples/downstream/llm-line-pythia/extract.mjs /path/to/llm-line/.git [commit]
// The repository may be bare (no work tree): the file is read with `git show`.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [gitDir, commit = 'HEAD'] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: node extract.mjs <git dir of llm-line> [commit]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const git = (...args) => {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
};
const sha = git('rev-parse', commit).trim();
const PATH = 'data/latest_pm_hf.csv';

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += ch;
  }
  if (field !== '' || row.length) endRow();
  return rows;
}

// The tasks: the file's column prefix, the name used here (as in the other bundled ladders) and the
// random-guess accuracy (answer choices per question). MMLU is left out: no Pythia row has its loss (and
// pythia-12b's row has no MMLU accuracy either).
const TASKS = [
  { column: 'ARC-Challenge', task: 'arc_challenge', chance: 0.25 },
  { column: 'ARC-Easy', task: 'arc_easy', chance: 0.25 },
  { column: 'CommonSenseQA', task: 'commonsense_qa', chance: 0.2 },
  { column: 'COPA', task: 'copa', chance: 0.5 },
  { column: 'HellaSwag', task: 'hellaswag', chance: 0.25 },
  { column: 'OpenBookQA', task: 'openbookqa', chance: 0.25 },
  { column: 'PIQA', task: 'piqa', chance: 0.5 },
  { column: 'Social IQa', task: 'siqa', chance: 1 / 3 },
  { column: 'Winogrande', task: 'winogrande', chance: 0.5 },
];
// Total parameters of each model (the Hugging Face model cards', embeddings and the untied output layer
// included, as examples/downstream/pythia/ladder.json takes them), and what the file's Size column leaves
// out: one embedding matrix, vocabulary (padded) × width. Each Size is checked against total − V·d.
const MODELS = {
  'pythia-70m': { N: 70_426_624, vocab: 50_304, width: 512 },
  'pythia-160m': { N: 162_322_944, vocab: 50_304, width: 768 },
  'pythia-410m': { N: 405_334_016, vocab: 50_304, width: 1024 },
  'pythia-1b': { N: 1_011_781_632, vocab: 50_304, width: 2048 },
  'pythia-1.4b': { N: 1_414_647_808, vocab: 50_304, width: 2048 },
  'pythia-2.8b': { N: 2_775_208_960, vocab: 50_304, width: 2560 },
  'pythia-6.9b': { N: 6_857_302_016, vocab: 50_432, width: 4096 },
  'pythia-12b': { N: 11_846_072_320, vocab: 50_688, width: 5120 },
};
const FINAL_STEP = 143_000; // every Pythia model's last step (1,024 × 2,048 tokens each)
const TOKENS_PER_STEP = 2_097_152;

const rows = parseCsv(git('show', `${sha}:${PATH}`));
const header = rows[0];
const col = (name) => {
  const i = header.indexOf(name);
  if (i < 0 || header.indexOf(name, i + 1) >= 0) throw new Error(`column "${name}": not found once in ${PATH}`);
  return i;
};
/** A cell that must be a number: its text, as the file writes it (copied unchanged). */
const cell = (r, name, line) => {
  const s = r[col(name)];
  if (s === '' || !Number.isFinite(Number(s))) throw new Error(`${PATH} line ${line}: "${name}" is "${s}", not a number`);
  return s;
};
const num = (r, name, line) => Number(cell(r, name, line));

mkdirSync(join(here, 'runs'), { recursive: true });
const runs = [];
const seen = new Set();
rows.forEach((r, i) => {
  const m = /^EleutherAI\/(pythia-[\d.]+[mb])$/.exec(r[col('Name')] ?? '');
  if (!m) return;
  const line = i + 1;
  const model = m[1];
  if (seen.has(model)) throw new Error(`${PATH} line ${line}: ${model} a second time`);
  seen.add(model);
  const spec = MODELS[model];
  if (!spec) throw new Error(`${PATH} line ${line}: ${model} is not a Pythia size known here`);
  const size = num(r, 'Size', line);
  if (size !== spec.N - spec.vocab * spec.width)
    throw new Error(`${PATH} line ${line}: Size ${size} is not ${model}'s ${spec.N} − ${spec.vocab} × ${spec.width}`);
  const tokens = num(r, 'Tokens', line);
  if (tokens !== FINAL_STEP * TOKENS_PER_STEP) throw new Error(`${PATH} line ${line}: Tokens ${tokens}, not the final step's`);
  const cells = [FINAL_STEP, tokens];
  for (const t of TASKS)
    cells.push(
      cell(r, `${t.column} Accuracy`, line),
      cell(r, `${t.column} Loss`, line),
      cell(r, `${t.column} BPB`, line),
    );
  const head = ['step', 'tokens', ...TASKS.flatMap((t) => [`${t.task}/acc`, `${t.task}/ce`, `${t.task}/bpb`])];
  writeFileSync(join(here, 'runs', `${model}.csv`), head.join(',') + '\n' + cells.join(',') + '\n');
  runs.push({ file: `runs/${model}.csv`, run: model, N: spec.N, role: 'ladder' });
});
runs.sort((a, b) => a.N - b.N);
const manifest = {
  source: `LLMs on the Line (Mayilvahanan et al. 2025), brendel-group/llm-line @ ${sha.slice(0, 8)} ${PATH}: Pythia`,
  tasks: TASKS.map((t) => ({ task: t.task, accuracyMetric: 'acc', lossMetric: 'ce', chance: t.chance })),
  runs,
};
writeFileSync(join(here, 'ladder.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`commit ${sha}; ${runs.length} Pythia models: ${runs.map((r) => r.run).join(', ')}`);
