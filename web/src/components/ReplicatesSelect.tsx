/** Bootstrap replicates to draw: none, 20, 50 or 100 (what the back-test and downstream panels offer). */
const replicateChoices = [0, 20, 50, 100];

export function ReplicatesSelect({
  value,
  onChange,
  testId,
}: {
  value: number;
  onChange: (replicates: number) => void;
  testId: string;
}) {
  return (
    <select data-testid={testId} value={value} onChange={(e) => onChange(Number(e.target.value))}>
      {replicateChoices.map((n) => (
        <option key={n} value={n}>
          {n === 0 ? 'none' : n}
        </option>
      ))}
    </select>
  );
}
