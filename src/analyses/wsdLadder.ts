/**
 * IsoFLOP profiles and Approach 1's envelope from one run per model size: a WSD trunk at a constant
 * learning rate, with a cooldown branch cut from a saved checkpoint for each token budget (OLMo-core's
 * WSD-S ladders; Hägele et al. 2024). A branch that decays over the last `decayFrac` of its steps
 * ends annealed, as a run of its own length would, so its final loss stands in for a separate run
 * per point, and the stable part is trained once. Pure.
 *
 * Compute, in the law's convention C = 6·N·D: a separate run per point costs Σ 6·N·D_k; the ladder
 * costs the trunk to its last branch point plus every branch's decay.
 */
import { plain } from '../core/format.js';
import { InputError } from '../errors/index.js';
import type { Dataset, Run } from '../io/dataset.js';
import { isoflopAnalysis, type IsoflopResult } from './isoflop.js';
import { envelopeAnalysis, type EnvelopeResult } from './envelope.js';

export interface LadderBranch {
  /**
   * The branch's run name, and its trunk's: recorded with the branch's final loss (a `trunk` column), the
   * bootstrap draws a trunk's branches together — they share its stable steps (docs/methods.md §25).
   */
  run: string;
  trunk: string;
  /** The IsoFLOP budget this branch serves (6·N·D). */
  C: number;
  /** Tokens at the branch's end. */
  D: number;
  steps: number;
  /** The trunk's checkpoint the branch starts from (its stable steps). */
  at: number;
  decaySteps: number;
}

export interface LadderPlan {
  sizes: { N: number; trunk: string; trunkSteps: number; branches: LadderBranch[] }[];
  batchTokens: number;
  decayFrac: number;
  /** Compute of the ladder, of one run per point, and the fraction the ladder saves. */
  compute: { ladder: number; perPoint: number; saved: number };
}

/** A number as a short name part that reads back as the number: 7e6, 1.9e7, 1.23456789e8. */
function compact(x: number): string {
  let digits = 0;
  while (digits < 20 && Number(x.toExponential(digits)) !== x) digits++;
  return x.toExponential(digits).replace('e+', 'e');
}

/** The fewest steps a branch may have: rounding to whole steps then moves its compute by at most 5 %. */
const MIN_LADDER_STEPS = 10;

/**
 * The branches that put every size on every IsoFLOP budget: for size N and budget C, a branch
 * ending at D = C/(6N) tokens (whole steps of `batchTokens`), decaying over `decayFrac` of them.
 */
export function planWsdLadder(sizes: number[], budgets: number[], batchTokens: number, decayFrac: number): LadderPlan {
  if (!(decayFrac > 0 && decayFrac < 1))
    throw new InputError({ file: 'ladder' }, `decay fraction ${decayFrac}: expected a fraction between 0 and 1`);
  // A size or budget twice would plan one trunk or branch twice under one name.
  for (const [what, xs] of [
    ['model size', sizes],
    ['budget', budgets],
  ] as const) {
    const twice = xs.find((x, i) => xs.indexOf(x) !== i);
    if (twice !== undefined)
      throw new InputError({ file: 'ladder' }, `${what} ${plain(twice)} is given twice: expected each once`);
  }
  let ladder = 0,
    perPoint = 0;
  const out = sizes.map((N) => {
    const trunk = `trunk-N${compact(N)}`;
    const branches = budgets
      .map((C) => {
        // Rounded to whole steps, a budget of a few steps would be trained at another compute than its
        // name says (one step of a 19M model at 262144 tokens is 3e13 FLOPs, whatever C was asked).
        const exact = C / (6 * N) / batchTokens;
        if (exact < MIN_LADDER_STEPS)
          throw new InputError(
            { file: 'ladder' },
            `budget C = ${compact(C)} at N = ${compact(N)} is ${exact < 1 ? 'less than one step' : `${plain(Math.round(exact))} steps`} of ${plain(batchTokens)} tokens: expected at least ${MIN_LADDER_STEPS} (a larger budget, a smaller model or a smaller batch)`,
          );
        const steps = Math.round(exact);
        const decaySteps = Math.max(1, Math.round(decayFrac * steps));
        const run = `N${compact(N)}-C${compact(C)}`;
        return { run, trunk, C, D: steps * batchTokens, steps, at: steps - decaySteps, decaySteps };
      })
      .sort((a, b) => a.steps - b.steps);
    const trunkSteps = Math.max(...branches.map((b) => b.at));
    ladder += 6 * N * batchTokens * (trunkSteps + branches.reduce((s, b) => s + b.decaySteps, 0));
    perPoint += branches.reduce((s, b) => s + 6 * N * b.D, 0);
    return { N, trunk, trunkSteps, branches };
  });
  return { sizes: out, batchTokens, decayFrac, compute: { ladder, perPoint, saved: 1 - ladder / perPoint } };
}

/**
 * IsoFLOP profiles (Approach 2) and the envelope (Approach 1) from the ladder's branch endpoints:
 * `loss(N, branch)` is each branch's final loss (trained, or simulated).
 */
export function ladderAnalyses(
  plan: LadderPlan,
  loss: (N: number, branch: LadderBranch) => number,
  source = 'WSD ladder',
): { dataset: Dataset; isoflop: IsoflopResult; envelope: EnvelopeResult } {
  const runs: Run[] = [];
  let line = 0;
  for (const s of plan.sizes)
    for (const b of s.branches)
      runs.push({ N: s.N, D: b.D, C: 6 * s.N * b.D, loss: loss(s.N, b), run: `N${s.N}`, step: b.steps, line: ++line });
  const dataset: Dataset = {
    source,
    runs,
    columns: { N: 'N', D: 'D', C: 'C', loss: 'loss', run: 'run', step: 'step' },
    derived: {},
  };
  const budgets = [...new Set(plan.sizes.flatMap((s) => s.branches.map((b) => b.C)))];
  // Each size's annealed endpoints, in order of tokens, are its curve for the envelope.
  const curves = plan.sizes.map((s) => ({
    id: `N${s.N}`,
    N: s.N,
    lnC: s.branches.map((b) => Math.log(6 * s.N * b.D)),
    loss: s.branches.map((b) => runs.find((r) => r.N === s.N && r.D === b.D)!.loss),
    firstLine: 1,
  }));
  return { dataset, isoflop: isoflopAnalysis(dataset, { budgets }), envelope: envelopeAnalysis(curves, 1500, source) };
}
