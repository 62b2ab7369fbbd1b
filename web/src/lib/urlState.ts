/**
 * The app's state in the URL's query, so that a reload (or a shared link) opens the same data with
 * the same settings, planner and shape inputs: `?dataset=chinchilla&procedure=ls&gpus=2048`. Only values that
 * differ from the defaults are written. An uploaded file cannot be put in a URL: only its name is
 * (`?upload=runs.csv`), and a reload reopens it from the tab's storage (lib/uploadStore.ts).
 */
import {
  approachChoices,
  customProcedure,
  defaultSettings,
  lawChoices,
  lossChoices,
  variables,
  type FitSettings,
} from '../worker/protocol.js';
import { procedures } from '../../../src/fit/procedures.js';
import { hparamPresets } from '../../../src/hparams/laws.js';
import { defaultPlannerInputs, type PlannerInputs } from '../hooks/usePlan.js';
import { defaultShapeInputs, type ShapeInputs } from './shapeInputs.js';

/** Which data to open: a bundled data set, or a study with the groups fitted. */
export type DataRef =
  | { kind: 'bundled'; id: string }
  | { kind: 'study'; name: string; groups?: string[] }
  | { kind: 'upload'; name: string };

export interface UrlState {
  data?: DataRef;
  settings: FitSettings;
  planner: PlannerInputs;
  shape: ShapeInputs;
}

const settingKeys = ['procedure', 'law', 'x', 'breaks', 'loss', 'approach', 'bootstrap', 'target', 'group'] as const;
const numericSettings = new Set<string>(['breaks', 'bootstrap', 'target']);
/** The values a text setting may take: anything else in a URL is ignored (the default stays). */
const allowed: Record<string, readonly string[]> = {
  procedure: ['auto', customProcedure, ...procedures.map((p) => p.id)],
  law: lawChoices,
  x: variables,
  loss: lossChoices,
  approach: approachChoices,
};
/** Planner inputs under their own names, prefixed so that none collides with a setting. */
const plannerKeys = [
  'mode',
  'gpus',
  'gpu',
  'days',
  'mfu',
  'flops',
  'inferenceTokens',
  'uniqueTokens',
  'hparamsPreset',
] as const;
const plannerParam = (k: string) => `plan.${k}`;
/** The shape panel's inputs, prefixed likewise (`shape.N=7B`). */
const shapeKeys = ['N', 'count', 'mlp', 'vocab', 'seqLen', 'gqa', 'headsMultiple', 'tied'] as const;
const shapeParam = (k: string) => `shape.${k}`;

export function readUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const settings: FitSettings = { ...defaultSettings };
  for (const k of settingKeys) {
    const v = q.get(k);
    if (v === null) continue;
    if (numericSettings.has(k)) {
      const n = Number(v);
      if (Number.isFinite(n) && n >= 0) (settings as unknown as Record<string, number>)[k] = n;
    } else if (k === 'group')
      settings.group = v; // the data's own names: a name they lack is said by the fit
    else if (allowed[k]?.includes(v)) (settings as unknown as Record<string, string>)[k] = v;
  }
  const planner: PlannerInputs = { ...defaultPlannerInputs };
  for (const k of plannerKeys) {
    const v = q.get(plannerParam(k));
    if (v !== null) (planner as unknown as Record<string, string>)[k] = v;
  }
  if (planner.mode !== 'hardware' && planner.mode !== 'flops') planner.mode = defaultPlannerInputs.mode;
  if (!hparamPresets.some((p) => p.id === planner.hparamsPreset))
    planner.hparamsPreset = defaultPlannerInputs.hparamsPreset;
  const shape: ShapeInputs = { ...defaultShapeInputs };
  for (const k of shapeKeys) {
    const v = q.get(shapeParam(k));
    if (v === null) continue;
    if (k === 'tied') shape.tied = v === 'true';
    else if (k === 'count') shape.count = v === 'nonEmbedding' ? v : defaultShapeInputs.count;
    else if (k === 'mlp') shape.mlp = v === 'plain' ? v : defaultShapeInputs.mlp;
    else shape[k] = v;
  }
  const dataset = q.get('dataset'),
    study = q.get('study'),
    groups = q.get('groups'),
    upload = q.get('upload');
  const data: DataRef | undefined = dataset
    ? { kind: 'bundled', id: dataset }
    : study
      ? { kind: 'study', name: study, ...(groups ? { groups: groups.split(',').filter(Boolean) } : {}) }
      : upload
        ? { kind: 'upload', name: upload }
        : undefined;
  return { data, settings, planner, shape };
}

export function writeUrlState(state: UrlState): string {
  const q = new URLSearchParams();
  if (state.data?.kind === 'bundled') q.set('dataset', state.data.id);
  if (state.data?.kind === 'upload') q.set('upload', state.data.name);
  if (state.data?.kind === 'study') {
    q.set('study', state.data.name);
    if (state.data.groups?.length) q.set('groups', state.data.groups.join(','));
  }
  for (const k of settingKeys) if (state.settings[k] !== defaultSettings[k]) q.set(k, String(state.settings[k]));
  for (const k of plannerKeys)
    if (state.planner[k] !== defaultPlannerInputs[k]) q.set(plannerParam(k), state.planner[k]);
  for (const k of shapeKeys) if (state.shape[k] !== defaultShapeInputs[k]) q.set(shapeParam(k), String(state.shape[k]));
  const s = q.toString();
  return s ? `?${s}` : '';
}
