import type { Trust, TrustWarning } from '../../../src/fit/warnings.js';
import { useAdvice } from '../hooks/useAdvice.js';

/** A fit's trust in words: what the worst of its warnings means for using it. */
export const trustVerdicts: Record<Trust, string> = {
  ok: 'ok: no warnings',
  caution: 'caution: treat the numbers with care',
  untrusted: 'untrusted: do not extrapolate',
};

export function TrustBadge({ trust, testId }: { trust: Trust; testId?: string }) {
  return (
    <span className={`trust trust-${trust}`} data-testid={testId} data-trust={trust}>
      {trustVerdicts[trust]}
    </span>
  );
}

/** Structured warnings (src/fit/warnings.ts), each with its severity (info, warning, severe) and code. */
export function TrustWarnings({
  warnings,
  testId,
  compact,
}: {
  warnings: TrustWarning[];
  testId?: string;
  compact?: boolean;
}) {
  const advise = useAdvice();
  if (warnings.length === 0) return null;
  return (
    <ul className={compact ? 'trust-warnings compact' : 'trust-warnings'} data-testid={testId}>
      {warnings.map((w, i) => (
        <li key={`${w.code}-${i}`} className={`severity-${w.severity}`} data-severity={w.severity} data-code={w.code}>
          <span className="severity">{w.severity}</span> <code>{w.code}</code> {advise(w.message)}
        </li>
      ))}
    </ul>
  );
}
