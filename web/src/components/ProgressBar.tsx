/** A bar of `done` out of `total` (nothing until the total is known), as the long analyses show their progress. */
export function ProgressBar({ progress }: { progress?: { done: number; total: number } }) {
  if (!progress || progress.total <= 0) return null;
  return (
    <div className="progress">
      <div className="progress-done" style={{ width: `${(100 * progress.done) / progress.total}%` }} />
    </div>
  );
}

/**
 * What a panel shows while its analysis runs in a worker: "Comparing: 3 of 200 bootstrap replicates
 * done" (or "Comparing…" until the total is known) over the bar, announced to screen readers.
 */
export function RunningStatus({
  testId,
  doing,
  steps,
  progress,
}: {
  testId: string;
  /** The panel's verb, e.g. "Comparing". */
  doing: string;
  /** What is counted, e.g. "bootstrap replicates". */
  steps: string;
  progress?: { done: number; total: number };
}) {
  return (
    <div data-testid={testId} role="status">
      <p className="muted">
        {doing}
        {progress ? `: ${progress.done} of ${progress.total} ${steps} done` : '…'}
      </p>
      <ProgressBar progress={progress} />
    </div>
  );
}
