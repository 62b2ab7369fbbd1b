import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noStackTrace, scalelab } from './helpers/cli.js';

test('models lists the catalog with recounted sizes, provenance and flags', () => {
  const r = scalelab(['models', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.json();
  assert.equal(rows.length, 67);
  const gpt2 = rows.find((m: { id: string }) => m.id === 'gpt-2-124m');
  assert.equal(gpt2.recomputed.nonEmbedding, 84934656);
  assert.ok(gpt2.source.includes('openai/gpt-2'));
  const llama = scalelab(['models', '--family', 'llama']);
  assert.match(llama.stdout, /Llama-2-70B/);
  assert.doesNotMatch(llama.stdout, /GPT-3/);
});

test('models text output traces every row to its source and provenance; Gopher and OPT-350M are explained', () => {
  const r = scalelab(['models']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /App\. F\s+source\s+status\s+note/);
  assert.match(
    lines.find((l) => l.includes('Gopher 417M'))!,
    /4\.17e8 \(\+0\.0 %\).*Rae\+ 2021\s+single-source/,
  );
  assert.doesNotMatch(r.stdout, /unexplained/);
  assert.match(
    lines.find((l) => l.includes('OPT-350M'))!,
    /-5\.5 %.*Zhang\+ 2022.*FLAG: the reported size is a nominal name \(512-wide embeddings with project_in\/out/,
  );
  // 405B's detailed count at the 8192 pretraining context, next to 6ND = 3.79e25 (the paper: 3.8e25)
  assert.match(
    lines.find((l) => l.includes('Llama 3.1 405B'))!,
    /3\.79e25\s+4\.12e25\s+Meta 2024/,
  );
  assert.match(r.stdout, /train_seq_len; Llama 3\.1: 8192/);
  assert.match(r.stdout, /T5: encoder and decoder stacks/);
  assert.match(r.stdout, /examples\/published-models\.PROVENANCE\.md/);
  const [from, to] = [lines[0].indexOf('source'), lines[0].indexOf('status')];
  const rows = lines.slice(2).filter((l) => /^ {2}\S/.test(l) && /verified|single-source/.test(l));
  assert.equal(rows.length, 67);
  for (const l of rows) assert.match(l.slice(from, to), /^\S.*\d{4}/, l);
});

test("shape --like follows a family's style and names the nearest published models", () => {
  const r = scalelab(['shape', '--N', '7e10', '--like', 'llama-2-70b', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.equal(j.like, 'llama-2-70b');
  assert.equal(j.candidates[0].shape.mlp, 'gated');
  assert.equal(j.candidates[0].shape.nHeads / j.candidates[0].shape.nKvHeads, 8);
  const llama = j.nearestPublished.find((m: { id: string }) => m.id === 'llama-2-70b');
  assert.ok(llama);
  assert.match(llama.cite, /2023/);
});

test("shape --like: the flags you type win over the family's style (a 100k vocabulary, a plain MLP), and are named", () => {
  const styled = scalelab(['shape', '--N', '7e9', '--like', 'llama-2-7b', '--json']).json();
  assert.equal(styled.candidates[0].shape.vocab, 32000);
  assert.deepEqual(styled.yourFlags, []);
  const r = scalelab(['shape', '--N', '7e9', '--like', 'llama-2-7b', '--vocab', '100000', '--mlp', 'plain', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json();
  assert.equal(j.candidates[0].shape.vocab, 100000);
  assert.equal(j.candidates[0].shape.mlp, 'plain');
  assert.equal(j.candidates[0].shape.dFf, 4 * j.candidates[0].shape.dModel);
  assert.deepEqual(j.yourFlags, ['--mlp', '--vocab']);
  // The style's aspect ratio is the one ranked by, and said (not the --aspect default of 100).
  assert.equal(j.aspect, styled.aspect);
  assert.notEqual(j.aspect, 100);
  const text = scalelab(['shape', '--N', '7e9', '--like', 'llama-2-7b', '--vocab', '100000']).stdout;
  assert.match(text, /^In the style of Llama-2-7B, with your --vocab 100000\.\n/);
  assert.match(text, /ranked by aspect ratio near 128 and size error/);
});

test('shape --heads-multiple 8 keeps shapes whose heads split over 8 GPUs; without it a first choice that does not is noted', () => {
  const any = scalelab(['shape', '--N', '7e9', '--vocab', '100000']);
  assert.equal(any.code, 0, any.stderr);
  assert.match(any.stdout, /note: rank 1 has 29 heads, which do not split evenly over 8 GPUs.*--heads-multiple 8/);
  const r = scalelab(['shape', '--N', '7e9', '--vocab', '100000', '--heads-multiple', '8', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = r.json().candidates;
  assert.ok(c.length >= 3);
  for (const x of c) assert.equal(x.shape.nHeads % 8, 0, JSON.stringify(x.shape));
  for (const x of c) assert.ok(Math.abs(x.parameters.total / 7e9 - 1) <= 0.05);
  assert.doesNotMatch(scalelab(['shape', '--N', '7e9', '--heads-multiple', '8']).stdout, /note: rank 1/);
});

test("shape: one mode's flags typed in the other are refused, not ignored", () => {
  const count = scalelab(['shape', '--layers', '12', '--d-model', '768', '--gqa', '4', '--limit', '3']);
  assert.equal(count.code, 2, count.stderr);
  assert.match(count.stderr, /--gqa, --limit: read when searching shapes for --N.*--kv-heads/);
  const search = scalelab(['shape', '--N', '7e9', '--heads', '32', '--d-ff', '11008']);
  assert.equal(search.code, 2, search.stderr);
  assert.match(search.stderr, /--heads, --d-ff: read when counting one shape/);
});

test("plan --compare places published models on the frontier under Epoch's fit", () => {
  const r = scalelab([
    'plan',
    '--C',
    '1e25',
    '--preset',
    'epoch-2024',
    '--compare',
    'chinchilla-70b,gpt-3-175b',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [chin, gpt3] = r.json().landmarks;
  assert.match(chin.verdict, /near the frontier/);
  assert.match(gpt3.verdict, /under-trained/);
  assert.equal(chin.cite, 'Hoffmann+ 2022');
  // The table a person reads names where each model's numbers come from.
  const text = scalelab(['plan', '--C', '1e25', '--preset', 'epoch-2024', '--compare', 'gpt-3-175b']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /GPT-3 175B\s+Brown\+ 2020/);
});

test('an unknown model name is a clear error with close matches', () => {
  const r = scalelab(['plan', '--C', '1e25', '--compare', 'lama-3-70b']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown model "lama-3-70b"; closest: llama-3-70b/);
  assert.ok(noStackTrace(r.stderr));
});

test('shape count mode refuses shapes that cannot exist and --N, and writes counts past 2^53 in e-notation', () => {
  const refused: [string[], RegExp][] = [
    [
      ['--d-model', '768', '--heads', '7'],
      /--d-model 768 is not a multiple of --heads 7: each head takes d_model\/heads/,
    ],
    [
      ['--d-model', '768', '--heads', '12', '--kv-heads', '5'],
      /--kv-heads 5 does not divide 12 heads: .*must divide --heads/,
    ],
    [['--d-model', '768', '--kv-heads', '24'], /--kv-heads 24 does not divide 12 heads/],
    [['--d-model', '768', '--N', '7e9'], /--N searches shapes for a parameter target, --layers and --d-model count/],
  ];
  for (const [args, message] of refused) {
    const r = scalelab(['shape', '--layers', '12', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  // The default head count (d_model/64 rounded) not dividing d_model is no refusal: the nearest that does is
  // taken and said, and with multi-head attention the count is the same as with any.
  for (const [dModel, heads, of] of [
    ['770', 11, 70],
    ['1000', 20, 50],
    ['200', 4, 50],
  ] as const) {
    const r = scalelab(['shape', '--layers', '12', '--d-model', dModel]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`d_model ${dModel}, ${heads} heads of ${of},`));
    assert.match(
      r.stderr,
      new RegExp(
        `note: d_model ${dModel} is not a multiple of \\d+ heads \\(d_model/64 rounded, the default\\): counted with ${heads} heads of ${of}`,
      ),
    );
    const given = scalelab(['shape', '--layers', '12', '--d-model', dModel, '--heads', String(Number(dModel) / 10)]);
    assert.equal(given.code, 0, given.stderr);
    const total = (out: string) => /Parameters: total ([\d,]+);/.exec(out)?.[1];
    assert.equal(total(r.stdout), total(given.stdout));
  }
  const gqa = scalelab(['shape', '--layers', '12', '--d-model', '768', '--kv-heads', '4']);
  assert.equal(gqa.code, 0, gqa.stderr);
  assert.match(gqa.stdout, /12 heads of 64 \(4 key\/value heads\)/);
  assert.match(gqa.stdout, /total 124,668,672;/);
  const huge = scalelab(['shape', '--layers', '1e6', '--d-model', '1e6']);
  assert.equal(huge.code, 0, huge.stderr);
  assert.match(huge.stdout, /Parameters: total 1\.2e19; non-embedding 1\.2e19 /);
  assert.match(huge.stdout, /embeddings 32,000,000,000;/);
});
