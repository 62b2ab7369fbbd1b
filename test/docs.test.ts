/**
 * docs/methods.md is the project's own reference for every method it implements, and what code, tests,
 * docs and output cite. These tests keep the citations honest: nothing points at notes the project does
 * not ship, every "docs/methods.md §N" names a section that exists, and every test the document says
 * checks a number exists under that title.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const methodsPath = join(root, 'docs/methods.md');
const methods = readFileSync(methodsPath, 'utf8');

/** Where the project's own text lives; README.md is scanned too. */
const scanned = ['src', 'test', 'web', 'bench', 'scripts', 'examples', 'docs', 'worlds'];
/** Installed packages, build outputs and data prepared at run time (see .gitignore) are not the project's text. */
const skipped = new Set(['node_modules', 'dist', 'test-output', join('examples', 'trainers', 'data')]);

function projectFiles(): string[] {
  const out: string[] = [join(root, 'README.md')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (name.startsWith('.') || skipped.has(name) || skipped.has(rel)) continue;
      const stat = lstatSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) out.push(path);
    }
  };
  for (const dir of scanned) if (existsSync(join(root, dir))) walk(join(root, dir));
  return out;
}

/** Text files only: a NUL byte marks a binary file. */
const texts = projectFiles()
  .map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }))
  .filter((f) => !f.text.includes('\u0000'));

/** Section numbers of docs/methods.md, from its "## N. Title" headings. */
const sections = [...methods.matchAll(/^## (\d+)\. \S/gm)].map((m) => Number(m[1]));

test('no file cites the team notes that are not shipped (the reference notes, the shared folder)', () => {
  // Spelled in pieces so that this file does not match itself.
  const forbidden = ['METHODS' + '.md', 'shared' + '/'];
  const hits: string[] = [];
  for (const { path, text } of texts) {
    text.split('\n').forEach((line, i) => {
      if (forbidden.some((word) => line.includes(word))) hits.push(`${path}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.ok(texts.length > 100, `scanned ${texts.length} files`);
  assert.deepEqual(
    hits,
    [],
    "cite docs/methods.md §N, or the data set's own examples/…/PROVENANCE.md or examples/README.md",
  );
});

test('docs/methods.md numbers its sections 1, 2, 3, … once each', () => {
  assert.ok(sections.length >= 30, `${sections.length} sections`);
  assert.deepEqual(
    sections,
    sections.map((_, i) => i + 1),
  );
});

test('every "docs/methods.md §N" cited anywhere is a section of docs/methods.md', () => {
  const known = new Set(sections);
  const cited: string[] = [];
  const missing: string[] = [];
  for (const { path, text } of texts) {
    // "docs/methods.md §4", "docs/methods.md §2, §4 and §11"
    for (const m of text.matchAll(/docs\/methods\.md((?:(?:,\s*|\s+and\s+|\s+)§\d+(?:\.\d+)*)+)/g)) {
      for (const [, number] of m[1].matchAll(/§(\d+(?:\.\d+)*)/g)) {
        cited.push(`${path} §${number}`);
        if (!known.has(Number(number))) missing.push(`${path}: §${number}`);
      }
    }
  }
  assert.ok(cited.length >= 20, `${cited.length} citations found`);
  assert.deepEqual(missing, []);
  // Inside the document, "§N" with no decimal is one of its own sections (a paper's are written §N.M).
  const internal = [...methods.matchAll(/§(\d+)(?![.\d])/g)].map((m) => Number(m[1]));
  assert.deepEqual(
    internal.filter((n) => !known.has(n)),
    [],
  );
});

test('every test docs/methods.md names as checking a number exists under that title', () => {
  // `path/to/file.test.ts` › “title”, and further › “title” for the same file.
  let file: string | undefined;
  const checked: string[] = [];
  const missing: string[] = [];
  for (const m of methods.matchAll(/`([^`\s]+\.test\.ts)`|›\s*“([^”]+)”/g)) {
    if (m[1]) {
      file = m[1];
      continue;
    }
    if (!file) {
      missing.push(`“${m[2]}” names no file`);
      continue;
    }
    const path = join(root, file);
    const source = existsSync(path) ? readFileSync(path, 'utf8').replace(/\\'/g, "'") : '';
    checked.push(`${file} › ${m[2]}`);
    if (!source.includes(m[2])) missing.push(`${file} › “${m[2]}”`);
  }
  assert.ok(checked.length >= 60, `${checked.length} test references`);
  assert.deepEqual(missing, []);
});

test("every trust-warning code (src/fit/warnings.ts's WarningCode) is in README's list of warnings and docs/methods.md §27's table", () => {
  const source = readFileSync(join(root, 'src/fit/warnings.ts'), 'utf8');
  const union = /export type WarningCode =([^;]+);/.exec(source);
  assert.ok(union, 'src/fit/warnings.ts declares WarningCode');
  const codes = [...union[1].matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
  assert.ok(codes.length >= 30 && codes.includes('lineage'), codes.join(', '));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const list = readme.slice(readme.indexOf('**Trust.** Each warning has a `code`'), readme.indexOf('**Bootstrap.**'));
  assert.ok(list.length > 100, "README's Trust paragraph and its list");
  const table = methods.slice(methods.indexOf('\n## 27. '), methods.indexOf('\n## 28. '));
  const notListed = codes.filter((c) => !new RegExp(`\`${c}\``).test(list));
  const notInTable = codes.filter((c) => !table.includes(`| \`${c}\` |`));
  assert.deepEqual(notListed, [], "codes missing from README's list of trust warnings");
  assert.deepEqual(notInTable, [], "codes missing from docs/methods.md §27's table");
});
