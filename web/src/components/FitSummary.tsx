import { downloadText, fileStem } from '../lib/download.js';
import { formatNumber } from '../lib/format.js';
import type { LoadedDataset } from '../lib/loaded.js';
import type { FitJson } from '../../../src/fit/summary.js';
import type { FitOutcome } from '../worker/protocol.js';
import { getLaw, lawChoiceFromJson } from '../../../src/laws/index.js';
import { TrustBadge, TrustWarnings } from './TrustWarnings.js';
import { useAdvice } from '../hooks/useAdvice.js';

interface Props {
  loaded: LoadedDataset;
  outcome: FitOutcome;
  running: boolean;
}

/** The procedure, which candidate's law is shown (auto) and what it was reduced to. */
function procedureLine(fit: FitJson): string {
  const p = fit.procedure!;
  const notes: string[] = [];
  if (p.id === 'auto') notes.push(`law shown: ${p.chosen}'s`);
  if (p.reduction) notes.push(`reduced to ${fit.law}${fit.variable ? ` in ${fit.variable}` : ''}`);
  return notes.length ? `${p.id} (${notes.join(', ')})` : p.id;
}

/** The fitted parameters in a line, by their symbols: "E = 1.817, A = 482.0, …". */
function paramsLine(fit: FitJson): string {
  const law = getLaw(lawChoiceFromJson(fit));
  return law.params.map((p) => `${p.symbol} = ${formatNumber(fit.params[p.name], 4)}`).join(', ');
}

/** "1 severe, 3 warnings, 5 notes": each severity counted, the worst first. */
export function severityCounts(counts: { severe: number; warning: number; info: number }): string {
  const parts = [
    counts.severe ? `${counts.severe} severe` : '',
    counts.warning ? `${counts.warning} warning${counts.warning === 1 ? '' : 's'}` : '',
    counts.info ? `${counts.info} note${counts.info === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no warnings';
}

/**
 * The fit, the answer first: the law with its fitted parameters and how far to trust it; then the
 * warnings, counted by severity and listed on demand (open at once when one is severe); then how it
 * was fitted (data, procedure, objective, convergence, time), and the fit as JSON.
 */
export function FitSummary({ loaded, outcome, running }: Props) {
  const { fit, timings } = outcome;
  const exportJson = () =>
    downloadText(
      `${JSON.stringify(fit, null, 2)}\n`,
      `${fileStem(fit.data.source)}-${fit.law}-fit.json`,
      'application/json',
    );
  const residual = (fit.loss.space ?? 'log') === 'linear' ? 'L̂ − L' : 'ln L̂ − ln L';

  return (
    <section className="panel" aria-labelledby="fit-heading" aria-busy={running}>
      <div className="panel-title">
        <h2 id="fit-heading" tabIndex={-1}>
          {fit.law} fit to {loaded.label}
        </h2>
        <span className={running ? 'badge busy' : 'badge'} data-testid="fit-status">
          {running ? 'refitting…' : 'up to date'}
        </span>
        <button type="button" data-testid="export-fit" onClick={exportJson}>
          Fit as JSON
        </button>
      </div>
      <p className="answer" data-testid="fit-answer">
        <TrustBadge trust={fit.trust} testId="fit-trust-answer" /> <span className="formula">{fit.formula}</span> with{' '}
        <strong>{paramsLine(fit)}</strong>
      </p>
      <WarningsSummary fit={fit} others={outcome.warnings} />
      <p className="muted">{fit.citation}</p>
      <dl className="facts">
        <dt>data</dt>
        <dd>
          {fit.data.source}: {fit.data.runs} runs
          {Object.keys(fit.data.derived).length > 0 &&
            ` (${Object.entries(fit.data.derived)
              .map(([k, v]) => `${k} = ${v}`)
              .join(', ')})`}
          {fit.data.selection && `; ${fit.data.selection}`}
        </dd>
        <dt>columns</dt>
        <dd data-testid="fit-columns">
          {/* As fit's report says them: a size read in its header's unit (params (M)) says its factor. */}
          {Object.entries(fit.data.columns)
            .map(([f, c]) => (f === c ? f : `${f} ← "${c}"${fit.data.scaled?.[f] ? ` ${fit.data.scaled[f]}` : ''}`))
            .join(', ')}
        </dd>
        {fit.procedure && (
          <>
            <dt>procedure</dt>
            <dd data-testid="fit-procedure">{procedureLine(fit)}</dd>
          </>
        )}
        <dt>loss</dt>
        <dd data-testid="fit-loss">
          {fit.loss.kind}
          {fit.loss.kind === 'huber' && ` (δ = ${fit.loss.delta})`} on {residual}, summed
        </dd>
        <dt>objective</dt>
        <dd data-testid="fit-objective">{fit.objective.toExponential(7)}</dd>
        <dt>converged</dt>
        <dd>
          <span data-testid="fit-converged">
            {fit.converged ? 'yes' : 'no'} ({fit.reason}, {fit.iterations} iteration{fit.iterations === 1 ? '' : 's'},
            gradient norm {fit.gradientNorm.toExponential(2)})
          </span>{' '}
          — trust: <TrustBadge trust={fit.trust} testId="fit-trust" />
        </dd>
        <dt>starts</dt>
        <dd>
          {fit.startsAtBest} of {fit.starts} refined starts reached the best optimum ({fit.init.evaluated} grid points
          scored)
        </dd>
        <dt>residuals</dt>
        <dd>
          rms of ln L̂ − ln L {formatNumber(fit.residuals.rmsLog, 3)}, median |error|{' '}
          {(fit.residuals.medianAbsRelative * 100).toFixed(2)} %
        </dd>
        {fit.bootstrap && (
          <>
            <dt>bootstrap</dt>
            <dd>
              {fit.bootstrap.converged} of {fit.bootstrap.replicates} replicates converged (seed {fit.bootstrap.seed}),{' '}
              {Math.round(fit.bootstrap.level * 100)} % intervals
            </dd>
          </>
        )}
        <dt>time</dt>
        <dd data-testid="fit-time" data-fit-ms={timings.fitMs.toFixed(1)} data-total-ms={timings.totalMs.toFixed(1)}>
          fit {timings.fitMs.toFixed(0)} ms
          {fit.bootstrap ? `, bootstrap ${timings.bootstrapMs.toFixed(0)} ms` : ''}, analysis and figures{' '}
          {timings.analysisMs.toFixed(0)} ms (in a Web Worker)
        </dd>
      </dl>
    </section>
  );
}

/** The fit's warnings (structured, with severity) and the analysis's (approaches, plan: counted as warnings), summarised, expandable. */
function WarningsSummary({ fit, others }: { fit: FitJson; others: string[] }) {
  const advise = useAdvice();
  const count = (s: string) => fit.warnings.filter((w) => w.severity === s).length;
  const counts = { severe: count('severe'), warning: count('warning') + others.length, info: count('info') };
  if (fit.warnings.length + others.length === 0) return null;
  return (
    <details className="warnings-summary" data-testid="warnings-summary" open={counts.severe > 0}>
      <summary>
        Warnings: <span data-testid="warnings-counts">{severityCounts(counts)}</span>
        {others.length > 0 && (
          <span className="muted">
            {' '}
            ({fit.warnings.length ? `the fit ${fit.warnings.length}, ` : ''}the frontier and the plan {others.length})
          </span>
        )}
      </summary>
      <TrustWarnings warnings={fit.warnings} testId="trust-warnings" />
      {others.length > 0 && (
        <ul className="warnings" data-testid="fit-warnings">
          {others.map((w) => (
            <li key={w}>{advise(w)}</li>
          ))}
        </ul>
      )}
    </details>
  );
}
