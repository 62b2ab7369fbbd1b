/**
 * Which of a study's runs to fit. A study records each run's phase (src/experiments/design.ts):
 * learning-rate probes (`lr-probe`), the IsoFLOP sweep (`isoflop`), a second stage (`scale-up`) and
 * a verification run (`verify`). `study run` fits the IsoFLOP and scale-up runs only — probes at one
 * size and the verification run at the target would distort the law — and so does this default; a
 * study imported without phases is fitted whole.
 */
import { selectGroups, type Dataset } from '../../../src/io/dataset.js';
import type { StudyRuns } from '../../../src/server/webApi.js';
import type { LoadedDataset } from './loaded.js';
import { toErrorInfo, type ErrorInfo } from './errors.js';

/** What a run without a group or phase is listed as. */
export const noGroup = '(no group)';
/** The phases `study run` fits (src/experiments/study.ts). */
export const fittedPhases = ['isoflop', 'scale-up'];

export const groupOf = (r: { group?: string }) => r.group ?? noGroup;

/** Each group of the completed runs with its count, in order of first appearance. */
export function runGroups(dataset: Dataset): { group: string; runs: number }[] {
  const counts = new Map<string, number>();
  for (const r of dataset.runs) counts.set(groupOf(r), (counts.get(groupOf(r)) ?? 0) + 1);
  return [...counts].map(([group, runs]) => ({ group, runs }));
}

/** The groups fitted by default: the study's IsoFLOP (and scale-up) runs when it has them, else every run. */
export function defaultGroups(dataset: Dataset): string[] {
  const all = runGroups(dataset).map((g) => g.group);
  const fitted = all.filter((g) => fittedPhases.includes(g));
  return fitted.length ? fitted : all;
}

/** The study's completed runs of the chosen groups, ready to open. */
export function studySelection(runs: Pick<StudyRuns, 'study' | 'dataset'>, groups: readonly string[]): LoadedDataset {
  const chosen = new Set(groups);
  const all = runGroups(runs.dataset).map((g) => g.group);
  const whole = all.every((g) => chosen.has(g));
  const shown = all.filter((g) => chosen.has(g));
  const dataset: Dataset = whole
    ? runs.dataset
    : {
        ...runs.dataset,
        source: `${runs.dataset.source}, ${shown.join(' and ')} runs`,
        runs: runs.dataset.runs.filter((r) => chosen.has(groupOf(r))),
      };
  return {
    dataset,
    label: whole ? `study ${runs.study}` : `study ${runs.study} (${shown.join(', ')})`,
    origin: 'study',
    key: runs.study,
    groups: shown,
  };
}

/**
 * The groups the Fit settings offer: the open data's group values (a row without one is in none), when
 * there are two or more — the groups `fit` warns are pooled (src/fit/warnings.ts).
 */
export function groupChoices(loaded: LoadedDataset | undefined): { group: string; runs: number }[] {
  const groups = loaded ? runGroups(loaded.dataset).filter((g) => g.group !== noGroup) : [];
  return groups.length >= 2 ? groups : [];
}

/**
 * The runs fitted: the open data, or its rows of the group chosen in the Fit settings, selected as `fit
 * --group` selects them (selectGroups: the same rows and note, so no pooled warning); a group the data
 * lack is an error to show, not an empty fit.
 */
export function fittedRuns(
  loaded: LoadedDataset | undefined,
  group: string,
): { loaded?: LoadedDataset; error?: ErrorInfo } {
  if (!loaded || group === '') return { loaded };
  try {
    const dataset = selectGroups(loaded.dataset, [group]);
    return { loaded: { ...loaded, dataset, label: `${loaded.label}, group ${group}` } };
  } catch (e) {
    return { error: toErrorInfo(e) };
  }
}
