import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateByRule, allocationRules, type AllocationMember } from './allocationRules.js';
import { computeOptimal } from './computeOptimal.js';
import { chinchilla, getLaw } from '../laws/index.js';
import { predictLoss } from '../laws/law.js';
import { shippedAllocationRule } from './plan.js';
import { chooseProcedure, choiceMembers } from '../fit/auto.js';
import { readRuns } from '../io/readRuns.js';

// The CS336 handout's set: noise-free runs of a known Chinchilla law.
const cs336Law = { E: 2.69, A: 1606.4, B: 3210.7, alpha: 0.34, beta: 0.36 };

test("the shipped allocation rule, on an auto fit of CS336's noise-free runs, recovers the true N_opt 30× beyond them", () => {
  const data = readRuns('examples/cs336-isoflops.json');
  const choice = chooseProcedure(data);
  const members = choiceMembers(choice);
  assert.equal(members.length, 3);
  const C = 1e23; // the runs reach 3e21
  const truth = computeOptimal(chinchilla, cs336Law, C).N;
  const got = allocateByRule(shippedAllocationRule, members, choice.chosen, C).N;
  assert.ok(Math.abs(Math.log10(got / truth)) < 0.005, `N̂ = ${got.toPrecision(4)}, true N_opt ${truth.toPrecision(4)}`);
  // The tied-exponent candidates cannot represent α ≠ β: their own optima are further off.
  const tied = allocateByRule('reported', members, 'tied-huber', C).N;
  assert.ok(Math.abs(Math.log10(tied / truth)) > Math.abs(Math.log10(got / truth)));
});

const law = getLaw('chinchilla');
const member = (id: string, weight: number, alpha: number, beta: number): AllocationMember => ({
  id,
  law,
  weight,
  params: { E: 1.7, A: 400, B: 410, alpha, beta },
});

test('allocation rules: identical candidates agree; geomean, median and the ensemble minimum as defined', () => {
  const C = 1e24;
  const same = [member('a', 1 / 3, 0.34, 0.28), member('b', 1 / 3, 0.34, 0.28), member('c', 1 / 3, 0.34, 0.28)];
  const one = computeOptimal(law, same[0].params, C).N;
  for (const rule of allocationRules) {
    const r = allocateByRule(rule, same, 'a', C);
    assert.ok(Math.abs(r.N / one - 1) < 1e-6, `${rule}: ${r.N} vs ${one}`);
    assert.ok(Math.abs((6 * r.N * r.D) / C - 1) < 1e-12, `${rule}: C = 6ND`);
  }
  const mixed = [member('a', 0.5, 0.34, 0.28), member('b', 0.25, 0.3, 0.3), member('c', 0.25, 0.36, 0.26)];
  const Ns = mixed.map((m) => computeOptimal(law, m.params, C).N);
  const geo = Math.exp(0.5 * Math.log(Ns[0]) + 0.25 * Math.log(Ns[1]) + 0.25 * Math.log(Ns[2]));
  assert.ok(Math.abs(allocateByRule('geomean', mixed, 'a', C).N / geo - 1) < 1e-9);
  // Weighted median: a holds half the weight and lies in the middle of the three.
  const sorted = [...Ns].sort((x, y) => x - y);
  assert.ok(Math.abs(allocateByRule('median', mixed, 'b', C).N / sorted[1] - 1) < 1e-9);
  assert.equal(allocateByRule('reported', mixed, 'b', C).N, Ns[1]);
  // The ensemble's minimum: between the candidates' optima, and lower in mean ln L̂ than its neighbours.
  const e = allocateByRule('ensemble', mixed, 'a', C).N;
  assert.ok(e > sorted[0] && e < sorted[2]);
  const meanLn = (N: number) =>
    mixed.reduce((s, m) => s + m.weight * Math.log(predictLoss(law, m.params, { N, D: C / (6 * N) })), 0);
  assert.ok(meanLn(e) < meanLn(e * 1.01) && meanLn(e) < meanLn(e / 1.01));
  // Two candidates of equal weight: the median is their geometric mean.
  const two = [member('a', 0.5, 0.34, 0.28), member('b', 0.5, 0.3, 0.3)];
  assert.ok(Math.abs(allocateByRule('median', two, 'a', C).N / Math.sqrt(Ns[0] * Ns[1]) - 1) < 1e-9);
});

test('a candidate that cannot allocate is left out, not averaged in', () => {
  const C = 1e24;
  const inC = {
    id: 'c-only',
    law: getLaw({ law: 'power', x: 'C' }),
    params: { E: 1.7, A: 100, alpha: 0.05 },
    weight: 0.5,
  };
  const ok = member('a', 0.5, 0.34, 0.28);
  const N = computeOptimal(law, ok.params, C).N;
  for (const rule of ['geomean', 'median', 'ensemble'] as const) {
    const r = allocateByRule(rule, [inC, ok], 'a', C);
    assert.ok(Math.abs(r.N / N - 1) < 1e-9, rule);
    assert.equal(r.optima.find((o) => o.id === 'c-only')!.N, undefined);
  }
  assert.throws(() => allocateByRule('geomean', [inC], 'c-only', C), /no candidate can allocate/);
});
