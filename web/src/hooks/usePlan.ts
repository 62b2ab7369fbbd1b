/** The planner: the plan for the current fit and the planner's inputs, recomputed as either changes (a few ms). */
import { useMemo } from 'react';
import type { FitJson } from '../../../src/fit/summary.js';
import { getLaw, lawChoiceFromJson } from '../../../src/laws/index.js';
import { allocatingLawIds, canAllocate } from '../../../src/analyses/computeOptimal.js';
import { makePlan, type Plan } from '../../../src/analyses/plan.js';
import { accelerator, hardwareBudget } from '../../../src/hardware/catalog.js';
import { parseQuantity } from '../../../src/io/parseQuantity.js';

export interface PlannerInputs {
  /** Budget from a cluster (GPUs × days × MFU) or given in FLOPs. */
  mode: 'hardware' | 'flops';
  gpus: string;
  gpu: string;
  days: string;
  mfu: string;
  flops: string;
  /** Lifetime inference tokens; empty for none. */
  inferenceTokens: string;
}

export const defaultPlannerInputs: PlannerInputs = { mode: 'hardware', gpus: '1024', gpu: 'h100', days: '30', mfu: '0.4', flops: '1e24', inferenceTokens: '' };

export interface PlanState {
  plan?: Plan;
  /** A planner input that cannot be read. */
  error?: string;
  /** Why there is no plan (no fit yet, or a law that does not split compute between N and D). */
  unavailable?: string;
}

function replicatesOf(fit: FitJson): Record<string, number>[] {
  if (!fit.replicates || !fit.replicateNames) return [];
  const names = fit.replicateNames;
  return fit.replicates.map((row) => Object.fromEntries(names.map((n, j) => [n, row[j]])));
}

function planFor(fit: FitJson, inputs: PlannerInputs): Plan {
  const law = getLaw(lawChoiceFromJson(fit));
  const common = {
    law,
    params: fit.params,
    replicates: replicatesOf(fit),
    provenance: `law ${fit.law} fitted to ${fit.data.source} (${fit.data.runs} runs)`,
    ranges: fit.data.ranges,
    inference: inputs.inferenceTokens.trim() ? { tokens: parseQuantity(inputs.inferenceTokens, 'inference tokens') } : undefined,
  };
  if (inputs.mode === 'flops') return makePlan({ ...common, compute: parseQuantity(inputs.flops, 'FLOPs budget') });
  const mfu = parseQuantity(inputs.mfu, 'MFU');
  if (mfu > 1) throw new Error(`MFU: expected a fraction of peak in (0, 1], got ${inputs.mfu}`);
  const hardware = hardwareBudget(parseQuantity(inputs.gpus, 'GPUs'), accelerator(inputs.gpu), mfu, parseQuantity(inputs.days, 'days'));
  return makePlan({ ...common, compute: hardware.flops, hardware });
}

export function usePlan(fit: FitJson | undefined, inputs: PlannerInputs): PlanState {
  return useMemo(() => {
    if (!fit) return { unavailable: 'Open a data set: the planner uses the current fit.' };
    if (!canAllocate(getLaw(lawChoiceFromJson(fit)))) {
      return { unavailable: `Law ${fit.law} does not split compute between parameters and tokens: choose ${allocatingLawIds().join(' or ')} to plan.` };
    }
    try {
      return { plan: planFor(fit, inputs) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [fit, inputs]);
}
