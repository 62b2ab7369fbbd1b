/**
 * An uploaded file kept in this browser tab (sessionStorage), so that a reload — which reads the URL —
 * opens it again. The URL holds only the file's name (`?upload=runs.csv`): the data stay in the tab,
 * never in a link. A file too large for the tab's storage is not kept; a reload then says so.
 */
import type { Field } from '../../../src/io/parseRuns.js';

const storageKey = 'scalelab.upload';

export interface KeptUpload {
  name: string;
  text: string;
  /** The column step's mapping, when the file needed one. */
  columns?: Partial<Record<Field, string>>;
}

/** Keep the upload for a reload; false when the tab's storage refused it (too large, or disabled). */
export function keepUpload(upload: KeptUpload): boolean {
  try {
    sessionStorage.setItem(storageKey, JSON.stringify(upload));
    return true;
  } catch {
    try {
      sessionStorage.removeItem(storageKey);
    } catch {
      // Storage disabled: nothing was kept.
    }
    return false;
  }
}

/** The upload kept under `name` in this tab, if any. */
export function keptUpload(name: string): KeptUpload | undefined {
  try {
    const raw = sessionStorage.getItem(storageKey);
    if (!raw) return undefined;
    const kept = JSON.parse(raw) as KeptUpload;
    return kept.name === name && typeof kept.text === 'string' ? kept : undefined;
  } catch {
    return undefined;
  }
}
