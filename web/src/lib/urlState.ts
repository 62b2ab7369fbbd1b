/**
 * The app's state in the URL's query, so that a reload (or a shared link) opens the same data with
 * the same settings, planner and shape inputs: `?dataset=chinchilla&procedure=ls&gpus=2048`. Only values that
 * differ from the defaults are written. An uploaded file cannot be put in a URL: only its name is
 * (`?upload=runs.csv`), and a reload reopens it from the tab's storage (lib/uploadStore.ts). The groups
 * fitted are a list as `--group` takes it, `group=isoflop,scale-up`: each name is percent-encoded on its
 * own, so a comma inside a name (`%2C`) is not read as the comma between two.
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

/** Which data to open: a bundled data set, a study's runs, or an upload kept in the tab. */
export type DataRef =
  { kind: 'bundled'; id: string } | { kind: 'study'; name: string } | { kind: 'upload'; name: string };

export interface UrlState {
  data?: DataRef;
  settings: FitSettings;
  planner: PlannerInputs;
  shape: ShapeInputs;
}

const settingKeys = ['procedure', 'law', 'x', 'breaks', 'loss', 'approach', 'bootstrap', 'target'] as const;
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

/**
 * The `group` parameter's names, read from the raw query: URLSearchParams would decode a name's `%2C`
 * into the comma that separates names. A `+` is a space, as in any query.
 */
function readGroups(search: string): string[] | undefined {
  const raw = search
    .replace(/^\?/, '')
    .split('&')
    .find((p) => p.startsWith('group='));
  if (raw === undefined) return undefined;
  const names: string[] = [];
  for (const part of raw.slice('group='.length).split(',')) {
    try {
      const name = decodeURIComponent(part.replace(/\+/g, ' '));
      if (name !== '' && !names.includes(name)) names.push(name);
    } catch {
      // A malformed escape (a hand-edited link): that name is left out, the others kept.
    }
  }
  return names;
}

/** The `group` parameter for names: each encoded on its own, joined by literal commas. */
const writeGroups = (names: readonly string[]) => `group=${names.map(encodeURIComponent).join(',')}`;

export function readUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const settings: FitSettings = { ...defaultSettings };
  for (const k of settingKeys) {
    const v = q.get(k);
    if (v === null) continue;
    if (numericSettings.has(k)) {
      const n = Number(v);
      if (Number.isFinite(n) && n >= 0) (settings as unknown as Record<string, number>)[k] = n;
    } else if (allowed[k]?.includes(v)) (settings as unknown as Record<string, string>)[k] = v;
  }
  // The data's own names: a name they lack is said by the fit. A link written before the Fit settings held
  // a study's groups has them as `groups=` (a comma-separated list; no name had a comma).
  const legacyGroups = q.get('study') ? q.get('groups') : null;
  settings.group = readGroups(search) ?? legacyGroups?.split(',').filter(Boolean) ?? [];
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
    upload = q.get('upload');
  const data: DataRef | undefined = dataset
    ? { kind: 'bundled', id: dataset }
    : study
      ? { kind: 'study', name: study }
      : upload
        ? { kind: 'upload', name: upload }
        : undefined;
  return { data, settings, planner, shape };
}

export function writeUrlState(state: UrlState): string {
  const q = new URLSearchParams();
  if (state.data?.kind === 'bundled') q.set('dataset', state.data.id);
  if (state.data?.kind === 'upload') q.set('upload', state.data.name);
  if (state.data?.kind === 'study') q.set('study', state.data.name);
  for (const k of settingKeys) if (state.settings[k] !== defaultSettings[k]) q.set(k, String(state.settings[k]));
  const rest = new URLSearchParams();
  for (const k of plannerKeys)
    if (state.planner[k] !== defaultPlannerInputs[k]) rest.set(plannerParam(k), state.planner[k]);
  for (const k of shapeKeys)
    if (state.shape[k] !== defaultShapeInputs[k]) rest.set(shapeParam(k), String(state.shape[k]));
  const parts = [q.toString(), state.settings.group.length ? writeGroups(state.settings.group) : '', rest.toString()];
  const s = parts.filter(Boolean).join('&');
  return s ? `?${s}` : '';
}
