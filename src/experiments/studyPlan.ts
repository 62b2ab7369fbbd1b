/**
 * What a study was planned with, recorded when it is created, so that running it again resumes the
 * same plan and a different plan is not silently mixed into it (issue 18: `study run` with other
 * budgets added runs to the existing "default" study).
 */

/** The flags that decide a study's runs, as given on the command line (strings, or true for a switch). */
export interface StudyPlanRecord {
  /** The command that planned it: `study run` or `sweep run`. */
  command: string;
  flags: Record<string, string | boolean | null>;
}

function isStudyPlanRecord(value: unknown): value is StudyPlanRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StudyPlanRecord).command === 'string' &&
    typeof (value as StudyPlanRecord).flags === 'object'
  );
}

/**
 * How `asked` differs from the plan a study was created with, one phrase per difference
 * (`--experiment-hours 12, now 6`); empty when they agree or when no plan was recorded (a study
 * made before plans were recorded resumes as before).
 */
export function planDifferences(stored: unknown, asked: StudyPlanRecord): string[] {
  if (!isStudyPlanRecord(stored)) return [];
  if (stored.command !== asked.command) return [`it was made by "${stored.command}", not "${asked.command}"`];
  const show = (flag: string, v: string | boolean | null | undefined) =>
    v === true ? flag : v === undefined || v === null || v === false ? `no ${flag}` : `${flag} ${v}`;
  // 12 and 12.0 are one budget.
  const same = (a: string | boolean | null, b: string | boolean | null) =>
    a === b || (typeof a === 'string' && typeof b === 'string' && a.trim() !== '' && Number(a) === Number(b));
  const names = [...new Set([...Object.keys(stored.flags), ...Object.keys(asked.flags)])];
  return names
    .filter((k) => !same(stored.flags[k] ?? null, asked.flags[k] ?? null))
    .map((k) => `${show(k, stored.flags[k])}, now ${show(k, asked.flags[k])}`);
}
