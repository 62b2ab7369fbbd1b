// The library speaks options, not CLI flags: no string literal in src/ outside the CLI and the
// servers names a flag (`--fix`), since the web app shows the library's messages as they are.
// Messages name options through an OptionNamer (errors/index.ts), which the CLI answers with
// the flags of src/cli/optionFlags.ts; every option so named must be in that table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { optionFlags } from '../cli/optionFlags.js';

const src = fileURLToPath(new URL('..', import.meta.url));

/** Library sources: src/ less the CLI, the servers and tests. */
function librarySources(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    const rel = relative(src, path);
    if (e.isDirectory()) return rel === 'cli' || rel === 'server' ? [] : librarySources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** Every string literal and template in the file (comments are not literals), with its line. */
function literals(path: string): { line: number; text: string }[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { line: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node))
      text = node.head.text + node.templateSpans.map((s) => `\${…}${s.literal.text}`).join('');
    if (text !== undefined) out.push({ line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1, text });
    node.forEachChild(visit);
  };
  visit(file);
  return out;
}

/** A whole literal that is one flag of another program's command line (sbatch's `--parsable`, `--job-name=…`): an argument, not a message. */
const argument = /^--[a-z][\w-]*(=.*)?$/s;

/** Messages that may name a flag, and why. */
const exceptions: { file: string; text: RegExp; why: string }[] = [
  {
    file: 'experiments/backends/slurm/parse.ts',
    text: /raise --(time|mem) with|--requeue with/,
    why: "--time, --mem and --requeue are sbatch's own flags, to be given through the backend's sbatchArgs option",
  },
  {
    file: 'experiments/backends/slurm/index.ts',
    text: /sbatch -J\/--job-name/,
    why: "-J/--job-name is sbatch's own flag, refused among the backend's sbatchArgs",
  },
  {
    file: 'fit/summary.ts',
    text: /scalelab fit --json/,
    why: 'names the command that writes the file being read (a fit JSON), not an option of this call',
  },
  {
    file: 'analyses/curveFitFile.ts',
    text: /scalelab curve-law fit --out/,
    why: 'names the command that writes the file being read (a curve-law fit), not an option of this call',
  },
  {
    file: 'experiments/parsePlan.ts',
    text: /scalelab sweep plan --out/,
    why: 'names the command that writes the file being read (a sweep plan), not an option of this call',
  },
  {
    file: 'experiments/design.ts',
    text: /scalelab runs ls --status failed/,
    why: 'names the command that lists the failed runs in the store',
  },
];

test('no string literal of the library names a CLI flag (outside the listed exceptions)', () => {
  const found: string[] = [];
  const used = new Set<string>();
  for (const path of librarySources()) {
    const rel = relative(src, path).split('\\').join('/');
    for (const { line, text } of literals(path)) {
      // --N and --D are flags too (a message named "--N when importing" and this test let it by).
      if (!/(^|[^\w-])--[a-zA-Z]/.test(text) || argument.test(text)) continue;
      const exception = exceptions.find((x) => x.file === rel && x.text.test(text));
      if (exception) used.add(`${exception.file} ${exception.text}`);
      else found.push(`src/${rel}:${line}: ${text.length > 140 ? `${text.slice(0, 140)}…` : text}`);
    }
  }
  assert.deepEqual(
    found,
    [],
    'library messages name options through an OptionNamer (errors/index.ts), never a CLI flag',
  );
  assert.deepEqual(
    exceptions.map((x) => `${x.file} ${x.text}`).filter((x) => !used.has(x)),
    [],
    'an exception that no longer matches anything is removed from the list',
  );
});

test('every option a library message names has its CLI flag in src/cli/optionFlags.ts', () => {
  const named = new Map<string, string>();
  for (const path of librarySources()) {
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/\b(?:option: |o\(|name\(|libraryOption\()'([a-zA-Z]+)'/g))
      named.set(m[1], relative(src, path));
  }
  assert.ok(named.size >= 20, `found the options named in messages (${[...named.keys()].join(', ')})`);
  const missing = [...named]
    .filter(([option]) => !(option in optionFlags))
    .map(([option, file]) => `${option} (src/${file})`);
  assert.deepEqual(missing, []);
});
