import { useState } from 'react';
import { mergeTaskMetricSets, parseTaskMetrics, type TaskMetricSet } from '../../../src/io/parseTaskMetrics.js';
import { analyseLadder, type TaskAnalysis } from '../../../src/analyses/downstreamLadder.js';
import { toErrorInfo, type ErrorInfo } from '../lib/errors.js';
import { ErrorBanner } from './ErrorBanner.js';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/**
 * Benchmark accuracy from small runs (docs/methods.md §31–§33), in the browser: upload per-task metrics
 * (a long CSV, a wide CSV, or lm-evaluation-harness results JSON with the model's N), see which tasks
 * can be predicted, and predict a target model's accuracy.
 */
export function DownstreamPanel() {
  const [sets, setSets] = useState<TaskMetricSet[]>([]);
  const [error, setError] = useState<ErrorInfo>();
  const [chance, setChance] = useState('');
  const [N, setN] = useState('');
  const [D, setD] = useState('');
  const [tasks, setTasks] = useState<TaskAnalysis[]>();
  const [running, setRunning] = useState(false);

  const upload = async (files: FileList | null) => {
    setError(undefined);
    setTasks(undefined);
    try {
      const read: TaskMetricSet[] = [];
      for (const file of Array.from(files ?? [])) {
        const text = await file.text();
        // A wide CSV without a run column is one run, named after its file (as the CLI does).
        read.push(
          parseTaskMetrics(text, {
            source: file.name,
            ...(file.name.toLowerCase().endsWith('.json') ? {} : { run: file.name.replace(/\.[^.]+$/, '') }),
          }),
        );
      }
      setSets(read);
    } catch (e) {
      setSets([]);
      setError(toErrorInfo(e));
    }
  };

  const analyse = () => {
    setRunning(true);
    setError(undefined);
    // Let the "analysing" state paint before the fits block the page for a moment.
    setTimeout(() => {
      try {
        // As the CLI reads files: a repeated value counts once, a contradicting one is refused where it is,
        // and with several files each record keeps its own for the analyses' errors.
        if (sets.length > 1) for (const set of sets) for (const r of set.records) r.file ??= set.source;
        const records = mergeTaskMetricSets(sets);
        const target = Number(N) > 0 && Number(D) > 0 ? [{ label: 'target', N: Number(N), D: Number(D) }] : [];
        const c = chance.trim() === '' ? undefined : Number(chance);
        setTasks(
          analyseLadder(
            { source: sets.map((s) => s.source).join(', '), sets, records, roles: new Map(), tasks: [] },
            {
              targets: target,
              replicates: target.length ? 50 : 0,
              ...(c !== undefined && c >= 0 && c < 1 ? { chance: c } : {}),
            },
          ),
        );
      } catch (e) {
        setError(toErrorInfo(e));
      } finally {
        setRunning(false);
      }
    }, 0);
  };

  return (
    <section className="panel" data-testid="downstream-panel" aria-labelledby="downstream-heading">
      <h2 id="downstream-heading">Downstream accuracy</h2>
      <p className="muted">
        Per-task metrics of a ladder of runs: which tasks can be predicted, and a target model's accuracy (the two-step
        method when the task has a task loss, else a law in compute).
      </p>
      <label>
        Task metrics (CSV or lm-evaluation-harness JSON){' '}
        <input
          type="file"
          multiple
          accept=".csv,.json"
          data-testid="downstream-upload"
          onChange={(e) => void upload(e.target.files)}
        />
      </label>
      {sets.length > 0 && (
        <p className="muted">
          {sets.reduce((a, s) => a + s.records.length, 0)} metrics from {sets.length} file(s).
        </p>
      )}
      <div className="fields">
        <label>
          chance accuracy{' '}
          <input value={chance} onChange={(e) => setChance(e.target.value)} placeholder="e.g. 0.25" size={6} />
        </label>
        <label>
          target N <input value={N} onChange={(e) => setN(e.target.value)} placeholder="7e9" size={8} />
        </label>
        <label>
          target D <input value={D} onChange={(e) => setD(e.target.value)} placeholder="4e12" size={8} />
        </label>
        <button type="button" disabled={!sets.length || running} onClick={analyse} data-testid="downstream-run">
          {running ? 'Analysing…' : 'Screen and predict'}
        </button>
      </div>
      {error && <ErrorBanner title="Task metrics" error={error} />}
      {tasks && (
        <table data-testid="downstream-screen">
          <thead>
            <tr>
              <th>task</th>
              <th>verdict</th>
              <th>back-test error</th>
              <th>predicted accuracy</th>
              <th>why</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => {
              const target = t.targets[0];
              return (
                <tr key={t.task}>
                  <td>{t.task}</td>
                  <td>{t.screen?.verdict ?? 'not screened'}</td>
                  <td>{t.screen?.backtest ? pct(t.screen.backtest.meanRelativeError) : ''}</td>
                  <td>
                    {target
                      ? `${target.accuracy.toFixed(3)}${target.interval ? ` [${target.interval.accuracy[0].toFixed(3)}, ${target.interval.accuracy[1].toFixed(3)}]` : ''}`
                      : ''}
                  </td>
                  <td>{t.screen?.reasons.join('; ') || t.screenProblem || t.fitProblem || ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
