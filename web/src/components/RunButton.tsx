import { useId } from 'react';

/**
 * A panel's button that starts its analysis in a worker. While the analysis runs the button is busy
 * (aria-disabled), not disabled: a disabled button drops the focus to the page, and a keyboard or
 * screen-reader user who pressed it would be thrown back to the top. A press while it runs does nothing
 * (the panel's analysis would otherwise stop and start again). When it cannot run for another reason (no
 * file yet, a field to fix) it is disabled, and the reason is written beside it and read out with it: a
 * disabled button that says nothing of why is a dead end.
 */
export function RunButton({
  running,
  unavailable,
  onRun,
  label,
  busyLabel,
  testId,
}: {
  running: boolean;
  /** Why it cannot run now, in the panel's words; absent when it can. */
  unavailable?: string;
  onRun: () => void;
  label: string;
  /** Its words while the analysis runs ("Fitting…"). */
  busyLabel: string;
  testId: string;
}) {
  const reasonId = useId();
  return (
    <>
      <button
        type="button"
        className="primary inline"
        disabled={unavailable !== undefined}
        aria-disabled={running}
        aria-describedby={unavailable !== undefined ? reasonId : undefined}
        onClick={() => {
          if (!running) onRun();
        }}
        data-testid={testId}
      >
        {running ? busyLabel : label}
      </button>
      {unavailable !== undefined && (
        <span className="run-unavailable" id={reasonId} data-testid={`${testId}-unavailable`}>
          {unavailable}
        </span>
      )}
    </>
  );
}
