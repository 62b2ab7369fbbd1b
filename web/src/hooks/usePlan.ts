/**
 * The planner: the plan for the current fit and the planner's inputs, recomputed as either changes (a
 * few ms). An input that cannot be read (yet: "1e" on the way to "1e24") is reported for its field,
 * and the last plan for the same fit stays on screen, marked as not following the inputs.
 */
import { useMemo, useRef } from 'react';
import { fitEnsemble, loadFit, type FitJson } from '../../../src/fit/summary.js';
import { getLaw, lawChoiceFromJson } from '../../../src/laws/index.js';
import { allocatingLawIds, canAllocate } from '../../../src/analyses/computeOptimal.js';
import {
  forRunLoss,
  hyperparametersFromPreset,
  makePlan,
  splitNotIdentified,
  type Plan,
} from '../../../src/analyses/plan.js';
import { defaultHparamsPreset, hparamPreset } from '../../../src/hparams/laws.js';
import { criticalBatchInput } from '../../../src/hparams/criticalBatch.js';
import {
  accelerator,
  defaultAcceleratorId,
  defaultMfu,
  defaultMfuSource,
  hardwareBudget,
} from '../../../src/hardware/catalog.js';
import { plannerFields, plannerNumber, PlannerInputError, type PlannerField } from '../lib/plannerNumbers.js';

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
  /** Unique tokens available (`plan --unique-tokens`); empty for no cap. */
  uniqueTokens: string;
  /** The learning-rate and batch law (`plan --hparams-preset`): a preset's id. */
  hparamsPreset: string;
}

export const defaultPlannerInputs: PlannerInputs = {
  mode: 'hardware',
  gpus: '1024',
  // The one default accelerator, as plan and the sweep commands assume: a plan made here and one made by
  // the CLI from the same inputs cost the same hardware.
  gpu: defaultAcceleratorId,
  days: '30',
  mfu: String(defaultMfu),
  flops: '1e24',
  inferenceTokens: '',
  uniqueTokens: '',
  // plan's own default (--hparams-preset): the same η and batch here and there when nobody chooses.
  hparamsPreset: defaultHparamsPreset,
};

/** Beside a preset nobody chose, as plan says "(the default; choose with --hparams-preset …)", in the page's words. */
const hparamsPresetDefault = "the default; choose another with the planner's learning-rate preset";

export interface PlanState {
  plan?: Plan;
  /** A planner input that cannot be read, and which. */
  error?: string;
  field?: PlannerField;
  /** The plan shown is the last one that could be made: it does not follow the inputs as they are. */
  stale?: boolean;
  /** Why there is no plan (no fit yet, or a law that does not split compute between N and D). */
  unavailable?: string;
}

function replicatesOf(fit: FitJson): Record<string, number>[] {
  if (!fit.replicates || !fit.replicateNames) return [];
  const names = fit.replicateNames;
  return fit.replicates.map((row) => Object.fromEntries(names.map((n, j) => [n, row[j]])));
}

/**
 * Where the law comes from, as `plan --fit` says it: the data, the procedure (and, for auto, the
 * recipe whose law is shown) and the bootstrap replicates behind its intervals.
 */
function provenanceOf(fit: FitJson): string {
  const p = fit.procedure;
  const recipe = !p
    ? ''
    : p.id === 'auto'
      ? `; procedure auto, the law shown ${p.chosen}'s`
      : p.id === 'custom'
        ? `; ${p.title}`
        : `; procedure ${p.id}`;
  const replicates = fit.replicates?.length ? `, ${fit.replicates.length} bootstrap replicates` : '';
  return `law ${fit.law} fitted to ${fit.data.source} (${fit.data.runs} runs${recipe}${replicates})`;
}

/** The plan for a fit and the planner's inputs (exported for its test: the same N and D as `plan --fit`). */
export function planFor(fit: FitJson, inputs: PlannerInputs): Plan {
  const law = getLaw(lawChoiceFromJson(fit));
  const uniqueTokens = inputs.uniqueTokens.trim() ? plannerNumber('uniqueTokens', inputs.uniqueTokens) : undefined;
  // A data-constrained law has no optimum without the cap: said at the field, as plan asks for --unique-tokens.
  if (law.inputs.includes('U') && uniqueTokens === undefined)
    throw new PlannerInputError(
      'uniqueTokens',
      `law ${law.id} needs the unique tokens available: give them in "Unique tokens" (e.g. 4e11)`,
    );
  const common = {
    law,
    params: fit.params,
    replicates: replicatesOf(fit),
    provenance: provenanceOf(fit),
    ranges: fit.data.ranges,
    ensemble: fitEnsemble(fit),
    // A split the fit's runs do not identify (one ratio, or exponents tied by a reduction), warned as plan --fit warns it.
    ...splitNotIdentified(fit),
    inference: inputs.inferenceTokens.trim()
      ? { tokens: plannerNumber('inferenceTokens', inputs.inferenceTokens) }
      : undefined,
    // The learning rate and batch as plan --hparams-preset adds them (the same core function), and
    // Kaplan's critical batch at the predicted loss, as plan gives it beside them.
    hyperparameters: hyperparametersFromPreset(
      hparamPreset(inputs.hparamsPreset),
      inputs.hparamsPreset === defaultHparamsPreset ? hparamsPresetDefault : undefined,
    ),
    criticalBatch: criticalBatchInput(),
    // Epochs over the unique data, as plan --unique-tokens: a data-constrained law's optimum and loss
    // under repetition; any other law warns that its loss assumes fresh tokens.
    uniqueTokens,
  };
  if (inputs.mode === 'flops')
    return withRunLoss(fit, makePlan({ ...common, compute: plannerNumber('flops', inputs.flops) }));
  const hardware = hardwareBudget(
    plannerNumber('gpus', inputs.gpus),
    accelerator(inputs.gpu),
    plannerNumber('mfu', inputs.mfu),
    plannerNumber('days', inputs.days),
  );
  const assumed = assumedInputs(inputs);
  return withRunLoss(
    fit,
    makePlan({
      ...common,
      compute: hardware.flops,
      hardware,
      ...(assumed.mfu || assumed.accelerator ? { assumed } : {}),
    }),
  );
}

/**
 * The cluster's inputs left at the planner's defaults, with where each comes from, as `plan` says a
 * defaulted --gpu or --mfu: the plan marks them "(default)" and its assumptions give the source.
 */
function assumedInputs(inputs: PlannerInputs): NonNullable<Plan['assumed']> {
  return {
    ...(inputs.gpu === defaultPlannerInputs.gpu
      ? { accelerator: "the planner's default GPU type, a convenience: choose yours" }
      : {}),
    ...(inputs.mfu.trim() === defaultPlannerInputs.mfu ? { mfu: `the default MFU: ${defaultMfuSource}` } : {}),
  };
}

/**
 * The recommended run's loss as a new run's prediction, as `plan --fit` adds it (forRunLoss): an auto
 * fit's candidates averaged in ln L, with the interval for one run when there are replicates. The plan's
 * own loss is the reported law's alone; shown bare, it disagreed with the Procedure panel's number.
 */
function withRunLoss(fit: FitJson, plan: Plan): Plan {
  const { members } = loadFit(JSON.stringify(fit), fit.data.source);
  const forRun = forRunLoss(members, plan.recommendation, fit.bootstrap?.level ?? 0.95, fit.data.ranges.C?.[1]);
  if (forRun) plan.recommendation.forRun = forRun;
  return plan;
}

/** Why there is no plan while no data set is open (nor any fit). */
const noFit = 'Open a data set: the planner uses the current fit.';

/** Where the data stand when there is no plan: what is open, and why it has no fit to plan from. */
export interface PlanData {
  /** The open data set's name; undefined when none is open. */
  opened?: string;
  /** The runs chosen under "Runs to fit" cannot be fitted (no row in the groups chosen): their error is shown. */
  runsError?: boolean;
  /** The data set being fitted, while its first fit runs. */
  fitting?: string;
  /** The data set whose fit failed. */
  failed?: string;
}

/**
 * Why there is no plan, in the planner's words and saying where to fix it: the one sentence the planner and
 * the panels that work at its budget (the optimiser's η and batch) show, so that none of them says "open a
 * data set" while one is open and the budget is missing for another reason (its runs, its fit, the law,
 * or a planner field that cannot be read). Undefined while there is a plan (a stale one too: the planner
 * marks it).
 */
export function whyNoPlan(state: PlanState, data: PlanData): string | undefined {
  if (state.plan) return undefined;
  if (data.opened === undefined) return noFit;
  if (data.runsError)
    return `No plan: the runs chosen under "Runs to fit" in the Fit settings cannot be fitted (the error is above).`;
  if (data.fitting !== undefined) return `Fitting ${data.fitting} — the plan appears when the fit is done.`;
  if (data.failed !== undefined) return `No plan: the fit of ${data.failed} failed (its error is above).`;
  if (state.error)
    return state.field
      ? `No plan until the planner's "${plannerFields[state.field].label}" can be read: ${state.error}.`
      : `No plan: ${state.error}`;
  return state.unavailable && state.unavailable !== noFit
    ? state.unavailable
    : `No plan: ${data.opened} has no fit yet.`;
}

export function usePlan(fit: FitJson | undefined, inputs: PlannerInputs): PlanState {
  const last = useRef<{ fit: FitJson; plan: Plan }>(undefined);
  return useMemo((): PlanState => {
    if (!fit) return { unavailable: noFit };
    if (!canAllocate(getLaw(lawChoiceFromJson(fit)))) {
      return {
        unavailable: `Law ${fit.law} does not split compute between parameters and tokens: choose ${allocatingLawIds().join(' or ')} to plan.`,
      };
    }
    try {
      const plan = planFor(fit, inputs);
      last.current = { fit, plan };
      return { plan };
    } catch (e) {
      const kept = last.current?.fit === fit ? last.current.plan : undefined;
      return {
        error: (e as Error).message,
        ...(e instanceof PlannerInputError ? { field: e.field } : {}),
        ...(kept ? { plan: kept, stale: true } : {}),
      };
    }
  }, [fit, inputs]);
}
