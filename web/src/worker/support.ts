/**
 * Which frontier approaches the data support, checked before they are fitted, so that the app offers
 * an approach only where it means something and says why not in one line otherwise (not a dozen
 * warnings about budgets found by chance). Pure.
 */
import { groupBudgets } from '../../../src/analyses/isoflop.js';
import { finalCheckpoints, type Dataset } from '../../../src/io/dataset.js';

/** Half Approach 2's default tolerance: ±0.03 decades, ±7 % in compute. */
const tightTolerance = 0.03;
/** Share of runs that must sit on a budget at that tolerance. */
const minShareOnBudgets = 0.8;

/**
 * Why the runs are not an IsoFLOP sweep, or undefined when they are. A sweep fixes each budget's
 * compute, so its runs agree in C far more closely than runs spread at random: at ±7 % the budgets of
 * CS336's sweep hold all its runs and the digitised Chinchilla profiles 85 %; 100 runs log-uniform in N
 * and D, 56 % (at the default ±15 % chance alone puts 86 % of them on 17 "budgets").
 */
export function isoflopUnsupported(dataset: Dataset): string | undefined {
  if (dataset.runs.some((r) => r.C === undefined || r.N === undefined))
    return 'IsoFLOP profiles need N and C (or N and D) for every run';
  // Approach 2 bins each run's final checkpoint (its intermediate ones are not runs of smaller budgets).
  dataset = finalCheckpoints(dataset).dataset;
  const { groups, unassigned } = groupBudgets(dataset, { tolerance: tightTolerance });
  const on = dataset.runs.length - unassigned.length;
  const share = dataset.runs.length ? on / dataset.runs.length : 0;
  if (groups.length >= 2 && share >= minShareOnBudgets) return undefined;
  return (
    `these runs are not an IsoFLOP sweep: ${groups.length < 2 ? `${groups.length} compute budget${groups.length === 1 ? ' has' : 's have'} three or more runs` : `only ${on} of ${dataset.runs.length} runs share a compute budget`} ` +
    '(within ±7 %); IsoFLOP profiles need runs at a few fixed budgets, several model sizes each'
  );
}
