import { useState } from 'react';
import archsCsv from '../../../examples/inputs/archs.csv?raw';
import { formatInterval, formatNumber } from '../../../src/core/format.js';
import { formatCensored } from '../../../src/analyses/groups.js';
import { toErrorInfo, withNextStep, type ErrorInfo } from '../lib/errors.js';
import { fileStem } from '../lib/download.js';
import { groupColumnChoices, readGroupedRuns, type RunsFile } from '../lib/runsFile.js';
import { keptUpload } from '../lib/uploadStore.js';
import type { LoadedDataset } from '../lib/loaded.js';
import { useCompare } from '../hooks/useWorkerAnalysis.js';
import { defaultCompareSettings, type CompareSettings } from '../worker/protocol.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PanelAdviceContext } from '../hooks/useAdvice.js';
import type { PanelAdvice } from '../lib/advice.js';
import { Field } from './Field.js';
import { RunsFileChoice } from './RunsFileChoice.js';
import { RunningStatus } from './ProgressBar.js';
import { VegaFigure } from './VegaFigure.js';
import { manyReplicates, ReplicatesSelect } from './ReplicatesSelect.js';
import { RunButton } from './RunButton.js';
import { TableScroll } from './TableScroll.js';

const example: RunsFile = { name: 'examples/inputs/archs.csv', text: archsCsv };
/** The panel's own words for the library's advice: it has no column step, and its own controls. */
const advice: PanelAdvice = {
  columns: (field) => `give the file a column named ${field} (this panel reads the runs' columns by their names)`,
  controls: {
    x: '"along" in the Compare groups panel',
    'group-column': '"group column" in the Compare groups panel',
    bootstrap: '"bootstrap replicates" in the Compare groups panel',
    level: '"level" in the Compare groups panel',
  },
};
const levelChoices = [0.8, 0.9, 0.95, 0.99];
const f4 = (v: number) => formatNumber(v, 4);
/** A value with its interval, as `scalelab compare` writes it in its tables. */
const withInterval = (v: number, i?: [number, number]) => `${f4(v)}${i ? ` ${formatInterval(i, f4)}` : ''}`;
/** The CLI's defaults marked as such beside the choices (as the text marks them). */
const dflt = (on: boolean) => (on ? ' (default)' : '');

/**
 * Sources, architectures or optimizers compared by their scaling curves, as `scalelab compare` compares
 * them (README "Sources and architectures"): each group's slope α and offsets E, A with intervals, a
 * joint fit with a shared exponent, the F-test, which group is better within the data, and where one
 * group overtakes another, with the crossover's interval and the CLI's verdict. Runs in a worker of its own.
 */
export function CompareGroupsPanel({ loaded }: { loaded?: LoadedDataset }) {
  const [file, setFile] = useState<RunsFile>();
  const [columns, setColumns] = useState<string[]>([]);
  const [groupColumn, setGroupColumn] = useState('');
  const [settings, setSettings] = useState<CompareSettings>(defaultCompareSettings);
  const [readError, setReadError] = useState<ErrorInfo>();
  const state = useCompare();
  // The opened data set, when it is an upload this tab keeps (its text can be read again with a group column).
  const opened = loaded?.origin === 'upload' ? keptUpload(loaded.label) : undefined;

  const choose = (f: RunsFile) => {
    state.clear();
    setReadError(undefined);
    setFile(f);
    const choices = groupColumnChoices(f);
    setColumns(choices.columns);
    setGroupColumn(choices.guess ?? '');
  };
  const compare = () => {
    if (!file) return;
    setReadError(undefined);
    try {
      state.run(readGroupedRuns(file, groupColumn), settings);
    } catch (e) {
      state.clear();
      setReadError(withNextStep(toErrorInfo(e), { again: 'choose it again in the Compare groups panel' }));
    }
  };

  const error = readError ?? state.error;
  const out = state.outcome;
  const c = out?.comparison;
  const x = c?.variable ?? settings.x;
  return (
    <section className="panel" data-testid="compare-panel" aria-labelledby="compare-heading" aria-busy={state.running}>
      <h2 id="compare-heading">Compare groups</h2>
      <p className="muted">
        Sources, architectures or optimizers by their scaling curves, as <code>scalelab compare</code> compares them:
        each group&apos;s slope and offset with intervals, whether the exponents differ, and the {x} at which one group
        overtakes another. It runs in a worker of its own.
      </p>
      <div className="form-grid">
        <RunsFileChoice
          id="compare"
          label="Runs with a group column"
          example={example}
          opened={opened}
          onChoose={choose}
          onError={(e) =>
            setReadError(withNextStep(toErrorInfo(e), { again: 'choose it again in the Compare groups panel' }))
          }
        />
        <Field label="group column" hint="The column naming each run's group.">
          <select
            data-testid="compare-group-column"
            value={groupColumn}
            disabled={!columns.length}
            onChange={(e) => (setGroupColumn(e.target.value), state.clear())}
          >
            {columns.map((col) => (
              <option key={col} value={col}>
                {col}
              </option>
            ))}
          </select>
        </Field>
        <Field label="along">
          <select
            data-testid="compare-x"
            value={settings.x}
            onChange={(e) => (setSettings({ ...settings, x: e.target.value as CompareSettings['x'] }), state.clear())}
          >
            {(['C', 'N', 'D'] as const).map((v) => (
              <option key={v} value={v}>
                {v}
                {dflt(v === defaultCompareSettings.x)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="bootstrap replicates">
          <ReplicatesSelect
            testId="compare-replicates"
            choices={manyReplicates}
            defaultValue={defaultCompareSettings.bootstrap}
            value={settings.bootstrap}
            onChange={(bootstrap) => (setSettings({ ...settings, bootstrap }), state.clear())}
          />
        </Field>
        <Field label="level">
          <select
            data-testid="compare-level"
            value={settings.level}
            onChange={(e) => (setSettings({ ...settings, level: Number(e.target.value) }), state.clear())}
          >
            {levelChoices.map((l) => (
              <option key={l} value={l}>
                {Math.round(l * 100)} %{dflt(l === defaultCompareSettings.level)}
              </option>
            ))}
          </select>
        </Field>
        <RunButton
          running={state.running}
          unavailable={
            !file
              ? 'Choose a file of runs, or the example, first.'
              : !groupColumn
                ? "Choose a file with a column that names each run's group."
                : undefined
          }
          onRun={compare}
          label="Compare"
          busyLabel="Comparing…"
          testId="compare-run"
        />
      </div>
      {file && (
        <p className="muted" data-testid="compare-file">
          {file.name}: {columns.length ? `groups from "${groupColumn}"` : 'no column that could name the groups'}.
        </p>
      )}
      {state.running && (
        <RunningStatus
          testId="compare-running"
          doing="Comparing"
          steps="bootstrap replicates"
          progress={state.progress}
        />
      )}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="compare-announcer">
        {c ? `Compared ${c.groups.length} groups: ${c.test.statement}.` : ''}
      </p>
      {error && (
        <PanelAdviceContext.Provider value={advice}>
          <ErrorBanner title="Compare groups" error={error} />
        </PanelAdviceContext.Provider>
      )}
      {out && c && (
        <div data-testid="compare-result">
          <TableScroll label="Each group's own curve">
            <table className="compact" data-testid="compare-separate">
              <caption>
                Each group&apos;s own curve, L = E + A·{x}
                <sup>−α</sup> ({Math.round(c.level * 100)} % intervals
                {c.replicates ? ` from ${c.replicates} bootstrap replicates` : ', none without a bootstrap'})
              </caption>
              <thead>
                <tr>
                  <th>group</th>
                  <th className="num">runs</th>
                  <th className="num">slope α</th>
                  <th className="num">offset E</th>
                  <th className="num">A</th>
                </tr>
              </thead>
              <tbody>
                {c.separate.map((g) => (
                  <tr key={g.group}>
                    <th scope="row">{g.group}</th>
                    <td className="num">{g.runs}</td>
                    <td className="num" data-testid="compare-alpha">
                      {withInterval(g.alpha, g.interval?.alpha)}
                    </td>
                    <td className="num">{withInterval(g.E, g.interval?.E)}</td>
                    <td className="num">{withInterval(g.A, g.interval?.A)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <TableScroll label="Offsets with a shared exponent">
            <table className="compact" data-testid="compare-shared">
              <caption>
                With a shared exponent α = {withInterval(c.shared.alpha, c.shared.alphaInterval)}: each group&apos;s
                offsets
              </caption>
              <thead>
                <tr>
                  <th>group</th>
                  <th className="num">E</th>
                  <th className="num">A</th>
                </tr>
              </thead>
              <tbody>
                {c.shared.groups.map((g) => (
                  <tr key={g.group}>
                    <th scope="row">{g.group}</th>
                    <td className="num">{withInterval(g.E, g.interval?.E)}</td>
                    <td className="num">{withInterval(g.A, g.interval?.A)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p data-testid="compare-test">
            F-test (shared vs separate exponents, least squares on ln L): {c.test.statement}
          </p>
          <TableScroll label="Where one group overtakes another">
            <table className="compact" data-testid="compare-crossovers">
              <caption>Where one group overtakes another</caption>
              <thead>
                <tr>
                  <th>groups</th>
                  <th className="num">crossover {x}</th>
                  <th className="num">{Math.round(c.level * 100)} % interval</th>
                  <th>within the data</th>
                  <th>verdict</th>
                </tr>
              </thead>
              <tbody>
                {c.crossovers.map((v) => (
                  <tr key={v.groups.join('/')}>
                    <th scope="row">{v.groups.join(' vs ')}</th>
                    <td className="num">
                      {v.at !== undefined ? formatNumber(v.at, 3) : v.kind === 'touch' ? 'touch' : 'none'}
                    </td>
                    <td className="num">{v.interval && v.searched ? formatCensored(v.interval, ...v.searched) : ''}</td>
                    {/* The within-data claim, graded apart from the crossing's: the core's text, as the CLI prints it. */}
                    <td data-testid="compare-within-data">{v.withinData?.verdict ?? ''}</td>
                    <td data-testid="compare-verdict">{v.verdict}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {c.warnings?.length ? (
            <ul className="warnings">
              {c.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <p className="muted">Took {(out.timings.analysisMs / 1000).toFixed(1)} s.</p>
          <VegaFigure
            kind="compare"
            caption={`Loss against ${x} by group: each group's runs and its own fitted curve; a dashed line where the curves cross over`}
            spec={out.figure}
            filename={`${fileStem(file?.name ?? 'compare')}-compare`}
          />
          <details>
            <summary>As the command line prints it</summary>
            <pre data-testid="compare-report">{out.report}</pre>
          </details>
        </div>
      )}
    </section>
  );
}
