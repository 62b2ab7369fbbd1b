/** A bar of `done` out of `total` (nothing until the total is known), as the long analyses show their progress. */
export function ProgressBar({ progress }: { progress?: { done: number; total: number } }) {
  if (!progress || progress.total <= 0) return null;
  return (
    <div className="progress">
      <div className="progress-done" style={{ width: `${(100 * progress.done) / progress.total}%` }} />
    </div>
  );
}
