import { useState } from 'react';
import sweepCsv from '../../../examples/inputs/sweep.csv?raw';
import { formatInterval, formatNumber } from '../../../src/core/format.js';
import { parseRuns } from '../../../src/io/parseRuns.js';
import { hparamLawText } from '../../../src/report/text/hparams.js';
import { toErrorInfo, withNextStep, type ErrorInfo } from '../lib/errors.js';
import type { RunsFile } from '../lib/runsFile.js';
import { useHparamsSweep } from '../hooks/useWorkerAnalysis.js';
import { defaultHparamsSweepSettings } from '../worker/protocol.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PanelAdviceContext } from '../hooks/useAdvice.js';
import type { PanelAdvice } from '../lib/advice.js';
import { Field } from './Field.js';
import { RunsFileChoice } from './RunsFileChoice.js';
import { RunningStatus } from './ProgressBar.js';
import { manyReplicates, ReplicatesSelect } from './ReplicatesSelect.js';
import { TableScroll } from './TableScroll.js';
import { RunButton } from './RunButton.js';

const example: RunsFile = { name: 'examples/inputs/sweep.csv', text: sweepCsv };
/** The panel's own words for the library's advice: it reads its columns by name, and has its own replicates. */
const advice: PanelAdvice = {
  columns: (field) =>
    `give the file a column named ${field} (this panel reads a sweep's columns by their names: C, or N and D, lr, batch in tokens, loss)`,
  controls: { bootstrap: '"bootstrap replicates" in the optimiser panel', nearOptimal: 'the near-optimal field' },
};
const f4 = (v: number) => formatNumber(v, 4);
const again = { again: 'choose it again in the optimiser panel' };

/** Where a group's best run sits in its sweep, as the warnings say it. */
function edgeText(edge: 'lowest' | 'highest' | 'unswept' | undefined, what: string): string | undefined {
  if (!edge) return undefined;
  return edge === 'unswept' ? `one ${what} tried` : `best at the ${edge} ${what} swept`;
}

/** The near-optimal tolerance as typed: a fraction (0.0025) or a percentage (0.25%). */
function readTolerance(text: string): { value?: number; problem?: string } {
  const t = text.trim();
  const percent = t.endsWith('%');
  const value = Number(percent ? t.slice(0, -1) : t) / (percent ? 100 : 1);
  return t !== '' && Number.isFinite(value) && value >= 0
    ? { value }
    : { problem: `near-optimal: expected a fraction of the best loss such as 0.0025 or 0.25%, got "${t}"` };
}

/**
 * The optimiser settings for the planned run from your own sweep: learning-rate and batch laws in C
 * fitted by DeepSeek LLM's method (Bi et al. 2024 §3.1), as `scalelab hparams --sweep FILE --C C`
 * fits them, with bootstrap intervals, the grid-edge warnings, and η and the batch at the planner's C.
 */
export function HparamsSweepPanel({
  plannedC,
  noBudget,
}: {
  plannedC?: number;
  /**
   * Why the planner has no budget, as the planner says it (whyNoPlan): no data set open, its fit running or
   * failed, a law that does not split compute, a planner field that cannot be read.
   */
  noBudget: string | undefined;
}) {
  const [file, setFile] = useState<RunsFile>();
  const [bootstrap, setBootstrap] = useState(defaultHparamsSweepSettings.bootstrap);
  const [toleranceText, setToleranceText] = useState(String(defaultHparamsSweepSettings.nearOptimal));
  const [readError, setReadError] = useState<ErrorInfo>();
  const state = useHparamsSweep();
  const tolerance = readTolerance(toleranceText);

  const choose = (f: RunsFile) => {
    state.clear();
    setReadError(undefined);
    setFile(f);
  };

  const fit = () => {
    if (!file || plannedC === undefined || tolerance.value === undefined) return;
    setReadError(undefined);
    try {
      // As `hparams --sweep` reads its file: columns by their names, every row a run.
      const dataset = parseRuns(file.text, { source: file.name });
      state.run(dataset, {
        ...defaultHparamsSweepSettings,
        bootstrap,
        nearOptimal: tolerance.value,
        at: plannedC,
      });
    } catch (e) {
      state.clear();
      setReadError(withNextStep(toErrorInfo(e), again));
    }
  };

  const error = readError ?? state.error;
  const out = state.outcome;
  const fitted = out?.fitted;
  const p = fitted?.prediction;
  // As hparams --sweep writes a prediction's interval, "[95 % a, b]", by the one formatter.
  const interval = (i?: [number, number]) => (i ? ` ${formatInterval(i, 3, '95 % ')}` : '');
  return (
    <section className="panel" data-testid="hparams-panel" aria-labelledby="hparams-heading" aria-busy={state.running}>
      <h2 id="hparams-heading">Optimiser settings from your sweep (learning rate and batch)</h2>
      <p className="muted">
        A grid of learning rates and batches at several compute budgets, fitted as <code>scalelab hparams</code> fits a
        sweep (DeepSeek LLM&apos;s method, Bi et al. 2024 §3.1): per budget, the runs within the near-optimal tolerance
        of the best loss and their centre; power laws η*(C) and B*(C) through the centres; η and the batch predicted at
        the planner&apos;s budget. Columns C (or N and D), lr, batch (tokens) and loss. It runs in a worker of its own.
      </p>
      <div className="form-grid">
        <RunsFileChoice
          id="hparams"
          label="Sweep with C, lr, batch and loss"
          example={example}
          onChoose={choose}
          onError={(e) => setReadError(withNextStep(toErrorInfo(e), again))}
        />
        <Field label="bootstrap replicates">
          <ReplicatesSelect
            testId="hparams-replicates"
            choices={manyReplicates}
            defaultValue={defaultHparamsSweepSettings.bootstrap}
            value={bootstrap}
            onChange={(n) => (setBootstrap(n), state.clear())}
          />
        </Field>
        <Field
          label="near-optimal"
          hint={
            tolerance.problem ? (
              <span className="field-error" role="status" data-testid="hparams-tolerance-error">
                {tolerance.problem}
              </span>
            ) : toleranceText.trim() === String(defaultHparamsSweepSettings.nearOptimal) ? (
              "(default) DeepSeek's 0.25 % of the best loss"
            ) : (
              'of the best loss'
            )
          }
        >
          <input
            value={toleranceText}
            onChange={(e) => (setToleranceText(e.target.value), state.clear())}
            size={7}
            inputMode="decimal"
            aria-invalid={tolerance.problem !== undefined}
            data-testid="hparams-tolerance"
          />
        </Field>
        <RunButton
          running={state.running}
          unavailable={
            !file
              ? 'Choose a sweep, or the example, first.'
              : plannedC === undefined
                ? `No planner's budget to predict at. The planner: ${noBudget ?? ''}`
                : tolerance.problem
                  ? 'Fix the near-optimal field first.'
                  : undefined
          }
          onRun={fit}
          label="Fit the laws"
          busyLabel="Fitting…"
          testId="hparams-run"
        />
      </div>
      <p className="muted" data-testid="hparams-at">
        {plannedC === undefined
          ? `η and the batch are predicted at the planner’s budget, and it has none. The planner: ${noBudget ?? ''}`
          : `Predicted at the planner's budget, C = ${formatNumber(plannedC, 4)} FLOPs.`}
        {file && ` Sweep: ${file.name}.`}
      </p>
      {state.running && (
        <RunningStatus
          testId="hparams-running"
          doing="Fitting"
          steps="bootstrap replicates"
          progress={state.progress}
        />
      )}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="hparams-announcer">
        {p ? `Learning rate ${formatNumber(p.learningRate, 3)}, batch ${formatNumber(p.batch, 3)} tokens` : ''}
      </p>
      {error && (
        <PanelAdviceContext.Provider value={advice}>
          <ErrorBanner title="Optimiser settings" error={error} />
        </PanelAdviceContext.Provider>
      )}
      {out && fitted && p && (
        <div data-testid="hparams-result">
          <p className="answer" data-testid="hparams-prediction">
            At C = {formatNumber(p.at, 3)}: learning rate <strong>{f4(p.learningRate)}</strong>
            {interval(p.learningRateInterval)}; batch <strong>{f4(p.batch)}</strong> tokens
            {interval(p.batchInterval)}
          </p>
          <p className="source" data-testid="hparams-source">
            {out.source}
          </p>
          <p data-testid="hparams-lr-law">{hparamLawText('η_opt', fitted.lr, 'C')}</p>
          <p data-testid="hparams-batch-law">{hparamLawText('B_opt', fitted.batch, 'C', ' tokens')}</p>
          <TableScroll label="Each budget's near-optimal region">
            <table className="compact" data-testid="hparams-budgets">
              <caption>Each budget&apos;s near-optimal region and its centre</caption>
              <thead>
                <tr>
                  <th className="num">budget C</th>
                  <th className="num">runs</th>
                  <th className="num">near-optimal</th>
                  <th className="num">best loss</th>
                  <th className="num">η centre</th>
                  <th className="num">B centre (tokens)</th>
                  <th>grid edge</th>
                </tr>
              </thead>
              <tbody>
                {fitted.budgets.map((b) => (
                  <tr key={b.x}>
                    <th scope="row" className="num">
                      {formatNumber(b.x, 3)}
                    </th>
                    <td className="num">{b.runs}</td>
                    <td className="num">{b.nearOptimal}</td>
                    <td className="num">{f4(b.bestLoss)}</td>
                    <td className="num">{f4(b.learningRate)}</td>
                    <td className="num">{f4(b.batch)}</td>
                    <td>
                      {[edgeText(b.lrEdge, 'learning rate'), edgeText(b.batchEdge, 'batch')].filter(Boolean).join('; ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {fitted.warnings.length > 0 && (
            <ul className="warnings" data-testid="hparams-warnings">
              {fitted.warnings.map((w) => (
                <li key={w}>warning: {w}</li>
              ))}
            </ul>
          )}
          <p className="muted">Took {(out.timings.analysisMs / 1000).toFixed(1)} s.</p>
          <details>
            <summary>As the command line prints it</summary>
            <pre data-testid="hparams-report">{out.report}</pre>
          </details>
        </div>
      )}
    </section>
  );
}
