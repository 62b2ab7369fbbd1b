/**
 * The registry: ids, options and saved choices come from it, and no code outside src/laws branches
 * on a law's id or a parameter's name. With the two bugs that branching caused: a bnsl fit saved
 * without its breaks and variable, and worker threads rebuilding bnsl in N.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bnslLaw,
  choiceOf,
  getLaw,
  lawChoiceFromJson,
  lawChoiceToJson,
  lawDefinitions,
  lawIds,
  lawIdsWithOption,
  predictLoss,
  rebuildable,
  chinchilla,
} from './index.js';
import { groupedPowerLaw } from './grouped.js';
import { fit } from '../fit/fit.js';
import { fitToJson, loadFit } from '../fit/summary.js';
import { bootstrapParallel, workerLaw } from '../node/parallel.js';
import { lawRuns } from '../../test/helpers/synthetic.js';
import { InputError } from '../errors/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('getLaw fills each option with its default and refuses values outside its list', () => {
  assert.deepEqual(choiceOf(getLaw('bnsl')), { law: 'bnsl', x: 'N', breaks: 1 });
  // --x's help names these, from the registry (it named power and power0 alone, though bnsl reads x too).
  // Membership, not the whole list: a law added with an x must not break this test.
  for (const [option, readers, others] of [
    ['x', ['power', 'power0', 'bnsl'], ['chinchilla', 'kaplan-nd']],
    ['breaks', ['bnsl'], ['power', 'chinchilla']],
  ] as const) {
    for (const id of readers) assert.ok(lawIdsWithOption(option).includes(id), `${id} reads ${option}`);
    for (const id of others) assert.ok(!lawIdsWithOption(option).includes(id), `${id} does not read ${option}`);
  }
  assert.deepEqual(
    choiceOf(getLaw({ law: 'power', x: 'C', breaks: 3 })),
    { law: 'power', x: 'C' },
    'options a law does not read are ignored',
  );
  assert.deepEqual(choiceOf(getLaw({ law: 'chinchilla', x: 'D' })), { law: 'chinchilla' });
  assert.throws(
    () => getLaw({ law: 'bnsl', breaks: 6 }),
    /invalid breaks for law bnsl: 6 \(expected breaks of the broken power law: 0, 1, 2, 3, 4, 5\)/,
  );
  assert.throws(
    () => getLaw({ law: 'power0', x: 'U' as 'N' }),
    /invalid x for law power0: U \(expected the variable the law is a function of: N, D, C\)/,
  );
  assert.throws(
    () => getLaw('chinchila'),
    new RegExp(`unknown law: chinchila \\(expected one of ${lawIds.join(', ')}\\)`),
  );
});

test("a law's choice is saved in JSON under its own fields and read back; laws built outside the registry are not rebuildable", () => {
  const law = getLaw({ law: 'bnsl', x: 'D', breaks: 2 });
  assert.deepEqual(lawChoiceToJson(law), { law: 'bnsl', variable: 'D', breaks: 2 });
  assert.deepEqual(lawChoiceFromJson({ law: 'bnsl', variable: 'D', breaks: 2 }), { law: 'bnsl', x: 'D', breaks: 2 });
  assert.deepEqual(lawChoiceToJson(chinchilla), { law: 'chinchilla' });
  for (const id of lawIds) assert.ok(rebuildable(getLaw(id)), id);
  assert.equal(rebuildable(groupedPowerLaw(['a', 'b'], 'C', true)), false);
  assert.equal(rebuildable({ ...chinchilla, logPredict: () => undefined }), false, 'same id, other function');
  assert.equal(
    workerLaw(groupedPowerLaw(['a', 'b'], 'C', true)),
    undefined,
    'a per-group law is fitted in the main thread',
  );
});

// Two breaks in D, inside the range of the runs: the fit of the bug reports.
const bnsl2 = bnslLaw(2, 'D');
const truth = { a: 0.05, b: 2, c0: 0.3, c1: 0.2, d1: 1e4, f1: 0.5, c2: 0.3, d2: 1e7, f2: 0.5 };
const curve = lawRuns({ law: bnsl2, params: truth, ranges: { D: [1e2, 1e9] }, n: 40, seed: 3, noise: 0.003 });

test('regression: a bnsl fit (2 breaks, in D) saved as JSON reloads with its breaks and variable and predicts as fitted', () => {
  const result = fit(bnsl2, curve);
  const json = fitToJson(result);
  assert.equal(json.breaks, 2);
  assert.equal(json.variable, 'D');
  const loaded = loadFit(JSON.stringify(json), 'bnsl.json');
  assert.deepEqual(choiceOf(loaded.law), { law: 'bnsl', x: 'D', breaks: 2 });
  for (const D of [1e3, 1e6, 1e10])
    assert.equal(predictLoss(loaded.law, loaded.params, { D }), predictLoss(bnsl2, result.params, { D }));
  // A file whose options do not match its parameters (one written before options were saved) is refused, located.
  const { breaks: _b, variable: _v, ...legacy } = json;
  assert.throws(
    () => loadFit(JSON.stringify({ ...legacy, variable: 'D' }), 'old.json'),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.file === 'old.json' &&
      /field "params": c2, d2, f2 are not parameters of law bnsl/.test(e.message),
  );
  // A one-break fit in D saved without its variable would load as a law in N: refused, since its runs had no N.
  const oneBreak = fitToJson(fit(bnslLaw(1, 'D'), curve));
  const { variable: _x, ...noVariable } = oneBreak;
  assert.throws(
    () => loadFit(JSON.stringify(noVariable), 'old1.json'),
    (e: unknown) =>
      e instanceof InputError && /field "law": law bnsl \(.*\) reads N, but the fit's runs had only D/.test(e.message),
  );
});

test(
  'regression: a bnsl fit in D is bootstrapped in worker threads (they rebuild it in D, with its breaks)',
  { timeout: 120_000 },
  async () => {
    const result = fit(bnsl2, curve);
    const threaded = await bootstrapParallel(result, {}, 64, 5, { threads: 2 });
    const serial = await bootstrapParallel(result, {}, 64, 5, { threads: 1 });
    assert.deepEqual(Array.from(threaded.values), Array.from(serial.values));
  },
);

/** Source files outside src/laws (tests excluded): where laws must be read as data. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return path === join('src', 'laws') ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const literal = (words: Iterable<string>) => `(['"\`])(?:${[...words].map(escape).join('|')})\\1`;

/**
 * Lines that are allowed to match, each with why. Keep it short: a new entry needs a reason that a
 * law's own data cannot serve.
 */
const allowed: { file: string; contains: string; why: string }[] = [
  {
    file: 'src/cli/commands/fit.ts',
    contains: 'preset.law !== law.id',
    why: "a preset belongs to one law: this compares two laws (the preset's and the chosen one), it does not branch on a particular law",
  },
  {
    file: 'src/analyses/curveLaws.ts',
    contains: "const head = joint ? ['E', 'A_N'] : ['L0'];",
    why: 'the curve laws (loss against the learning-rate schedule, docs/methods.md §35) are not laws of the registry: this is where they name their own parameters, as a registered law does in its own file',
  },
];

test('no code outside src/laws compares a law id or branches on a parameter name (src/ and web/src)', () => {
  // Every parameter name of every law (bnsl with its most breaks), but bnsl's a and b: single
  // lower-case letters name other things too (parsePools' column b is a data pool's size).
  const names = new Set<string>();
  for (const d of lawDefinitions())
    for (const p of getLaw({ law: d.id, breaks: d.options?.breaks ? Math.max(...d.options.breaks.values) : undefined })
      .params)
      if (!/^[a-z]$/.test(p.name)) names.add(p.name);
  const checks: [string, RegExp][] = [
    ['a comparison with law.id', /\blaw\.id\s*[!=]==|[!=]==\s*[\w.?]*\blaw\.id\b/],
    ['a comparison with a law id', new RegExp(`[!=]==\\s*${literal(lawIds)}`)],
    ['a comparison with a law id', new RegExp(`${literal(lawIds)}\\s*[!=]==`)],
    ['a comparison with a parameter name', new RegExp(`[!=]==\\s*${literal(names)}`)],
    ['a comparison with a parameter name', new RegExp(`${literal(names)}\\s*[!=]==`)],
    ['a parameter-name prefix test', new RegExp(`startsWith\\(\\s*${literal(names)}`)],
    ['a parameter-name pattern', /\/\^?\(?(?:alpha|beta)[|)_\\]/],
    ['a list of parameter names', new RegExp(`\\[\\s*${literal(names)}\\s*,`)],
  ];
  const found: string[] = [];
  for (const file of [...sourceFiles('src'), ...sourceFiles(join('web', 'src'))]) {
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const [what, pattern] of checks) {
          if (!pattern.test(line)) continue;
          if (allowed.some((a) => file === a.file && line.includes(a.contains))) continue;
          found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 160)}`);
        }
      });
  }
  assert.deepEqual(found, [], 'read what the law says of itself (its options, parameter roles, hooks) instead');
  // The patterns find what they are for (a check that cannot fail is no check).
  const probe = (line: string) => checks.some(([, p]) => p.test(line));
  for (const bad of [
    "if (law.id === 'chinchilla') {",
    "procedure.law.law === 'kaplan-nd'",
    "p.name === 'E'",
    "name.startsWith('beta')",
    'return /^(alpha|beta)/.test(name);',
    "for (const name of ['alpha', 'beta']) {",
  ]) {
    assert.ok(probe(bad), `the check misses: ${bad}`);
  }
  for (const fine of [
    "if (preset.id === 'epoch-2024')",
    "const tie = { beta: 'alpha' };",
    "if (p.role === 'exponent')",
  ])
    assert.ok(!probe(fine), `the check flags: ${fine}`);
});

/** Every TypeScript file under `dir`, tests included. */
function typeScriptFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return typeScriptFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

test('no file spells out the whole list of registered laws, so that adding a law breaks no test or message', () => {
  // The list as "unknown law" errors and --law help give it: a test that matches it literally fails
  // as soon as a law is added (three did: laws.test.ts, registry.test.ts, test/cli-fit.test.ts).
  // Build it from `lawIds` instead.
  const builtIn = lawIds.filter((id) => id !== 'forgetful');
  const whole = [builtIn.join(', '), builtIn.join(','), builtIn.join('|')];
  const found: string[] = [];
  for (const file of [...typeScriptFiles('src'), ...typeScriptFiles('test'), ...typeScriptFiles(join('web', 'src'))])
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (whole.some((w) => line.includes(w))) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
      });
  assert.deepEqual(found, [], 'build the list from lawIds (or lawIds.join(", ")) instead');
  assert.ok(builtIn.length >= 6 && whole[0].includes('chinchilla, kaplan-nd'), 'the probe is the real list');
});

// Last: it adds a law that cannot be built to this process's registry.
test('registering a law that does not carry its options is refused when it is built, not when it predicts wrongly', async () => {
  const { registerLaw } = await import('./index.js');
  registerLaw({
    id: 'forgetful',
    title: 'a bnsl that forgets its options',
    options: lawDefinitions().find((d) => d.id === 'bnsl')!.options,
    make: (o) => ({ ...bnslLaw(o.breaks, o.x), id: 'forgetful', options: {} }),
  });
  assert.throws(
    () => getLaw({ law: 'forgetful', x: 'D' }),
    /law forgetful: make\(\) must return a law with id forgetful and options/,
  );
});
