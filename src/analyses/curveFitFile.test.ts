import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors/index.js';
import { loadCurveFit, type CurveFitFile } from './curveFitFile.js';
import { CURVE_EXTRAPOLATION } from './curveLaws.js';

// A fit written by curve-law fit --out: the multi-power law at two sizes, checkpoints to step 1000.
const shipped = readFileSync(
  fileURLToPath(new URL('../../examples/studies/moby-curves/fit-multi-power.json', import.meta.url)),
  'utf8',
);
const original = JSON.parse(shipped) as CurveFitFile;

/** The file edited, written as curve-law fit writes it (two-space indent, a field a line). */
function edited(edit: (f: CurveFitFile & Record<string, unknown>) => void): string {
  const f = JSON.parse(shipped) as CurveFitFile & Record<string, unknown>;
  edit(f);
  return JSON.stringify(f, null, 2) + '\n';
}

/** Line and column (1-based) of a character of the text. */
function place(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

function refusal(text: string): InputError {
  try {
    loadCurveFit(text, 'fit.json');
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e;
  }
  assert.fail('accepted');
}

test('a fit file is read back whole, each fit with the extrapolation term curve-law predict gives it', () => {
  const f = loadCurveFit(shipped, 'fit.json');
  assert.equal(f.law, 'multi-power');
  assert.deepEqual(
    f.fits.map((g) => g.N),
    [25472, 100096],
  );
  for (const [i, g] of f.fits.entries()) {
    assert.deepEqual(g.fit, original.fits[i].fit);
    assert.equal(g.bootstrap?.replicates.length, 200);
    // Its runs' checkpoints end at step 1000 (inputs[].lastStep).
    assert.deepEqual(g.extrapolation, { slope: CURVE_EXTRAPOLATION, reach: 1000 });
  }
  // A file that does not say where its checkpoints end (no lastStep, no schedule) has no term to place.
  const old = loadCurveFit(
    edited((x) =>
      x.inputs.forEach((r) => {
        delete r.lastStep;
        delete r.schedule;
      }),
    ),
    'old.json',
  );
  assert.equal(old.fits[0].extrapolation, undefined);
});

test('what is not a curve-law fit is refused at its line and column', () => {
  // Malformed JSON: the first syntax error, located (parseJson).
  const comma = shipped.replace(/("fromStep": \d+),/, '$1,,');
  const e1 = refusal(comma);
  assert.deepEqual({ line: e1.location.line, column: e1.location.column }, place(comma, comma.indexOf(',,') + 1));
  assert.match(e1.message, /; expected a curve-law fit \(JSON written by "scalelab curve-law fit --out FILE"\)$/);

  // A replicate with a negative parameter: at its object.
  const negative = edited(
    (x) => (x.fits[1].bootstrap!.replicates[3] = { ...x.fits[1].bootstrap!.replicates[3], C: -1 }),
  );
  const e2 = refusal(negative);
  assert.deepEqual(
    { line: e2.location.line, column: e2.location.column },
    place(negative, negative.lastIndexOf('{', negative.indexOf('"C": -1'))),
  );
  assert.equal(e2.location.columnName, 'fits[1].bootstrap.replicates[3]');
  assert.match(e2.detail, /^parameter C is -1; expected a number ≥ 0/);

  // A parameter missing: at the parameters that lack it.
  const missing = edited((x) => delete (x.fits[0].fit.params as Record<string, number>).gamma);
  const e3 = refusal(missing);
  assert.equal(e3.location.line, place(missing, missing.indexOf('"params": {')).line);
  assert.match(e3.message, /^fit\.json:\d+:\d+ \(column "fits\[0\]\.fit\.params"\): the multi-power law needs gamma/);

  // Another law's fit.
  const chinchilla = edited((x) => ((x.fits[0].fit as { law: string }).law = 'chinchilla'));
  assert.match(refusal(chinchilla).detail, /^expected a fit with a law \(lr-annealing or multi-power\)/);

  // Not a curve-law fit at all, or one without its runs.
  assert.match(refusal('{"scalelab": {"kind": "fit"}}').detail, /^not a curve-law fit/);
  assert.match(
    refusal(edited((x) => delete (x as Partial<CurveFitFile>).inputs)).detail,
    /^expected the runs the fit was made from/,
  );
});

test('a hand-edited field the reader uses is refused at its place, not coerced or printed as it stands', () => {
  // A run recorded as null crashed the reader ("Cannot read properties of null").
  const nullRun = edited((x) => ((x.inputs as unknown[])[1] = null));
  const e1 = refusal(nullRun);
  assert.equal(e1.location.columnName, 'inputs[1]');
  assert.match(e1.detail, /^expected a run the fit was made from/);
  // A last step as text was compared as a number: "5" placed the extrapolation term at step 5.
  const textStep = edited((x) => ((x.inputs[0] as Record<string, unknown>).lastStep = '5'));
  const e2 = refusal(textStep);
  assert.equal(e2.location.columnName, 'inputs[0].lastStep');
  assert.equal(e2.location.line, place(textStep, textStep.indexOf('"lastStep": "5"')).line);
  // A schedule is checked as every schedule read from JSON is.
  const badSchedule = edited((x) => ((x.inputs[0].schedule as unknown as Record<string, unknown>).peakLr = -1));
  assert.match(refusal(badSchedule).detail, /^schedule field "peakLr": expected a positive learning rate/);
  // A model size as text was printed as the fit's size ("N = abc").
  assert.equal(
    refusal(edited((x) => ((x.fits[0] as unknown as Record<string, unknown>).N = 'abc'))).location.columnName,
    'fits[0].N',
  );
  // The top-level law titles the prediction: a law no curve law is ("bogus law (Luo et al. 2025)").
  assert.match(
    refusal(edited((x) => ((x as Record<string, unknown>).law = 'bogus'))).detail,
    /^expected lr-annealing or multi-power, got "bogus"/,
  );
  assert.match(
    refusal(edited((x) => ((x as Record<string, unknown>).joint = 'yes'))).detail,
    /^expected true or false/,
  );
  // The lr-annealing law's momentum enters every predicted loss: missing, it predicted NaN.
  const annealing = readFileSync(
    fileURLToPath(new URL('../../examples/studies/moby-curves/fit-lr-annealing.json', import.meta.url)),
    'utf8',
  );
  assert.doesNotThrow(() => loadCurveFit(annealing, 'fit.json'));
  const noLambda = JSON.parse(annealing) as CurveFitFile;
  delete (noLambda.fits[0].fit as Partial<CurveFitFile['fits'][0]['fit']>).lambda;
  const e3 = refusal(JSON.stringify(noLambda, null, 2));
  assert.equal(e3.location.columnName, 'fits[0].fit.lambda');
  assert.match(e3.detail, /^expected the momentum the fit used \(a number between 0 and 1\), got nothing/);
  // An older file, without the fields recorded since (lastStep, peakLr, warmupRead), is read.
  assert.doesNotThrow(() =>
    loadCurveFit(
      edited((x) =>
        x.inputs.forEach((r) => {
          delete r.lastStep;
          delete r.peakLr;
          delete r.warmupRead;
        }),
      ),
      'old.json',
    ),
  );
});
