/**
 * The web app's shape panel, in Node: the shapes it proposes are `scalelab shape --N`'s (the same
 * search, defaults and nearest published models), its style's inputs change the search as the CLI's
 * flags do, and what cannot be read is said rather than dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultShapeInputs, proposeShapes } from '../web/src/lib/shapeInputs.js';
import { parseCatalog } from '../src/catalog/models.js';
import { nearestPublishedText, shapeTableHeader, shapeTableRows } from '../src/report/text/plan.js';
import { textTable } from '../src/core/table.js';
import { root, scalelab } from './helpers/cli.js';

const catalog = parseCatalog(
  readFileSync(join(root, 'examples', 'published-models.csv'), 'utf8'),
  'examples/published-models.csv',
);

interface ShapeJson {
  candidates: { shape: Record<string, unknown>; error: number; aspectRatio: number }[];
  nearestPublished: { id: string }[];
}

test('the shape panel proposes the shapes and nearest published models that scalelab shape --N gives', () => {
  for (const [typed, flags, inputs] of [
    ['7B', [], {}],
    ['1.3e9', ['--mlp', 'plain', '--vocab', '50257', '--tied'], { mlp: 'plain' as const, vocab: '50257', tied: true }],
    ['70B', ['--gqa', '8', '--heads-multiple', '8'], { gqa: '8', headsMultiple: '8' }],
  ] as const) {
    const web = proposeShapes({ ...defaultShapeInputs, ...inputs, N: typed }, catalog);
    assert.ok(web?.candidates, `${typed}: ${web?.problems?.join('; ')}`);
    const r = scalelab(['shape', '--N', typed, ...flags, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const cli = JSON.parse(r.stdout) as ShapeJson;
    assert.deepEqual(
      web.candidates.map((c) => [c.shape, c.error, c.aspectRatio]),
      cli.candidates.map((c) => [c.shape, c.error, c.aspectRatio]),
      typed,
    );
    assert.deepEqual(
      web.nearest.map((m) => m.id),
      cli.nearestPublished.map((m) => m.id),
    );
    // The CLI's text line for them is the panel's.
    const text = scalelab(['shape', '--N', typed, ...flags]).stdout;
    assert.ok(text.includes(nearestPublishedText(web.nearest)), typed);
    // And its table, cell for cell: the panel's rows (shapeTableRows) drawn as the CLI draws them.
    assert.ok(text.includes(textTable([...shapeTableHeader], shapeTableRows(web.candidates))), typed);
  }
  // A target met in non-embedding parameters: the search counts those.
  const nonEmb = proposeShapes({ ...defaultShapeInputs, N: '1B', count: 'nonEmbedding' }, catalog);
  assert.ok(nonEmb?.candidates?.every((c) => Math.abs(c.parameters.nonEmbedding / 1e9 - 1) <= 0.05));
});

test('the shape panel says what it cannot read, and a size typed without its suffix', () => {
  assert.equal(proposeShapes(defaultShapeInputs, catalog), undefined, 'nothing asked, nothing said');
  assert.match(
    proposeShapes({ ...defaultShapeInputs, N: 'seven' }, catalog)!.problems![0],
    /^parameters: expected a number such as 7e9 or 7B, got "seven"/,
  );
  assert.deepEqual(proposeShapes({ ...defaultShapeInputs, N: '7B', vocab: '32k', gqa: '0' }, catalog)!.problems, [
    'vocabulary: expected a whole number of at least 1, got "32k"',
    'query heads per KV head: expected a whole number of at least 1, got "0"',
  ]);
  assert.match(proposeShapes({ ...defaultShapeInputs, N: '7' }, catalog)!.problems![0], /did you mean 7B or 7M\?/);
});
