/**
 * From an ensemble of fitted laws (an `auto` fit's candidates) to one compute-optimal N for a budget.
 * Each candidate has its own optimum; which single N to recommend is a rule, and the rules here are
 * the ones bench/allocation-backtest.ts scores on the benchmark's IsoFLOP profiles (docs/methods.md).
 * Pure.
 */
import { minimize1d } from '../core/minimize1d.js';
import { predictLoss, type Law } from '../laws/law.js';
import { canAllocate, computeOptimal, type Allocation } from './computeOptimal.js';

/**
 * 'reported': the reported law's own optimum (its closed form where it has one);
 * 'geomean': the candidates' optima averaged in ln N by their weights;
 * 'ensemble': the N minimising the weighted mean of the candidates' ln L̂ along C = 6ND (what
 * `predict` averages);
 * 'median': the weighted median of the candidates' optima.
 */
export type AllocationRule = 'reported' | 'geomean' | 'ensemble' | 'median';

export const allocationRules: AllocationRule[] = ['reported', 'geomean', 'ensemble', 'median'];

export interface AllocationMember {
  id: string;
  law: Law;
  params: Readonly<Record<string, number>>;
  weight: number;
}

export interface RuleAllocation extends Allocation {
  rule: AllocationRule;
  /** Each candidate's own optimum N (undefined: it cannot allocate the budget, and was left out). */
  optima: { id: string; weight: number; N?: number }[];
}

/** A member's optimum, or undefined when its law cannot allocate (a law in C alone, no usable optimum). */
function optimumOf(m: AllocationMember, C: number): number | undefined {
  if (!canAllocate(m.law)) return undefined;
  try {
    return computeOptimal(m.law, m.params, C).N;
  } catch {
    return undefined;
  }
}

/** Weighted median of ln N; at an exact tie of the cumulative weight, the mean of the two middle values. */
function weightedMedian(values: { x: number; w: number }[]): number {
  const sorted = [...values].sort((a, b) => a.x - b.x);
  const total = sorted.reduce((s, v) => s + v.w, 0);
  let acc = 0;
  for (let i = 0; i < sorted.length; i++) {
    acc += sorted[i].w / total;
    if (Math.abs(acc - 0.5) < 1e-12 && i + 1 < sorted.length) return (sorted[i].x + sorted[i + 1].x) / 2;
    if (acc > 0.5) return sorted[i].x;
  }
  return sorted[sorted.length - 1].x;
}

/**
 * The compute-optimal allocation of C by a rule over weighted members. `reported` names the member
 * whose law is reported (rule 'reported' uses it alone).
 * @throws the reported law's error (FitError, UsageError) when it cannot allocate, for 'reported';
 *   an Error when no member can allocate, for the others
 */
export function allocateByRule(
  rule: AllocationRule,
  members: AllocationMember[],
  reported: string,
  C: number,
): RuleAllocation {
  const active = members.filter((m) => m.weight > 0);
  const optima = active.map((m) => ({ id: m.id, weight: m.weight, N: optimumOf(m, C) }));
  const done = (N: number): RuleAllocation => {
    const D = C / (6 * N);
    return { C, N, D, tokensPerParameter: D / N, rule, optima };
  };
  if (rule === 'reported') {
    const m = members.find((x) => x.id === reported);
    if (!m) throw new Error(`allocateByRule: no member ${reported}`);
    const a = computeOptimal(m.law, m.params, C);
    return { ...a, rule, optima };
  }
  const usable = active.flatMap((m, k) => (optima[k].N === undefined ? [] : [{ m, lnN: Math.log(optima[k].N!) }]));
  if (!usable.length) throw new Error('allocateByRule: no candidate can allocate the budget');
  const total = usable.reduce((s, u) => s + u.m.weight, 0);
  if (rule === 'geomean') return done(Math.exp(usable.reduce((s, u) => s + (u.m.weight / total) * u.lnN, 0)));
  if (rule === 'median') return done(Math.exp(weightedMedian(usable.map((u) => ({ x: u.lnN, w: u.m.weight })))));
  // 'ensemble': each member's ln L̂ along the IsoFLOP line falls to its own optimum and rises after it,
  // so their weighted sum has its minimum between the smallest and the largest optimum.
  const lnTotal = Math.log(C / 6);
  const lo = Math.min(...usable.map((u) => u.lnN)),
    hi = Math.max(...usable.map((u) => u.lnN));
  if (hi - lo < 1e-12) return done(Math.exp(lo));
  const f = (lnN: number) =>
    usable.reduce(
      (s, u) =>
        s +
        (u.m.weight / total) *
          Math.log(predictLoss(u.m.law, u.m.params, { N: Math.exp(lnN), D: Math.exp(lnTotal - lnN) })),
      0,
    );
  return done(Math.exp(minimize1d(f, lo, hi, 1e-12).x));
}
