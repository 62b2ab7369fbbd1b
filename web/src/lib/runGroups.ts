/**
 * Which of a study's runs to fit. A study records each run's phase (src/experiments/design.ts):
 * learning-rate probes (`lr-probe`), the IsoFLOP sweep (`isoflop`), a second stage (`scale-up`) and
 * a verification run (`verify`). `study run` fits the IsoFLOP and scale-up runs only — probes at one
 * size and the verification run at the target would distort the law — and so does the Fit settings'
 * choice when a study is opened; a study imported without phases is fitted whole.
 */
import { noGroup, selectGroups, type Dataset } from '../../../src/io/dataset.js';
import type { StudyRuns } from '../../../src/server/webApi.js';
import type { LoadedDataset } from './loaded.js';
import { toErrorInfo, type ErrorInfo } from './errors.js';

/** What a run without a group or phase is listed as: the name `--group` gives it too. */
export { noGroup };
/** The phases `study run` fits (src/experiments/study.ts). */
export const fittedPhases = ['isoflop', 'scale-up'];

export const groupOf = (r: { group?: string }) => r.group ?? noGroup;

/** Each group of the completed runs with its count, in order of first appearance. */
export function runGroups(dataset: Dataset): { group: string; runs: number }[] {
  const counts = new Map<string, number>();
  for (const r of dataset.runs) counts.set(groupOf(r), (counts.get(groupOf(r)) ?? 0) + 1);
  return [...counts].map(([group, runs]) => ({ group, runs }));
}

/**
 * The groups a study is fitted with when it is opened: its IsoFLOP (and scale-up) runs when it has other
 * groups beside them, else none chosen (every run) — the Fit settings' "Runs to fit" then offers the rest.
 */
export function studyDefaultGroups(dataset: Dataset): string[] {
  const choices = groupChoices({ dataset }).map((g) => g.group);
  const fitted = choices.filter((g) => fittedPhases.includes(g));
  return fitted.length > 0 && fitted.length < choices.length ? fitted : [];
}

/** A study's runs, opened whole: which of its groups are fitted is the Fit settings' choice. */
export function studyData(runs: Pick<StudyRuns, 'study' | 'dataset'>): LoadedDataset {
  return { dataset: runs.dataset, label: `study ${runs.study}`, origin: 'study', key: runs.study };
}

/**
 * The groups the Fit settings offer: the open data's group values, when there are two or more — the
 * groups `fit` warns are pooled (src/fit/warnings.ts) — or one beside rows without a group (runs imported
 * into a study beside its sweep); those rows are then a box of their own (noGroup), last.
 */
export function groupChoices(loaded: Pick<LoadedDataset, 'dataset'> | undefined): { group: string; runs: number }[] {
  const all = loaded ? runGroups(loaded.dataset) : [];
  const named = all.filter((g) => g.group !== noGroup);
  const none = all.filter((g) => g.group === noGroup);
  return named.length >= 2 || (named.length === 1 && none.length) ? [...named, ...none] : [];
}

/**
 * The choice after one group is ticked or unticked, in the data's order (a chosen name the data lack
 * after them). Every group ticked is no choice: the rows pooled as `fit` reads them without --group, so
 * one look of the boxes is one fit. The runs with no group (noGroup) are a box like any other: `--group`
 * names them '(no group)'.
 */
export function toggleGroup(
  choices: readonly string[],
  chosen: readonly string[],
  group: string,
  on: boolean,
): string[] {
  const ticked = new Set(chosen.length ? chosen : choices);
  if (on) ticked.add(group);
  else ticked.delete(group);
  const next = [...choices.filter((g) => ticked.has(g)), ...[...ticked].filter((g) => !choices.includes(g))];
  return next.length === choices.length && choices.every((g) => ticked.has(g)) ? [] : next;
}

/**
 * The `--group` that selects `groups`, as a shell takes it: quoted when a name holds anything but letters,
 * digits and `._-` ('(no group)', say).
 */
export function groupFlag(groups: readonly string[]): string {
  const list = groups.join(',');
  return /^[\w.,-]+$/.test(list) ? `--group ${list}` : `--group '${list.replace(/'/g, `'\\''`)}'`;
}

/**
 * The runs fitted: the open data, or its rows of the groups chosen in the Fit settings, pooled and
 * selected as `fit --group a,b` selects them (selectGroups: the same rows and note, so no pooled
 * warning); groups none of whose rows the data hold are an error to show, not an empty fit.
 */
export function fittedRuns(
  loaded: LoadedDataset | undefined,
  groups: readonly string[],
): { loaded?: LoadedDataset; error?: ErrorInfo } {
  if (!loaded || groups.length === 0) return { loaded };
  try {
    // The runs with no group are the empty group to selectGroups, and a cell saying "(no group)" is in
    // their box too (groupOf): both, as `--group '(no group)'` reads them.
    const dataset = selectGroups(
      loaded.dataset,
      groups.flatMap((g) => (g === noGroup ? ['', noGroup] : [g])),
    );
    const named = groups.length === 1 ? `group ${groups[0]}` : `groups ${groups.join(', ')}`;
    return { loaded: { ...loaded, dataset, label: `${loaded.label}, ${named}` } };
  } catch (e) {
    return { error: toErrorInfo(e) };
  }
}
