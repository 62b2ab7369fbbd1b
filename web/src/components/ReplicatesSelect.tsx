/** Bootstrap replicates to draw: none, 20, 50 or 100 (what the back-test and downstream panels offer). */
const fewReplicates = [0, 20, 50, 100];
/** The compare and muP panels' choices: their default, 200, is the CLI's (`compare`, `mup transfer`). */
export const manyReplicates = [0, 50, 200, 1000];

/**
 * The one select for a count of bootstrap replicates (0 reads "none"). With `defaultValue` the panel's
 * default is marked "(default)", as a default the user did not choose is everywhere.
 */
export function ReplicatesSelect({
  value,
  onChange,
  testId,
  choices = fewReplicates,
  defaultValue,
}: {
  value: number;
  onChange: (replicates: number) => void;
  testId: string;
  choices?: readonly number[];
  defaultValue?: number;
}) {
  return (
    <select data-testid={testId} value={value} onChange={(e) => onChange(Number(e.target.value))}>
      {choices.map((n) => (
        <option key={n} value={n}>
          {n === 0 ? 'none' : n}
          {n === defaultValue ? ' (default)' : ''}
        </option>
      ))}
    </select>
  );
}
