import { procedures } from '../../../src/fit/procedures.js';
import { formatNumber } from '../lib/format.js';
import { downloadText, fileStem } from '../lib/download.js';
import type { BacktestState } from '../hooks/useBacktest.js';
import type { BacktestSettings } from '../worker/protocol.js';
import { Field } from './Field.js';
import { VegaFigure } from './VegaFigure.js';
import { useAdvice } from '../hooks/useAdvice.js';
import { ProgressBar } from './ProgressBar.js';
import { ReplicatesSelect } from './ReplicatesSelect.js';
import { TableScroll } from './TableScroll.js';
import { RunButton } from './RunButton.js';

interface Props {
  state: BacktestState;
  settings: BacktestSettings;
  onChange: (settings: BacktestSettings) => void;
  withFit: boolean;
  onWithFit: (withFit: boolean) => void;
  source: string;
}

const choices = [
  { id: 'auto', title: 'the default ensemble (huber, tied-huber, gadre)' },
  ...procedures.map((p) => ({ id: p.id, title: p.title })),
];
const foldChoices = [2, 3, 4, 5, 6];

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(2)} %`);
const sameSettings = (a: BacktestSettings, b: BacktestSettings) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The rolling-origin back-test, as in the report: each chosen procedure fitted below a few cutoffs
 * in C and scored on the runs above (error, bias, interval coverage), overall and by how far out.
 */
export function BacktestPanel({ state, settings, onChange, withFit, onWithFit, source }: Props) {
  const advise = useAdvice();
  const toggle = (id: string, on: boolean) => {
    const chosen = new Set(settings.procedures);
    if (on) chosen.add(id);
    else chosen.delete(id);
    // In the list's order, so that tables and legends keep theirs.
    onChange({ ...settings, procedures: choices.map((c) => c.id).filter((c) => chosen.has(c)) });
  };
  const b = state.outcome?.backtest;
  const stale = state.settings && !sameSettings(state.settings, settings);
  const exportJson = () =>
    b && downloadText(`${JSON.stringify(b, null, 2)}\n`, `${fileStem(source)}-backtest.json`, 'application/json');

  return (
    <section className="panel" aria-labelledby="backtest-heading" data-testid="backtest" aria-busy={state.running}>
      <div className="panel-title">
        <h2 id="backtest-heading">Back-test: how well each procedure extrapolated on these runs</h2>
        <RunButton
          running={state.running}
          unavailable={settings.procedures.length === 0 ? 'Choose a procedure to compare first.' : undefined}
          onRun={state.run}
          label={b ? 'Run again' : 'Run the back-test'}
          busyLabel="Running…"
          testId="backtest-run"
        />
        <button type="button" data-testid="export-backtest" disabled={!b} onClick={exportJson}>
          Back-test as JSON
        </button>
      </div>
      <p className="muted">
        At each cutoff in compute, each procedure is fitted to the runs at or below it and predicts every run above it
        (at the run&apos;s final checkpoint), with prediction intervals from a bootstrap over whole runs, a run&apos;s
        scatter and the extrapolation term. It runs in a worker of its own: fits go on while it works.
      </p>
      <div className="backtest-form">
        <fieldset className="procedures">
          <legend>Procedures to compare</legend>
          {choices.map((c) => (
            <label key={c.id} title={c.title}>
              <input
                type="checkbox"
                data-testid={`backtest-procedure-${c.id}`}
                checked={settings.procedures.includes(c.id)}
                onChange={(e) => toggle(c.id, e.target.checked)}
              />{' '}
              {c.id}
            </label>
          ))}
        </fieldset>
        <Field label="Cutoffs in C">
          <select
            data-testid="backtest-folds"
            value={settings.folds}
            onChange={(e) => onChange({ ...settings, folds: Number(e.target.value) })}
          >
            {foldChoices.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Bootstrap per fit" hint="For the intervals whose coverage is counted; none: errors only.">
          <ReplicatesSelect
            testId="backtest-replicates"
            value={settings.replicates}
            onChange={(replicates) => onChange({ ...settings, replicates })}
          />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            data-testid="backtest-with-fit"
            checked={withFit}
            onChange={(e) => onWithFit(e.target.checked)}
          />{' '}
          run with every fit (new data or settings)
        </label>
      </div>
      {state.running && (
        <div data-testid="backtest-running">
          <p className="muted">
            Back-testing
            {state.progress
              ? `: ${state.progress.done} of ${state.progress.total} fits (a procedure at a cutoff) done`
              : '…'}
          </p>
          <ProgressBar progress={state.progress} />
        </div>
      )}
      {state.error && (
        <p className="inline-error" role="status" data-testid="backtest-error">
          The back-test could not run: {advise(state.error.message)}
        </p>
      )}
      {b && state.outcome && (
        <div data-testid="backtest-result">
          {stale && (
            <p className="muted" data-testid="backtest-stale">
              Computed with other settings ({state.settings!.procedures.join(', ')}; {state.settings!.folds} cutoffs;{' '}
              {state.settings!.replicates || 'no'} replicates): run it again to see the ones chosen.
            </p>
          )}
          <p>
            Cutoffs:{' '}
            {b.cutoffs
              .map(
                (c) =>
                  `C ≤ ${formatNumber(c.cutoff, 3)} (${c.fitRuns} fitted, ${c.heldOut} predicted${c.withheld ? `, ${c.withheld} withheld with their lineage` : ''})`,
              )
              .join('; ')}
            .
            {b.lineages
              ? ` A lineage (${b.lineages} in the data: runs sharing most of their training) is fitted only when all its runs are at or below the cutoff.`
              : ''}{' '}
            Errors are (L̂ − L)/L; a positive bias over-predicts the loss.
            {b.replicates
              ? ` Intervals: ${b.replicates} bootstrap replicates per fit.`
              : ' No intervals (no bootstrap).'}{' '}
            <span className="muted">Took {(state.outcome.timings.backtestMs / 1000).toFixed(1)} s.</span>
          </p>
          <TableScroll label="Back-test by procedure">
            <table className="compact" data-testid="backtest-summary">
              <thead>
                <tr>
                  <th>procedure</th>
                  <th className="num">predictions</th>
                  <th className="num">mean |error|</th>
                  <th className="num">worst</th>
                  <th className="num">bias</th>
                  {b.levels.map((l) => (
                    <th key={l} className="num">
                      in {Math.round(l * 100)} % interval
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.summaries.map((s) => (
                  <tr key={s.procedure} data-testid={`backtest-row-${s.procedure}`}>
                    <th scope="row">{s.procedure}</th>
                    <td className="num">{s.predictions}</td>
                    <td className="num">{pct(s.meanAbsRelativeError)}</td>
                    <td className="num">{pct(s.worstAbsRelativeError)}</td>
                    <td className="num">{pct(s.bias)}</td>
                    {b.levels.map((l) => (
                      <td
                        key={l}
                        className="num"
                        data-testid={`backtest-coverage-${s.procedure}-${Math.round(l * 100)}`}
                      >
                        {pct(s.coverage[String(l)])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {b.summaries.some((s) => s.failures.length > 0) && (
            <ul className="skipped">
              {b.summaries.flatMap((s) =>
                s.failures.map((f) => (
                  <li key={`${s.procedure}-${f.cutoff}`}>
                    {s.procedure} could not be fitted below C = {formatNumber(f.cutoff, 3)}: {advise(f.reason)}
                  </li>
                )),
              )}
            </ul>
          )}
          <TableScroll label="Back-test error by how far out">
            <table className="compact" data-testid="backtest-bins">
              <caption>Mean |error| (predictions) by how far out: compute over the largest compute fitted</caption>
              <thead>
                <tr>
                  <th>compute ratio</th>
                  {b.procedures.map((p) => (
                    <th key={p} className="num">
                      {p}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.bins.map((bin) => (
                  <tr key={bin.range[0]}>
                    <th scope="row">
                      {bin.range[0]}–{Number.isFinite(bin.range[1]) ? bin.range[1] : '∞'}×
                    </th>
                    {b.procedures.map((p) => (
                      <td key={p} className="num">
                        {bin.byProcedure[p]
                          ? `${pct(bin.byProcedure[p].meanAbsRelativeError)} (${bin.byProcedure[p].predictions})`
                          : '–'}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {state.outcome.warnings.length > 0 && (
            <ul className="warnings" data-testid="backtest-warnings">
              {state.outcome.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          {state.outcome.figure ? (
            <VegaFigure
              kind="backtest"
              caption="Back-test: error of each held-out run against how far beyond the fitted runs it lies"
              spec={state.outcome.figure}
              filename={`${fileStem(source)}-backtest`}
            />
          ) : (
            <p className="warn" data-testid="backtest-none">
              No run could be predicted:{' '}
              {state.outcome.backtest.summaries
                .flatMap((s) =>
                  s.failures.map(
                    (f) => `${s.procedure} at ${state.outcome!.backtest.by} ≤ ${f.cutoff.toPrecision(3)}: ${f.reason}`,
                  ),
                )
                .join('; ')}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
