import { useState } from 'react';
import lrSweepsCsv from '../../../examples/inputs/lr-sweeps.csv?raw';
import { formatNumber } from '../../../src/core/format.js';
import { toErrorInfo, withNextStep, type ErrorInfo } from '../lib/errors.js';
import { transferSlopeText, transferTargetText } from '../../../src/report/text/hparams.js';
import { readSweepRuns, runsFileColumns, type RunsFile } from '../lib/runsFile.js';
import { useMupTransfer } from '../hooks/useWorkerAnalysis.js';
import { defaultMupTransferSettings, type MupTransferSettings } from '../worker/protocol.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PanelAdviceContext } from '../hooks/useAdvice.js';
import type { PanelAdvice } from '../lib/advice.js';
import { Field } from './Field.js';
import { RunsFileChoice } from './RunsFileChoice.js';
import { RunningStatus } from './ProgressBar.js';
import { manyReplicates, ReplicatesSelect } from './ReplicatesSelect.js';
import { TableScroll } from './TableScroll.js';
import { RunButton } from './RunButton.js';

const example: RunsFile = { name: 'examples/inputs/lr-sweeps.csv', text: lrSweepsCsv };
/** The panel's own words for the library's advice: its width and learning-rate selectors, no column step. */
const advice: PanelAdvice = {
  columns: (field) =>
    field === 'loss'
      ? 'give the file a column named loss (this panel reads the loss by its name)'
      : `choose the ${field} column in the muP transfer panel's column selectors, or name it ${field} in the file`,
  controls: { bootstrap: '"bootstrap replicates" in the muP transfer panel' },
};
const f4 = (v: number) => formatNumber(v, 4);

/** A target width as typed: a whole number of at least 1, none when empty, or the reason it cannot be read. */
function readWidth(text: string): { value?: number; problem?: string } {
  const t = text.trim().replace(/[,_]/g, '');
  if (t === '') return {};
  const value = Number(t);
  return Number.isInteger(value) && value >= 1
    ? { value }
    : { problem: `target width: expected a whole number of at least 1 such as 4096, got "${text.trim()}"` };
}

/**
 * Does a small model's best learning rate carry to wide ones? Learning-rate sweeps at several widths
 * (columns width, lr, loss), checked as `scalelab mup transfer` checks them (README "muP"): each
 * width's optimum from a parabola in ln η, the slope of ln η* against ln width with its 95 % interval
 * (≈ 0: it transfers, as muP promises; ≈ −1: standard-parametrisation drift) and the CLI's verdict.
 */
export function MupTransferPanel() {
  const [file, setFile] = useState<RunsFile>();
  const [columns, setColumns] = useState<string[]>([]);
  const [mapping, setMapping] = useState<{ width?: string; lr?: string }>({});
  const [settings, setSettings] = useState<MupTransferSettings>(defaultMupTransferSettings);
  const [widthText, setWidthText] = useState('');
  const [readError, setReadError] = useState<ErrorInfo>();
  const state = useMupTransfer();
  const width = readWidth(widthText);

  const choose = (f: RunsFile) => {
    state.clear();
    setReadError(undefined);
    setFile(f);
    const read = runsFileColumns(f);
    setColumns(read.columns);
    setMapping({ width: read.recognised.width, lr: read.recognised.lr });
  };

  const check = () => {
    if (!file || width.problem) return;
    setReadError(undefined);
    try {
      state.run(readSweepRuns(file, mapping), {
        ...settings,
        ...(width.value !== undefined ? { targetWidth: width.value } : {}),
      });
    } catch (e) {
      state.clear();
      setReadError(withNextStep(toErrorInfo(e), { again: 'choose it again in the muP transfer panel' }));
    }
  };

  const columnSelect = (field: 'width' | 'lr', label: string) => (
    <Field label={label}>
      <select
        data-testid={`mup-${field}-column`}
        value={mapping[field] ?? ''}
        disabled={!columns.length}
        onChange={(e) => (setMapping({ ...mapping, [field]: e.target.value || undefined }), state.clear())}
      >
        <option value="">(none recognised)</option>
        {columns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </Field>
  );

  const error = readError ?? state.error;
  const out = state.outcome;
  const r = out?.transfer;
  const target = r && transferTargetText(r);
  const diverged = r?.widths.some((w) => w.diverged);
  return (
    <section className="panel" data-testid="mup-panel" aria-labelledby="mup-heading" aria-busy={state.running}>
      <h2 id="mup-heading">Learning-rate transfer across widths (muP)</h2>
      <p className="muted">
        Learning-rate sweeps at several widths, checked as <code>scalelab mup transfer</code> checks them: does the best
        learning rate of a small model carry to wide ones? A slope of ln η* against ln width near 0 transfers (as muP
        promises); near −1 is standard-parametrisation drift. It runs in a worker of its own.
      </p>
      <div className="form-grid">
        <RunsFileChoice
          id="mup"
          label="Runs with width, learning rate and loss"
          example={example}
          onChoose={choose}
          onError={(e) =>
            setReadError(withNextStep(toErrorInfo(e), { again: 'choose it again in the muP transfer panel' }))
          }
        />
        {columnSelect('width', 'width column (d_model)')}
        {columnSelect('lr', 'learning-rate column')}
        <Field label="bootstrap replicates">
          <ReplicatesSelect
            testId="mup-replicates"
            choices={manyReplicates}
            defaultValue={defaultMupTransferSettings.bootstrap}
            value={settings.bootstrap}
            onChange={(bootstrap) => (setSettings({ ...settings, bootstrap }), state.clear())}
          />
        </Field>
        <Field
          label="target width"
          hint={
            width.problem ? (
              <span className="field-error" role="status" data-testid="mup-width-error">
                {width.problem}
              </span>
            ) : (
              'Optional: the optimal learning rate there, with its interval.'
            )
          }
        >
          <input
            value={widthText}
            onChange={(e) => setWidthText(e.target.value)}
            placeholder="e.g. 4096"
            size={7}
            inputMode="numeric"
            aria-invalid={width.problem !== undefined}
            data-testid="mup-target-width"
          />
        </Field>
        <RunButton
          running={state.running}
          unavailable={
            !file
              ? 'Choose a file of learning-rate sweeps, or the example, first.'
              : !mapping.width || !mapping.lr
                ? 'Choose the width and learning-rate columns first.'
                : width.problem
                  ? 'Fix the target width first.'
                  : undefined
          }
          onRun={check}
          label="Check transfer"
          busyLabel="Checking…"
          testId="mup-run"
        />
      </div>
      {file && (
        <p className="muted" data-testid="mup-file">
          {file.name}
          {!mapping.width || !mapping.lr
            ? `: no ${[!mapping.width ? 'width' : '', !mapping.lr ? 'learning-rate' : ''].filter(Boolean).join(' or ')} column recognised; choose it above`
            : `: width from "${mapping.width}", learning rate from "${mapping.lr}"`}
          .
        </p>
      )}
      {state.running && (
        <RunningStatus testId="mup-running" doing="Checking" steps="bootstrap replicates" progress={state.progress} />
      )}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="mup-announcer">
        {r ? `Transfer check done: ${r.verdict}` : ''}
      </p>
      {error && (
        <PanelAdviceContext.Provider value={advice}>
          <ErrorBanner title="muP transfer" error={error} />
        </PanelAdviceContext.Provider>
      )}
      {out && r && (
        <div data-testid="mup-result">
          <TableScroll label="Each width's optimum">
            <table className="compact" data-testid="mup-widths">
              <caption>Each width&apos;s optimum (a parabola in ln η through its best rates)</caption>
              <thead>
                <tr>
                  <th className="num">width</th>
                  <th className="num">optimal η</th>
                  <th className="num">loss there</th>
                  <th className="num">runs</th>
                  {diverged && <th className="num">diverged</th>}
                  <th>note</th>
                </tr>
              </thead>
              <tbody>
                {r.widths.map((w) => (
                  <tr key={w.width}>
                    <th scope="row" className="num">
                      {w.width}
                    </th>
                    <td className="num">{f4(w.learningRate)}</td>
                    <td className="num">{f4(w.loss)}</td>
                    <td className="num">{w.runs}</td>
                    {diverged && (
                      <td className="num">
                        {w.diverged
                          ? `${w.diverged}${w.divergedAt !== undefined ? ` (from ${f4(w.divergedAt)})` : ''}`
                          : ''}
                      </td>
                    )}
                    <td>{w.edge ? `at the ${w.edge} rate swept` : w.bracket ? `bracketed by a divergence` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p data-testid="mup-slope">{transferSlopeText(r)}</p>
          <p data-testid="mup-verdict">
            <b>{r.verdict}</b>
          </p>
          {target && <p data-testid="mup-at-width">{target}</p>}
          {r.warnings.length > 0 && (
            <ul className="warnings">
              {r.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <p className="muted">Took {(out.timings.analysisMs / 1000).toFixed(1)} s.</p>
          <details>
            <summary>As the command line prints it</summary>
            <pre data-testid="mup-report">{out.report}</pre>
          </details>
        </div>
      )}
    </section>
  );
}
