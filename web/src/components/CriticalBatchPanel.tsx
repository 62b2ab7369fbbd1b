import { useState } from 'react';
import curvesCsv from '../../../examples/inputs/curves.csv?raw';
import { formatNumber } from '../../../src/core/format.js';
import { parseRuns } from '../../../src/io/parseRuns.js';
import { readCriticalBatchRuns } from '../../../src/hparams/criticalBatch.js';
import { toErrorInfo, withNextStep, type ErrorInfo } from '../lib/errors.js';
import type { RunsFile } from '../lib/runsFile.js';
import { useCriticalBatch } from '../hooks/useWorkerAnalysis.js';
import { defaultCriticalBatchSettings } from '../worker/protocol.js';
import { bcritField } from '../worker/compare.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PanelAdviceContext } from '../hooks/useAdvice.js';
import type { PanelAdvice } from '../lib/advice.js';
import { Field } from './Field.js';
import { RunsFileChoice } from './RunsFileChoice.js';
import { RunningStatus } from './ProgressBar.js';
import { manyReplicates, ReplicatesSelect } from './ReplicatesSelect.js';
import { RunButton } from './RunButton.js';
import { TableScroll } from './TableScroll.js';

/** The README's `bcrit` example: six batch sizes, each run's loss against its steps. */
const example: RunsFile = { name: 'examples/inputs/curves.csv', text: curvesCsv };
/** The panel's own words for the library's advice: it reads its columns by name, and has its own replicates. */
const advice: PanelAdvice = {
  columns: (field) =>
    `give the file a column named ${field} (this panel reads training curves' columns by their names: run, batch, step, loss)`,
  controls: { bootstrap: '"bootstrap replicates" in the critical-batch panel' },
};
const again = { again: 'choose it again in the critical-batch panel' };

/**
 * The critical batch fitted to your own training curves at several batch sizes, as `scalelab bcrit FILE`
 * fits it (McCandlish et al. 2018's S = S_min + E_min/B per target loss, B_crit = E_min/S_min, and
 * Kaplan et al. 2020's B_crit(L) through the targets), with the command's intervals, warnings and text.
 */
export function CriticalBatchPanel() {
  const [file, setFile] = useState<RunsFile>();
  const [bootstrap, setBootstrap] = useState(defaultCriticalBatchSettings.bootstrap);
  const [readError, setReadError] = useState<ErrorInfo>();
  const state = useCriticalBatch();

  const choose = (f: RunsFile) => {
    state.clear();
    setReadError(undefined);
    setFile(f);
  };

  const fit = () => {
    if (!file) return;
    setReadError(undefined);
    try {
      // As `bcrit FILE` reads it: columns by their names, a file of gradient norms said as one.
      const dataset = readCriticalBatchRuns(
        (require) => parseRuns(file.text, { source: file.name, require }),
        file.name,
        bcritField,
      );
      state.run(dataset, { ...defaultCriticalBatchSettings, bootstrap });
    } catch (e) {
      state.clear();
      setReadError(withNextStep(toErrorInfo(e), again));
    }
  };

  const error = readError ?? state.error;
  const out = state.outcome;
  const result = out?.result;
  return (
    <section className="panel" data-testid="bcrit-panel" aria-labelledby="bcrit-heading" aria-busy={state.running}>
      <h2 id="bcrit-heading">Critical batch size from your runs</h2>
      <p className="muted">
        Training curves at several batch sizes, fitted as <code>scalelab bcrit FILE</code> fits them: per target loss,
        the steps each run needs are regressed on 1/B (S = S_min + E_min/B, B_crit = E_min/S_min; McCandlish et al.
        2018), and B_crit(L) = B*/L^(1/α_B) is fitted through the targets (Kaplan et al. 2020&apos;s form), with
        residual-bootstrap 95 % intervals. Columns run, batch, step and loss. It runs in a worker of its own.
      </p>
      <div className="form-grid">
        <RunsFileChoice
          id="bcrit"
          label="Training curves with run, batch, step and loss"
          example={example}
          onChoose={choose}
          onError={(e) => setReadError(withNextStep(toErrorInfo(e), again))}
        />
        <Field label="bootstrap replicates">
          <ReplicatesSelect
            testId="bcrit-replicates"
            choices={manyReplicates}
            defaultValue={defaultCriticalBatchSettings.bootstrap}
            value={bootstrap}
            onChange={(n) => (setBootstrap(n), state.clear())}
          />
        </Field>
        <RunButton
          running={state.running}
          unavailable={file ? undefined : 'Choose a file of training curves, or the example, first.'}
          onRun={fit}
          label="Fit the critical batch"
          busyLabel="Fitting…"
          testId="bcrit-run"
        />
      </div>
      <p className="muted" data-testid="bcrit-file">
        Target losses: five levels the runs reach (default; the command line chooses others).
        {file && ` Curves: ${file.name}.`}
      </p>
      {state.running && (
        <RunningStatus
          testId="bcrit-running"
          doing="Fitting"
          steps="resamples (each target's, for its interval and then the law's)"
          progress={state.progress}
        />
      )}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="bcrit-announcer">
        {result ? `Critical batch fitted at ${result.fits.length} target losses` : ''}
      </p>
      {error && (
        <PanelAdviceContext.Provider value={advice}>
          <ErrorBanner title="Critical batch" error={error} />
        </PanelAdviceContext.Provider>
      )}
      {out && result && (
        <div data-testid="bcrit-result">
          <TableScroll label="B_crit per target loss">
            <table className="compact" data-testid="bcrit-targets">
              <caption>
                Each target loss: fewest steps S_min, fewest examples E_min and B_crit = E_min/S_min, in{' '}
                {result.batchUnit}
              </caption>
              <thead>
                <tr>
                  {out.table.header.map((h) => (
                    <th key={h} className="num">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {out.table.rows.map(([target, ...cells]) => (
                  <tr key={target}>
                    <th scope="row" className="num">
                      {target}
                    </th>
                    {cells.map((c, i) => (
                      <td key={i} className="num">
                        {c}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {out.law && <p data-testid="bcrit-law">{out.law}</p>}
          <p className="source" data-testid="bcrit-source">
            {result.method}
            {result.lawBootstrap && `; ${result.lawBootstrap}`}
          </p>
          {result.warnings.length > 0 && (
            <ul className="warnings" data-testid="bcrit-warnings">
              {result.warnings.map((w) => (
                <li key={w}>warning: {w}</li>
              ))}
            </ul>
          )}
          <p className="muted">Took {formatNumber(out.timings.analysisMs / 1000, 2)} s.</p>
          <details>
            <summary>As the command line prints it</summary>
            <pre data-testid="bcrit-report">{out.report}</pre>
          </details>
        </div>
      )}
    </section>
  );
}
