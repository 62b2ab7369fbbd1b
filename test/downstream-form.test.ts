/**
 * The downstream extrapolation term's growth with distance is chosen on the nested back-tests
 * (bench/downstream-extrapolation-form.ts): the shipped linear form must be the rule's choice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

test(
  "downstream extrapolation term: the shipped linear growth s·d is the one-standard-error rule's choice on the back-tests, leave one dataset out",
  { timeout: 300_000 },
  async () => {
    const { chooseForm, DATASET_NAMES, FORMS, formScore, formSlope } =
      await import('../bench/downstream-extrapolation-form.js');
    const { ladders, variantCases } = await import('../bench/downstream-extrapolation.js');
    const { DOWNSTREAM_STEP2 } = await import('../src/analyses/downstream.js');
    const cases = Object.fromEntries(
      DATASET_NAMES.map((n) => [n, variantCases(ladders(n).kept, { ...DOWNSTREAM_STEP2 })]),
    );
    const r = chooseForm(cases);
    assert.equal(r.chosen, r.shipped);
    assert.equal(Object.keys(FORMS).length, r.rows.length);
    // The score can be false: intervals with no extrapolation term score worse than the linear term's.
    const linear = FORMS[r.shipped];
    for (const n of DATASET_NAMES) {
      const others = DATASET_NAMES.filter((m) => m !== n).flatMap((m) => cases[m]);
      const withTerm = formScore(cases[n], linear, formSlope(others, linear));
      const without = formScore(cases[n], linear, 0);
      assert.ok(withTerm.score < without.score, `${n}: ${withTerm.score} with the term, ${without.score} without`);
    }
  },
);
