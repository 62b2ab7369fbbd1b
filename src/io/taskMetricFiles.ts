/**
 * Task-metric files as the CLI reads them — single files (long or wide CSV, lm-evaluation-harness
 * JSON), or a ladder manifest: a JSON file listing a ladder's files with each run's name, N, FLOPs per
 * token and role (`ladder`: fitted; `rerun`: another seed of a ladder run, for the noise screening
 * only; `target`: a large model to predict, never fitted). Pure: the caller reads the files (from disk
 * in readTaskMetrics.ts, from the chosen files in the web app), so both read a manifest the same way.
 */
import { InputError } from '../errors/index.js';
import { magnitudeRefusal } from '../core/magnitude.js';
import { jsonFieldPlaces, parseJsonText } from './parseJson.js';
import { plain } from '../core/format.js';
import { stripBom } from './parseRuns.js';
import { lineColumn, lineStartsOf } from './textPosition.js';
import {
  mergeTaskMetricSets,
  parseTaskMetrics,
  type RunRole,
  type TaskDefinition,
  type TaskMetricData,
  type TaskMetricOptions,
  type TaskMetricSet,
} from './parseTaskMetrics.js';

/** How to reach the files: their text by path, and a manifest's listed file as a path. */
export interface TaskMetricFiles {
  /**
   * The file's text.
   * @param listedIn the manifest that lists it, for the error when it cannot be read
   * @throws InputError naming the file when it cannot be read
   */
  read(path: string, listedIn?: string): string;
  /** A file a manifest lists (relative to the manifest, or absolute), as a path `read` takes. */
  resolve(manifest: string, file: string): string;
}

interface ManifestRun {
  file: string;
  run: string;
  N: number;
  flopsPerToken?: number;
  tokens?: number;
  batchTokens?: number;
  role?: RunRole;
  /** The run logged to W&B with step=its global step, so its `_step` is the training step (not said as a log count). */
  loggedWithTrainerStep?: boolean;
}

/** Whether JSON text is a ladder manifest (an object with a "runs" array) rather than lm-eval results. */
export function manifestOf(text: string): { runs: unknown[]; tasks: unknown } | undefined {
  const body = stripBom(text);
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    const doc = JSON.parse(body) as { runs?: unknown; results?: unknown; tasks?: unknown };
    return Array.isArray(doc.runs) && doc.results === undefined ? { runs: doc.runs, tasks: doc.tasks } : undefined;
  } catch {
    return undefined;
  }
}

const MANIFEST = 'a ladder manifest ({"runs": [{"file", "run", "N"}, …]})';

/**
 * Why text that is no manifest by manifestOf, but says "runs" and not "results", is refused: it is a
 * manifest with a slip (a trailing comma, "runs" not an array), refused as the manifest it is meant to
 * be rather than read on as lm-evaluation-harness results and refused for their missing "results". The
 * web app asks too, so that a folder's broken manifest is shown, not passed over for another.
 * @returns the located error, or undefined when the text is no manifest meant
 */
export function manifestProblem(text: string, source: string): InputError | undefined {
  if (!/"runs"\s*:/.test(text) || /"results"\s*:/.test(text)) return undefined;
  let doc: { runs?: unknown } | null;
  try {
    doc = parseJsonText(text, source, MANIFEST) as { runs?: unknown } | null;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  if (doc && typeof doc === 'object' && doc.runs !== undefined && !Array.isArray(doc.runs)) {
    const body = stripBom(text);
    return new InputError(
      { file: source, ...lineColumn(lineStartsOf(body), body.search(/"runs"\s*:/)) },
      `"runs": expected an array of runs [{"file", "run", "N"}, …], got ${doc.runs === null ? 'null' : typeof doc.runs === 'object' ? 'an object' : typeof doc.runs}`,
    );
  }
  return undefined;
}

function checkManifestRun(entry: unknown, i: number, source: string, text: string): ManifestRun {
  const where = () => {
    const needle = `"file"`;
    let at = -1;
    for (let k = 0; k <= i; k++) at = text.indexOf(needle, at + 1);
    const line = at < 0 ? 1 : text.slice(0, at).split('\n').length;
    return { file: source, line };
  };
  const e = entry as Partial<ManifestRun> | null;
  if (!e || typeof e !== 'object') throw new InputError(where(), `runs[${i}]: expected {"file", "run", "N"}`);
  if (typeof e.file !== 'string' || !e.file)
    throw new InputError(where(), `runs[${i}]: expected "file", the path of the run's metrics`);
  if (typeof e.run !== 'string' || !e.run) throw new InputError(where(), `runs[${i}]: expected "run", the run's name`);
  if (typeof e.N !== 'number' || !(e.N > 0))
    throw new InputError(where(), `runs[${i}] (${e.run}): expected "N", the parameters, as a positive number`);
  for (const k of ['flopsPerToken', 'tokens', 'batchTokens'] as const) {
    if (e[k] !== undefined && !(typeof e[k] === 'number' && e[k]! > 0))
      throw new InputError(where(), `runs[${i}] (${e.run}): "${k}" must be a positive number`);
  }
  for (const k of ['N', 'flopsPerToken', 'tokens', 'batchTokens'] as const) {
    const refusal = e[k] === undefined ? undefined : magnitudeRefusal(`runs[${i}] (${e.run}): "${k}"`, e[k]!);
    if (refusal) throw new InputError(where(), refusal);
  }
  if (e.loggedWithTrainerStep !== undefined && typeof e.loggedWithTrainerStep !== 'boolean')
    throw new InputError(where(), `runs[${i}] (${e.run}): "loggedWithTrainerStep" must be true or false`);
  if (e.role !== undefined && !['ladder', 'rerun', 'target'].includes(e.role))
    throw new InputError(
      where(),
      `runs[${i}] (${e.run}): "role" must be ladder, rerun or target, got ${JSON.stringify(e.role)}`,
    );
  return e as ManifestRun;
}

/**
 * Read files (and the files a manifest lists, relative to it) into one set of records.
 * @param options applied to every file that is not in a manifest (a run name, N, tokens per step)
 */
export function taskMetricsFromFiles(
  paths: readonly string[],
  options: Omit<TaskMetricOptions, 'source'>,
  files: TaskMetricFiles,
): TaskMetricData {
  const sets: TaskMetricSet[] = [];
  const roles = new Map<string, RunRole>();
  const tasks: TaskDefinition[] = [];
  // Each file a manifest lists, with the run it was read as: a file listed again as another run (a
  // manifest line copied and its run and N edited, the file not) would make one run's metrics two runs'.
  const listed = new Map<string, { manifest: string; i: number; run: string; N: number }>();
  for (const path of paths) {
    const text = files.read(path);
    const manifest = manifestOf(text);
    const problem = manifest ? undefined : manifestProblem(text, path);
    if (problem) throw problem;
    if (manifest) {
      if (manifest.tasks !== undefined) tasks.push(...checkTasks(manifest.tasks, path));
      manifest.runs.forEach((entry, i) => {
        const m = checkManifestRun(entry, i, path, text);
        const file = files.resolve(path, m.file);
        const before = listed.get(file);
        if (before && (before.run !== m.run || before.N !== m.N))
          throw new InputError(
            { file: path, ...jsonFieldPlaces(text)(['runs', i, 'file']) },
            `runs[${i}] (${m.run}, N = ${plain(m.N)}): its file ${m.file} is listed already, as run ${before.run} (N = ${plain(before.N)}) at runs[${before.i}]${before.manifest === path ? '' : ` of ${before.manifest}`}; expected each run's own file (one file's metrics are one run's)`,
          );
        listed.set(file, { manifest: path, i, run: m.run, N: m.N });
        const set = parseTaskMetrics(files.read(file, path), {
          source: file,
          run: m.run,
          N: m.N,
          flopsPerToken: m.flopsPerToken,
          tokens: m.tokens,
          batchTokens: m.batchTokens,
          ...(m.loggedWithTrainerStep ? { loggedWithTrainerStep: true } : {}),
        });
        // The manifest names the run: a run column in its file would contradict it. Its problems are
        // located in the run's file, not the manifest.
        for (const r of set.records) {
          r.run = m.run;
          r.file = file;
        }
        sets.push(set);
        roles.set(m.run, m.role ?? 'ladder');
      });
    } else {
      sets.push(
        parseTaskMetrics(text, {
          source: path,
          ...options,
          run: options.run ?? (path.toLowerCase().endsWith('.json') ? undefined : defaultRunName(path, text)),
        }),
      );
    }
  }
  // Several files: each record keeps its own, for the analyses' errors.
  if (paths.length > 1) for (const set of sets) for (const r of set.records) r.file ??= set.source;
  return { source: sourceOf(paths), sets, records: mergeTaskMetricSets(sets), roles, tasks };
}

/**
 * The data's name in messages and output: its files, the first few of many (24 lm-eval files made an
 * error's location 1,500 characters long before its message). Each record keeps its own file.
 */
function sourceOf(paths: readonly string[]): string {
  return paths.length <= 3
    ? paths.join(', ')
    : `${paths.slice(0, 2).join(', ')} and ${paths.length - 2} more files (${paths.length} in all)`;
}

function checkTasks(value: unknown, source: string): TaskDefinition[] {
  if (!Array.isArray(value))
    throw new InputError(
      { file: source },
      '"tasks": expected an array of {"task", "parts", "accuracyMetric", "lossMetric", "chance"}',
    );
  return value.map((t: Partial<TaskDefinition> | null, i) => {
    if (!t || typeof t.task !== 'string' || !t.task)
      throw new InputError({ file: source }, `tasks[${i}]: expected "task", the task's name`);
    // A metric per task, as --accuracy-metric TASK=NAME gives one: a name, which may hold a comma (lm-eval's).
    for (const k of ['accuracyMetric', 'lossMetric'] as const)
      if (t[k] !== undefined && !(typeof t[k] === 'string' && t[k].trim()))
        throw new InputError(
          { file: source },
          `tasks[${i}] (${t.task}): "${k}" must be a metric's name, such as "acc_norm" or "exact_match,strict-match"`,
        );
    if (t.chance !== undefined && !(typeof t.chance === 'number' && t.chance >= 0 && t.chance < 1))
      throw new InputError({ file: source }, `tasks[${i}] (${t.task}): "chance" must be a number in [0, 1)`);
    if (
      t.parts !== undefined &&
      (typeof t.parts !== 'object' || !Object.values(t.parts).every((w) => typeof w === 'number' && w > 0))
    )
      throw new InputError(
        { file: source },
        `tasks[${i}] (${t.task}): "parts" must map task names to positive weights`,
      );
    return t as TaskDefinition;
  });
}

/** A wide CSV without a run column is one run: named after its file. */
function defaultRunName(path: string, text: string): string | undefined {
  const header = text.split('\n', 1)[0].toLowerCase();
  if (/(^|,)\s*"?(run|model|name|run_name)"?\s*(,|$)/.test(header)) return undefined;
  return path.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
}
