// Intervals and ranges are written in one place (src/core/format.ts: formatInterval `[lo, hi]`,
// formatRange `lo–hi`), so that every report and command writes them alike: no template in src/
// writes two numbers in brackets with a comma, or two numbers joined by a dash, by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** Every template with substitutions in `text`, as its literal parts joined by `${…}`, with its line. */
export function templates(text: string, name = 'source.ts'): { line: number; text: string }[] {
  const file = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const out: { line: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTemplateExpression(node))
      out.push({
        line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1,
        text: node.head.text + node.templateSpans.map((s) => `\${…}${s.literal.text}`).join(''),
      });
    node.forEachChild(visit);
  };
  visit(file);
  return out;
}

/** `[${…}, ${…}]` (with a label such as `95 % ` inside the bracket), or `${…}–${…}` / `${…} – ${…}`. */
const handMade = [/\[[^[\]${}]*\$\{…\}, \$\{…\}\]/, /\$\{…\} ?– ?\$\{…\}/];

export function handMadeIntervals(text: string, name?: string): string[] {
  return templates(text, name)
    .filter((t) => handMade.some((re) => re.test(t.text)))
    .map((t) => `${t.line}: ${t.text}`);
}

test('the check finds a hand-made interval or range, and passes the formatter', () => {
  assert.equal(handMadeIntervals('const s = `x ${v} [${lo}, ${hi}]`;').length, 1);
  assert.equal(handMadeIntervals('const s = `(${a ? ` [95 % ${f(i[0])}, ${f(i[1])}]` : ""})`;').length, 1);
  assert.equal(handMadeIntervals('const s = `${lo}–${hi}×`;').length, 1);
  assert.equal(handMadeIntervals('const s = `(95 % ${lo} – ${hi})`;').length, 1);
  assert.deepEqual(handMadeIntervals('const s = `x ${formatInterval(iv, 3)}; ${path}[${i}]; ${a} – b`;'), []);
});

test('no template in src/ writes an interval or a range by hand (src/core/format.ts writes them)', () => {
  const files = sources(join(root, 'src')).filter((f) => !f.endsWith(join('core', 'format.ts')));
  assert.ok(files.length > 100, `read the sources (${files.length})`);
  const found = files.flatMap((f) =>
    handMadeIntervals(readFileSync(f, 'utf8'), f).map(
      (h) => `${relative(root, f)}:${h.length > 160 ? `${h.slice(0, 160)}…` : h}`,
    ),
  );
  assert.deepEqual(found, [], 'write intervals with formatInterval and ranges with formatRange (src/core/format.ts)');
});
