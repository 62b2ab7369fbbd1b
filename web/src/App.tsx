/**
 * The ScaleLab web app: open runs (bundled, uploaded or from the run store), fit a law in a worker
 * by a procedure (auto by default), see how far to trust it, back-test the procedures, look at the
 * figures, plan the big run, and watch a sweep; compare groups by their scaling curves and check
 * that a learning rate transfers across widths; find a model shape for a parameter count.
 *
 * A result or an error comes into view when it arrives (focus moves to its heading after opening a
 * data set, unless a field is typed into or a select chosen in) and is announced in a live region; on a phone the results come before the forms. The
 * data set, the settings and the planner's inputs live in the URL, so a reload restores them.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from './lib/api.js';
import { toErrorInfo, type ErrorInfo } from './lib/errors.js';
import type { LoadedDataset } from './lib/loaded.js';
import type { PendingUpload } from './lib/columns.js';
import { fittedRuns, groupChoices, studyData, studyDefaultGroups } from './lib/runGroups.js';
import { readUrlState, writeUrlState, type DataRef } from './lib/urlState.js';
import { keptUpload } from './lib/uploadStore.js';
import { parseRuns, runFormatNames } from '../../src/io/parseRuns.js';
import { InputError } from '../../src/errors/index.js';
import { useApi } from './hooks/useApi.js';
import { DataOriginContext } from './hooks/useAdvice.js';
import { useFit } from './hooks/useFit.js';
import { useBacktest } from './hooks/useBacktest.js';
import { usePlan, whyNoPlan, type PlannerInputs } from './hooks/usePlan.js';
import { defaultBacktestSettings, type BacktestSettings, type FitSettings } from './worker/protocol.js';
import { DataPanel } from './components/DataPanel.js';
import { FitSettingsForm } from './components/FitSettingsForm.js';
import { ErrorBanner } from './components/ErrorBanner.js';
import { ColumnMapping } from './components/ColumnMapping.js';
import { FitSummary } from './components/FitSummary.js';
import { ParamsTable } from './components/ParamsTable.js';
import { ProcedurePanel } from './components/ProcedurePanel.js';
import { BacktestPanel } from './components/BacktestPanel.js';
import { ApproachesTable } from './components/ApproachesTable.js';
import { FiguresPanel } from './components/FiguresPanel.js';
import { PlannerPanel } from './components/PlannerPanel.js';
import { SweepPanel } from './components/SweepPanel.js';
import { DownstreamPanel } from './components/DownstreamPanel.js';
import { CurveLawPanel } from './components/CurveLawPanel.js';
import { CompareGroupsPanel } from './components/CompareGroupsPanel.js';
import { MupTransferPanel } from './components/MupTransferPanel.js';
import { HparamsSweepPanel } from './components/HparamsSweepPanel.js';
import { CriticalBatchPanel } from './components/CriticalBatchPanel.js';
import { ShapePanel } from './components/ShapePanel.js';
import type { ShapeInputs } from './lib/shapeInputs.js';
import { trustVerdicts } from './components/TrustWarnings.js';

const studiesRefreshMs = 10_000;

/** The URL's state, read once when the page loads. */
const initial = readUrlState(window.location.search);

/** Where the loaded data came from, for the URL (an upload by its name only: its data stay in the tab). */
function dataRef(loaded: LoadedDataset | undefined): DataRef | undefined {
  if (loaded?.origin === 'bundled') return { kind: 'bundled', id: loaded.key };
  if (loaded?.origin === 'study') return { kind: 'study', name: loaded.key };
  if (loaded?.origin === 'upload') return { kind: 'upload', name: loaded.label };
  return undefined;
}

/** Input types typed into; the others (buttons, boxes, a file chooser) are left with one action. */
const untypedInputs = new Set(['button', 'checkbox', 'color', 'file', 'image', 'radio', 'range', 'reset', 'submit']);

/**
 * The user is typing into a field (a budget in the planner while the data set fits), or choosing in a list
 * (a select is worked by its arrow keys and typed letters, one key at a time): the focus is theirs.
 */
function typing(el: Element | null): boolean {
  return (
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement ||
    (el instanceof HTMLInputElement && !untypedInputs.has(el.type))
  );
}

/**
 * Bring a heading into view (unless it is in view already) and give it focus (it has tabIndex -1), once it
 * is in the page; not while the user types into a field or chooses in a select, where the rest of their keys
 * would go to the heading (the result is announced all the same).
 */
function reveal(id: string, focus: boolean) {
  requestAnimationFrame(() => {
    const el = document.getElementById(id);
    if (!el || typing(document.activeElement)) return;
    const box = el.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) el.scrollIntoView({ block: 'start', behavior: 'auto' });
    if (focus) el.focus({ preventScroll: true });
  });
}

export function App() {
  /** The data as opened; `loaded` is what is fitted: the groups chosen in the Fit settings, or all of it. */
  const [openedData, setLoaded] = useState<LoadedDataset>();
  const [openError, setLoadError] = useState<ErrorInfo>();
  const [pendingColumns, setPendingColumns] = useState<PendingUpload>();
  const [settings, setSettings] = useState<FitSettings>(initial.settings);
  const [plannerInputs, setPlannerInputs] = useState<PlannerInputs>(initial.planner);
  const [shapeInputs, setShapeInputs] = useState<ShapeInputs>(initial.shape);
  const [backtestSettings, setBacktestSettings] = useState<BacktestSettings>(defaultBacktestSettings);
  const [backtestWithFit, setBacktestWithFit] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const groups = useMemo(() => groupChoices(openedData), [openedData]);
  const chosen = useMemo(() => fittedRuns(openedData, settings.group), [openedData, settings.group]);
  const loaded = chosen.loaded;
  const loadError = openError ?? chosen.error;
  const fit = useFit(loaded?.dataset, settings);
  /** The fit the planner plans from: only beside the data set it was made from. */
  const fitted = loaded ? fit.outcome?.fit : undefined;
  const plan = usePlan(fitted, plannerInputs);
  // Why the planner (and the optimiser panel, at its budget) has nothing yet: the first fit runs, or failed.
  const fitting = loaded && !fit.outcome && fit.running ? loaded.label : undefined;
  const fitFailed = loaded && !fit.outcome && !fit.running && fit.error ? loaded.label : undefined;
  // One reason for a missing plan, for the planner and the optimiser panel at its budget: with a data set
  // open it is never "open a data set".
  const noPlan = whyNoPlan(plan, {
    opened: openedData?.label,
    runsError: chosen.error !== undefined,
    fitting,
    failed: fitFailed,
  });
  const backtest = useBacktest(loaded?.dataset, backtestSettings, backtestWithFit);
  const studies = useApi(api.studies);
  // New studies appear without a reload of the page.
  const reloadStudies = studies.reload;
  useEffect(() => {
    const timer = setInterval(reloadStudies, studiesRefreshMs);
    return () => clearInterval(timer);
  }, [reloadStudies]);

  // Set when a data set is opened: its first result (or error) takes the focus.
  const opened = useRef(false);
  // Another data set has other groups: its fit starts from all of them, a study's from the runs `study run`
  // fits (a link's data keep the link's groups). The Fit settings' "Runs to fit" is the one place they are chosen.
  const open = useCallback((l: LoadedDataset, restoring = false) => {
    opened.current = true;
    if (!restoring) {
      const group = l.origin === 'study' ? studyDefaultGroups(l.dataset) : [];
      setSettings((s) =>
        s.group.length === group.length && s.group.every((g, i) => g === group[i]) ? s : { ...s, group },
      );
    }
    setLoaded(l);
    setLoadError(undefined);
    setAnnouncement(`Opened ${l.label} (${l.dataset.runs.length} runs); fitting…`);
  }, []);
  const fail = useCallback((e: ErrorInfo) => {
    setLoaded(undefined);
    setLoadError(e);
  }, []);

  // The data of the URL, opened once.
  useEffect(() => {
    const ref = initial.data;
    if (!ref) return;
    const controller = new AbortController();
    const restore = async () => {
      if (ref.kind === 'bundled') {
        const [list, dataset] = await Promise.all([
          api.datasets(controller.signal),
          api.dataset(ref.id, controller.signal),
        ]);
        open(
          {
            dataset,
            label: list.datasets.find((d) => d.id === ref.id)?.name ?? ref.id,
            origin: 'bundled',
            key: ref.id,
          },
          true,
        );
      } else if (ref.kind === 'upload') {
        const kept = keptUpload(ref.name);
        if (!kept)
          throw new InputError(
            { file: ref.name },
            'the uploaded file is not kept in this browser tab (a link holds only its name, and a file too large for the tab is not kept): upload it again',
          );
        const dataset = parseRuns(kept.text, { source: kept.name, ...(kept.columns ? { columns: kept.columns } : {}) });
        open(
          {
            dataset,
            label: kept.name,
            origin: 'upload',
            key: `${kept.name}:restored:${JSON.stringify(kept.columns ?? {})}`,
          },
          true,
        );
      } else {
        open(studyData(await api.studyRuns(ref.name, controller.signal)), true);
      }
    };
    restore().catch((e: Error) => e.name !== 'AbortError' && fail(toErrorInfo(e)));
    return () => controller.abort();
  }, [open, fail]);

  // The state in the URL, replaced (not pushed: a setting is not a page to go back to).
  const ref = dataRef(openedData);
  useEffect(() => {
    const search = writeUrlState({ data: ref, settings, planner: plannerInputs, shape: shapeInputs });
    if (search !== window.location.search)
      window.history.replaceState(null, '', `${window.location.pathname}${search}`);
  }, [ref?.kind, ref?.kind === 'bundled' ? ref.id : ref?.name, settings, plannerInputs, shapeInputs]);

  // A new result: into view (and focus) after opening a data set; announced in any case.
  const outcome = fit.outcome;
  useEffect(() => {
    if (!outcome || !loaded) return;
    const f = outcome.fit;
    const warnings = f.warnings.length + outcome.warnings.length;
    setAnnouncement(
      `Fitted ${f.law} to ${loaded.label}: trust ${trustVerdicts[f.trust]}${warnings ? `; ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}.`,
    );
    if (opened.current) {
      opened.current = false;
      reveal('fit-heading', true);
    }
  }, [outcome]); // eslint-disable-line react-hooks/exhaustive-deps

  // A new error: into view, focused, announced (role="alert").
  const error = loadError ?? fit.error;
  useEffect(() => {
    if (!error) return;
    opened.current = false;
    setAnnouncement('');
    reveal('error-heading', true);
  }, [error]);

  // The column step sits just below the error that asks for it; on its own (a file that opened but
  // lacks N or D) it comes into view itself.
  useEffect(() => {
    if (pendingColumns && !error) reveal('columns-heading', true);
  }, [pendingColumns]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (backtest.outcome)
      setAnnouncement(`Back-test done: ${backtest.outcome.backtest.summaries.length} procedures compared.`);
  }, [backtest.outcome]);

  // Advice follows the data's origin (bundled data and a study's runs have no column step); the
  // compare, muP transfer, downstream and curve-law panels read uploads of their own (compare also the
  // opened upload).
  return (
    <DataOriginContext.Provider value={loaded?.origin ?? 'upload'}>
      <div className={loaded || error ? 'app has-result' : 'app'}>
        <a className="skip-link" href="#results">
          Skip to the results
        </a>
        <header className="app-header">
          <h1>ScaleLab</h1>
          <p>Fit scaling laws to small training runs and plan the big one. Fits run in your browser.</p>
        </header>
        <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
          {announcement}
        </div>
        <aside id="sidebar" className="sidebar" aria-label="Data and settings" tabIndex={-1}>
          <DataPanel
            current={openedData}
            studies={studies}
            onOpen={(l) => open(l)}
            onError={fail}
            onColumns={setPendingColumns}
          />
          <FitSettingsForm
            settings={settings}
            onChange={setSettings}
            unsupported={fit.outcome?.unsupported}
            groups={groups}
          />
          <SweepPanel studies={studies} />
        </aside>
        <main id="results" className="content" tabIndex={-1} aria-label="Results">
          {(loaded || error) && (
            <a className="to-settings" href="#sidebar">
              Change the data or the fit settings
            </a>
          )}
          {loadError && <ErrorBanner title="Could not open the data" error={loadError} />}
          {!loadError && fit.error && <ErrorBanner title="The fit failed" error={fit.error} />}
          {pendingColumns && (
            <ColumnMapping
              pending={pendingColumns}
              onOpen={(l) => (setPendingColumns(undefined), open(l))}
              onDismiss={() => setPendingColumns(undefined)}
            />
          )}
          {!loaded && !loadError && (
            <section className="panel empty">
              <h2>Start with some runs</h2>
              <p>
                Open a bundled data set, upload a {runFormatNames} file of runs (columns N, D or C, and loss), or pick a
                study from the run store.
              </p>
            </section>
          )}
          {loaded && fit.outcome && (
            <>
              <FitSummary loaded={loaded} outcome={fit.outcome} running={fit.running} />
              <ParamsTable fit={fit.outcome.fit} />
            </>
          )}
          {loaded && !fit.outcome && fit.running && (
            <section className="panel">
              <p className="muted" data-testid="fit-running">
                Fitting {loaded.label}…
              </p>
            </section>
          )}
          {/* One planner and one shape panel, whether the fit has arrived or not: the fields are the same
              elements before and after, so a budget typed while the data set is fitting is not lost with
              the element it was typed into (and the focus stays where it was). */}
          <PlannerPanel fit={fitted} inputs={plannerInputs} state={plan} onChange={setPlannerInputs} noPlan={noPlan} />
          <ShapePanel plannedN={plan.plan?.recommendation.N} inputs={shapeInputs} onChange={setShapeInputs} />
          {loaded && fit.outcome && (
            <>
              <ProcedurePanel fit={fit.outcome.fit} plan={plan.plan} />
              <ApproachesTable
                approaches={fit.outcome.approaches}
                skipped={fit.outcome.skipped}
                agreements={fit.outcome.agreements}
                replicates={settings.bootstrap}
              />
              <FiguresPanel figures={fit.outcome.figures} source={loaded.dataset.source} />
              <BacktestPanel
                state={backtest}
                settings={backtestSettings}
                onChange={setBacktestSettings}
                withFit={backtestWithFit}
                onWithFit={setBacktestWithFit}
                source={loaded.dataset.source}
              />
            </>
          )}
          <DataOriginContext.Provider value="upload">
            <CompareGroupsPanel loaded={openedData} />
            <MupTransferPanel />
            <HparamsSweepPanel plannedC={plan.plan?.compute} noBudget={noPlan} />
            <CriticalBatchPanel />
            <DownstreamPanel />
            <CurveLawPanel />
          </DataOriginContext.Provider>
        </main>
      </div>
    </DataOriginContext.Provider>
  );
}
