/**
 * The store's runs as the rest of ScaleLab reads a file of them: a Dataset for `fit` and `frontier`
 * (storeDataset), one name per run as `runs export` writes it (distinctRunNames), and which completed
 * runs a study left out of its fit (leftOutByStudy). Separate from RunStore: these read what it gives
 * and write nothing.
 */
import type { Dataset, Run } from '../io/dataset.js';
import type { RunStore, StoredRun } from './store.js';

/**
 * Each stored run's name as a file of them says it (`runs export`, a fit from the store), one name per run:
 * a name that several stored runs share (two imported files each with a run "r1", kept apart by their N,
 * or one name in two studies) is followed by the run's id, "r1 (run 4)". Unqualified, the file's rows of
 * one name read as checkpoints of one run: fit and frontier refused two sizes under it, and a bootstrap
 * drew the runs together. A run stored without a name is `run-<id>`.
 */
export function distinctRunNames(runs: readonly { id: number; name: string | null }[]): Map<number, string> {
  const ids = new Map<string, Set<number>>();
  for (const r of runs) {
    const name = r.name ?? `run-${r.id}`;
    ids.set(name, (ids.get(name) ?? new Set()).add(r.id));
  }
  const names = new Map<number, string>();
  for (const r of runs) {
    const name = r.name ?? `run-${r.id}`;
    names.set(r.id, ids.get(name)!.size > 1 ? `${name} (run ${r.id})` : name);
  }
  return names;
}

/** Whether a study left this completed run out of its fit: a fit from the store or an export leaves it out too. */
export function leftOutByStudy(r: Pick<StoredRun, 'status' | 'leftOut'>): boolean {
  return r.status === 'completed' && r.leftOut !== null;
}

/**
 * Completed runs as a Dataset that `fit` and `frontier` read; with the lineage an import recorded, so
 * that a bootstrap draws a lineage's runs together, as it does reading the file.
 */
export function storeDataset(store: RunStore, study?: string): Dataset {
  const rows = store.fitRows(study);
  const names = distinctRunNames(rows);
  const runs: Run[] = rows.map((r, i) => ({
    ...(r.N !== null ? { N: r.N } : {}),
    ...(r.D !== null ? { D: r.D } : {}),
    ...(r.C !== null ? { C: r.C } : r.N !== null && r.D !== null ? { C: 6 * r.N * r.D } : {}),
    ...(r.U !== null ? { U: r.U } : {}),
    loss: r.loss,
    // As `runs export` writes it: an imported group, else the study's phase (lr-probe, isoflop, …),
    // so that a study's runs can be chosen by experiment as `fit --group isoflop` does.
    ...((r.grp ?? r.phase) !== null ? { group: (r.grp ?? r.phase)! } : {}),
    ...(r.name !== null ? { run: names.get(r.id)! } : {}),
    ...(r.lineage !== null ? { lineage: r.lineage } : {}),
    line: i + 1,
  }));
  return {
    source: `${store.path}${study ? ` (study ${study})` : ''}`,
    runs,
    columns: {
      N: 'N',
      D: 'D',
      C: 'C',
      loss: 'loss',
      ...(runs.some((r) => r.lineage !== undefined) ? { lineage: 'lineage' } : {}),
    },
    derived: {},
  };
}
