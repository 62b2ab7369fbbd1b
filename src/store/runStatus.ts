/**
 * Where a planned training run stands, the store's vocabulary: one list, read by the store, the
 * CLI's `runs ls --status`, the web API's schema and the web app. Pure (no Node APIs), so the web
 * app imports it without the store.
 */

/** In the order a run goes through them. */
export const runStatuses = ['planned', 'submitting', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;

export type RunStatus = (typeof runStatuses)[number];
