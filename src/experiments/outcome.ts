/**
 * A learning-rate probe's largest rates are meant to diverge: that is how the probe finds where training
 * stops being stable. A probe run that diverged is said as such wherever failed runs are counted (sweep
 * run, sweep status, a study's report), not as a bare failure. Pure: the study's report imports it.
 */

/** A run as far as its outcome goes: a stored run (phase and reason may be null) or a study's outcome. */
export interface RunOutcomeFacts {
  phase?: string | null;
  status: string;
  reason?: string | null;
}

/** A failed learning-rate probe run that diverged. */
export function isDivergedProbe(r: RunOutcomeFacts): boolean {
  return r.status === 'failed' && r.phase === 'lr-probe' && /diverge/i.test(r.reason ?? '');
}

/**
 * Said after a count of failed runs when some of them are diverged probe runs:
 * " (a learning-rate probe run that diverged, as a probe's largest rates should)"; empty when none
 * diverged. `failed` counts every failed run, the diverged probes among them.
 */
export function divergedProbeNote(probeDiverged: number, failed: number): string {
  if (!probeDiverged) return '';
  const which = probeDiverged === failed ? (failed === 1 ? 'a' : 'all') : `${probeDiverged} of them`;
  return ` (${which} learning-rate probe run${probeDiverged === 1 ? '' : 's'} that diverged, as a probe's largest rates should)`;
}

/** How a finished sweep went: its runs by outcome, and whether it failed. */
export interface SweepOutcome {
  completed: number;
  /** Failed runs that make the sweep a failure. */
  failed: number;
  /** Learning-rate probe runs that diverged: finding where training diverges is what a probe is for. */
  probeDiverged: number;
  cancelled: number;
  total: number;
  /** True when a run failed (other than a diverged probe), was cancelled, or none completed. */
  isFailure: boolean;
}

export function sweepOutcome(runs: readonly RunOutcomeFacts[]): SweepOutcome {
  const failedRuns = runs.filter((r) => r.status === 'failed');
  const probeDiverged = failedRuns.filter(isDivergedProbe).length;
  const completed = runs.filter((r) => r.status === 'completed').length;
  const cancelled = runs.filter((r) => r.status === 'cancelled').length;
  const failed = failedRuns.length - probeDiverged;
  return {
    completed,
    failed,
    probeDiverged,
    cancelled,
    total: runs.length,
    isFailure: runs.length > 0 && (failed > 0 || cancelled > 0 || completed === 0),
  };
}

/**
 * Hours spent by runs, said as simulated where the sim backend's cost model gave them (a simulated
 * sweep of "12 h" takes seconds): "11.99 simulated h (the sim backend's cost model)", or with other
 * backends' runs, "13.20 h (11.99 of them simulated by the sim backend's cost model)".
 */
export function hoursSpent(runs: readonly { backend: string | null; seconds: number | null }[]): {
  hours: number;
  simulatedHours: number;
  text: string;
} {
  const hours = runs.reduce((s, r) => s + (r.seconds ?? 0), 0) / 3600;
  const simulatedHours = runs.filter((r) => r.backend === 'sim').reduce((s, r) => s + (r.seconds ?? 0), 0) / 3600;
  const all = simulatedHours > 0 && simulatedHours === hours;
  const text = all
    ? `${hours.toFixed(2)} simulated h (the sim backend's cost model)`
    : simulatedHours > 0
      ? `${hours.toFixed(2)} h (${simulatedHours.toFixed(2)} of them simulated by the sim backend's cost model)`
      : `${hours.toFixed(2)} h`;
  return { hours, simulatedHours, text };
}
