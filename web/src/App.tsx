/**
 * The ScaleLab web app: open runs (bundled, uploaded or from the run store), fit a law in a worker
 * by a procedure (auto by default), see how far to trust it, back-test the procedures, look at the
 * figures, plan the big run, and watch a sweep.
 */
import { useCallback, useEffect, useState } from 'react';
import { api } from './lib/api.js';
import type { ErrorInfo } from './lib/errors.js';
import type { LoadedDataset } from './lib/loaded.js';
import { useApi } from './hooks/useApi.js';
import { useFit } from './hooks/useFit.js';
import { useBacktest } from './hooks/useBacktest.js';
import { defaultPlannerInputs, usePlan, type PlannerInputs } from './hooks/usePlan.js';
import { defaultBacktestSettings, defaultSettings, type BacktestSettings, type FitSettings } from './worker/protocol.js';
import { DataPanel } from './components/DataPanel.js';
import { FitSettingsForm } from './components/FitSettingsForm.js';
import { ErrorBanner } from './components/ErrorBanner.js';
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

const studiesRefreshMs = 10_000;

export function App() {
  const [loaded, setLoaded] = useState<LoadedDataset>();
  const [loadError, setLoadError] = useState<ErrorInfo>();
  const [settings, setSettings] = useState<FitSettings>(defaultSettings);
  const [plannerInputs, setPlannerInputs] = useState<PlannerInputs>(defaultPlannerInputs);
  const [backtestSettings, setBacktestSettings] = useState<BacktestSettings>(defaultBacktestSettings);
  const [backtestWithFit, setBacktestWithFit] = useState(false);
  const fit = useFit(loaded?.dataset, settings);
  const plan = usePlan(fit.outcome?.fit, plannerInputs);
  const backtest = useBacktest(loaded?.dataset, backtestSettings, backtestWithFit);
  const studies = useApi(api.studies);
  // New studies appear without a reload of the page.
  const reloadStudies = studies.reload;
  useEffect(() => {
    const timer = setInterval(reloadStudies, studiesRefreshMs);
    return () => clearInterval(timer);
  }, [reloadStudies]);

  const open = useCallback((l: LoadedDataset) => {
    setLoaded(l);
    setLoadError(undefined);
  }, []);
  const fail = useCallback((e: ErrorInfo) => {
    setLoaded(undefined);
    setLoadError(e);
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>ScaleLab</h1>
        <p>Fit scaling laws to small training runs and plan the big one. Fits run in your browser.</p>
      </header>
      <aside className="sidebar">
        <DataPanel current={loaded} studies={studies} onOpen={open} onError={fail} />
        <FitSettingsForm settings={settings} onChange={setSettings} />
        <SweepPanel studies={studies} />
      </aside>
      <main className="content">
        {loadError && <ErrorBanner title="Could not open the data" error={loadError} />}
        {!loadError && fit.error && <ErrorBanner title="The fit failed" error={fit.error} />}
        {!loaded && !loadError && (
          <section className="panel empty">
            <h2>Start with some runs</h2>
            <p>Open a bundled data set, upload a CSV, JSON or JSONL file of runs (columns N, D or C, and loss), or pick a study from the run store.</p>
          </section>
        )}
        {loaded && fit.outcome && (
          <>
            <FitSummary loaded={loaded} outcome={fit.outcome} running={fit.running} />
            <ProcedurePanel fit={fit.outcome.fit} plan={plan.plan} />
            <ParamsTable fit={fit.outcome.fit} />
            <PlannerPanel fit={fit.outcome.fit} inputs={plannerInputs} state={plan} onChange={setPlannerInputs} />
            <ApproachesTable approaches={fit.outcome.approaches} skipped={fit.outcome.skipped} agreements={fit.outcome.agreements} />
            <BacktestPanel state={backtest} settings={backtestSettings} onChange={setBacktestSettings} withFit={backtestWithFit} onWithFit={setBacktestWithFit} source={loaded.dataset.source} />
            <FiguresPanel figures={fit.outcome.figures} source={loaded.dataset.source} />
          </>
        )}
        {loaded && !fit.outcome && fit.running && (
          <section className="panel">
            <p className="muted" data-testid="fit-running">Fitting {loaded.label}…</p>
          </section>
        )}
        {!fit.outcome && <PlannerPanel inputs={plannerInputs} state={plan} onChange={setPlannerInputs} />}
        <DownstreamPanel />
        <CurveLawPanel />
      </main>
    </div>
  );
}
