/**
 * A client for training APIs that speak the CS336 assignment's protocol (POST /submit,
 * GET /experiment/{id}, …): `scalelab lab serve` is one; a course's or a lab's server is another.
 */
import { libraryOption, type OptionNamer, ScaleLabError } from '../../errors/index.js';
import type { Checkpoint, StoredRun } from '../../store/store.js';
import { evaluationProblem } from '../../io/parseMetrics.js';
import {
  BackendBusy,
  BackendUnreachable,
  runConfig,
  type Backend,
  type BackendStatus,
  type RunConfig,
} from './backend.js';
import { formatNumber } from '../../core/format.js';

class ApiError extends ScaleLabError {
  override name = 'ApiError' as const;
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface ApiOptions {
  url: string;
  apiKey: string;
  /** Sequence length the server trains with (train_batch_size is in sequences). @default 512 */
  seqLen?: number;
  concurrency?: number;
  /**
   * Every run's max_runtime_seconds, fixed. Without it the limit is learnt from the server: see
   * runtimeLimit().
   */
  maxRuntimeSeconds?: number;
  /** Reserve this multiple of the calibrated runtime. @default 2 */
  runtimeMargin?: number;
  /** How a run's failure reason names these options (the CLI passes its flags). */
  optionNames?: OptionNamer;
  /** How long one call waits for an answer before the server counts as away. @default 30 000 ms */
  callTimeoutMs?: number;
}

/** The API's largest max_runtime_seconds (12 h). */
export const apiMaxRuntime = 43200;

/** One run's observed runtime against the client's estimate, as the server reported it. */
export interface RuntimeObservation {
  N: number;
  /** Server-reported runtime ÷ the client's cost-model estimate. */
  ratio: number;
  /** The client's estimate for that run, in seconds. */
  estimate?: number;
}

/**
 * How much longer than the client's estimate a run of N parameters takes on the server, from runs
 * it reported: the ratio of the nearest observed size at or below N (small models use an
 * accelerator worse, so the ratio falls with N and this errs long), or, below every observed size,
 * the smallest size's ratio scaled by N_min/N (utilisation at most proportional to N). Among runs of
 * that size, with `estimate` given: the longest run no longer than this one (a start-up cost weighs
 * less on a longer run, so the ratio falls with the estimate and this too errs long), else the
 * shortest; without it, the largest ratio.
 * Undefined before the server has reported any run.
 */
export function runtimeRatio(observed: RuntimeObservation[], N: number, estimate?: number): number | undefined {
  if (observed.length === 0) return undefined;
  const below = observed.filter((o) => o.N <= N * (1 + 1e-9));
  if (below.length) {
    const nearest = Math.max(...below.map((o) => o.N));
    const same = below.filter((o) => o.N === nearest);
    const timed = same.filter((o) => o.estimate !== undefined);
    if (estimate === undefined || timed.length < same.length) return Math.max(...same.map((o) => o.ratio));
    const shorter = timed.filter((o) => o.estimate! <= estimate * (1 + 1e-9));
    const pick = shorter.length
      ? Math.max(...shorter.map((o) => o.estimate!))
      : Math.min(...timed.map((o) => o.estimate!));
    return Math.max(...timed.filter((o) => o.estimate === pick).map((o) => o.ratio));
  }
  const smallest = Math.min(...observed.map((o) => o.N));
  const r = Math.max(...observed.filter((o) => o.N === smallest).map((o) => o.ratio));
  return (r * smallest) / N;
}

/**
 * max_runtime_seconds for a run (the API reserves it from the budget at submit, charges only the
 * actual runtime, and fails a run that needs longer — charged in full, and the same configuration
 * cannot be submitted again), so it errs long:
 * - `fixed` when the user gave one (--max-runtime);
 * - before the server has reported any runtime: half the budget left (at most 12 h), since a
 *   client's cost model can be far off (a small model's MFU is a fraction of the assumed one);
 * - after: estimate × calibrated ratio × margin + 60 s. The ratio may be below 1: when the study
 *   has planned with a measured speed already (calibrateCost), the estimate can be the long one.
 * Within the API's [60 s, 12 h], except that a fixed value below 60 s is kept (the user asked for it;
 * the server may refuse it). Fitting it into the budget left is the caller's business.
 */
export function runtimeLimit(o: {
  estimate: number;
  ratio?: number;
  margin: number;
  remaining?: number;
  fixed?: number;
}): number {
  if (o.fixed !== undefined) return Math.min(apiMaxRuntime, Math.max(1, Math.round(o.fixed)));
  const need = o.estimate * o.margin + 60;
  const want =
    o.ratio === undefined
      ? Math.max(need, (o.remaining ?? 2 * apiMaxRuntime) / 2)
      : o.estimate * o.ratio * o.margin + 60;
  return Math.round(Math.min(apiMaxRuntime, Math.max(60, want)));
}

/** A failed run's reason in words a user can act on (the server's own words kept). */
export function failureReason(
  error: string | undefined,
  status: string,
  maxRuntime?: number,
  name: OptionNamer = libraryOption,
): string {
  const e = error ?? `status ${status}`;
  if (/time[d ]?\s*out|max_runtime/i.test(e)) {
    return `timed out on the training API after its max_runtime_seconds${maxRuntime ? ` = ${maxRuntime}` : ''} (${e}); the run needed longer than reserved: raise the limit with ${name('maxRuntimeSeconds')} SECONDS or ${name('runtimeMargin')} X`;
  }
  return e;
}

/** The request body for a run, in the API's field names. */
function submitBody(c: RunConfig, seqLen: number, maxRuntimeSeconds: number) {
  return {
    architecture_config: {
      d_model: c.d_model,
      num_layers: c.n_layer,
      num_heads: c.n_heads,
      ...(c.d_ff ? { d_ff: c.d_ff } : {}),
    },
    optimizer_config: {
      name: 'adamw',
      lr: c.learning_rate,
      parametrization: c.parametrization ?? 'sp',
      schedule: 'cosine',
    },
    train_batch_size: Math.max(1, Math.round(c.batch_tokens / seqLen)),
    val_batch_size: 32,
    n_evals: c.n_evals ?? 10,
    total_train_tokens: Math.round(c.tokens),
    max_runtime_seconds: Math.round(maxRuntimeSeconds),
    model_seed: c.seed ?? 0,
  };
}

/**
 * The evaluations an experiment reports (val_losses, at eval_tokens), each checked as a trainer's
 * are (../../io/parseMetrics.ts): up to the first impossible one, and that one described.
 */
function reportedEvals(
  r: { val_losses?: unknown; eval_tokens?: unknown },
  id: string,
): { evals: Checkpoint[]; problem?: string } {
  const losses = r.val_losses ?? [];
  const tokens = r.eval_tokens;
  if (!Array.isArray(losses))
    return { evals: [], problem: `${id}: val_losses ${JSON.stringify(losses)} is not a list` };
  if (tokens !== undefined && (!Array.isArray(tokens) || tokens.length !== losses.length))
    return { evals: [], problem: `${id}: eval_tokens is not a list as long as val_losses` };
  const evals: Checkpoint[] = [];
  for (let i = 0; i < losses.length; i++) {
    // Without eval_tokens, the evaluations' order stands in for their tokens (as before).
    const t: unknown = tokens ? tokens[i] : i + 1;
    const problem = evaluationProblem(
      losses[i],
      t,
      { loss: `val_losses[${i}]`, tokens: `eval_tokens[${i}]` },
      evals.at(-1)?.tokens,
    );
    if (problem) return { evals, problem: `${id}: ${problem}` };
    evals.push({ tokens: t as number, loss: losses[i] as number });
  }
  return { evals };
}

/**
 * Failures of the network or of a server that is away (restarting, killed, not answering), after which the
 * same call may succeed: the sweep waits (BackendUnreachable). Anything else fetch throws — a URL it cannot
 * use, a host name that does not exist — is the user's to fix, and ends the sweep at once.
 */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

function transientNetworkFailure(e: unknown): boolean {
  const err = e as { name?: string; cause?: { code?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return true;
  const code = err?.cause?.code;
  return code !== undefined && (TRANSIENT_CODES.has(code) || code.startsWith('UND_ERR_'));
}

/** Statuses a proxy or gateway answers while the server behind it is away: as good as no answer. */
const AWAY_STATUSES = new Set([502, 503, 504]);

/**
 * How long one call may wait for the training API's answer unless told otherwise: a server that stopped
 * answering is away. Ample for a server that answers from its own state (lab serve: milliseconds); a
 * cluster whose API answers a submit only once the job is queued may need more (ApiOptions.callTimeoutMs).
 */
export const CALL_TIMEOUT_MS = 30_000;

/** Why fetch failed, in the system's words (ECONNREFUSED, ECONNRESET, …): undici's "fetch failed" alone says nothing. */
function networkCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code && cause.code !== 'UND_ERR_SOCKET' ? cause.code : undefined;
  const text = cause?.message ?? (e as Error)?.message ?? String(e);
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}

/**
 * JSON with every object's keys in order: a server that echoes a request with its keys in another order
 * has the same request (find would otherwise miss a run whose submit answer was lost, and send it again).
 */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function apiBackend(o: ApiOptions): Backend {
  const base = o.url.replace(/\/$/, '');
  const seqLen = o.seqLen ?? 512;
  const margin = o.runtimeMargin ?? 2;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the training API, checked where it is used
  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': o.apiKey },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(o.callTimeoutMs ?? CALL_TIMEOUT_MS),
      });
    } catch (e) {
      const why =
        (e as Error)?.name === 'TimeoutError'
          ? `no answer in ${formatNumber((o.callTimeoutMs ?? CALL_TIMEOUT_MS) / 1000, 3)} s`
          : networkCause(e);
      if (transientNetworkFailure(e))
        throw new BackendUnreachable(`${method} ${base}${path}: cannot reach the training API (${why})`);
      throw new ApiError(
        0,
        `${method} ${base}${path}: cannot call the training API (${why}); check ${(o.optionNames ?? libraryOption)('url')}`,
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      // The server went away in the middle of its answer (killed): as good as no answer.
      throw new BackendUnreachable(
        `${method} ${base}${path}: the training API stopped in the middle of its answer (${networkCause(e)})`,
      );
    }
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { detail: text };
    }
    if (AWAY_STATUSES.has(res.status))
      throw new BackendUnreachable(
        `${method} ${base}${path}: the training API is away (${res.status} ${json.detail ?? res.statusText}, from a proxy or gateway in front of it)`,
      );
    if (!res.ok)
      throw new ApiError(res.status, `${method} ${base}${path}: ${res.status} ${json.detail ?? res.statusText}`);
    return json;
  };
  // What the server reported: runtime ÷ estimate per model size (the calibration of runtimeLimit).
  const observed: RuntimeObservation[] = [];
  // Experiments this client knows to be queued or running (they hold budget reservations).
  const inFlight = new Set<string>();
  const calibrated = () => o.maxRuntimeSeconds !== undefined || observed.length > 0;
  const estimate = (run: StoredRun) => run.estimatedSeconds ?? 3600;
  const remaining = async (): Promise<number | undefined> => {
    try {
      const b = await call('GET', '/budget');
      return typeof b.remaining_seconds === 'number' ? b.remaining_seconds : undefined;
    } catch {
      return undefined;
    }
  };
  const identity = (run: StoredRun) => {
    const { max_runtime_seconds: _omit, ...rest } = submitBody(runConfig(run), seqLen, 0);
    void _omit;
    return rest;
  };
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  return {
    name: 'api',
    remainingSeconds: remaining,
    // Until the server has reported a runtime, one run at a time: it calibrates the others' limits.
    get concurrency() {
      return calibrated() ? (o.concurrency ?? 8) : 1;
    },
    async submit(run) {
      const left = await remaining();
      const ratio = run.N
        ? runtimeRatio(observed, run.N, estimate(run))
        : observed.length
          ? Math.max(...observed.map((x) => x.ratio))
          : undefined;
      let limit = runtimeLimit({ estimate: estimate(run), ratio, margin, remaining: left, fixed: o.maxRuntimeSeconds });
      if (left !== undefined && limit > left) {
        // The reservation does not fit what is left: wait for the runs in flight to settle theirs,
        // or, with none in flight, reserve all that is left if the run is expected to fit in it.
        if (inFlight.size > 0)
          throw new BackendBusy(
            `max_runtime_seconds = ${limit} does not fit the ${Math.max(0, left).toFixed(0)} s of budget left while runs are in flight`,
          );
        if (o.maxRuntimeSeconds === undefined && left >= estimate(run) * (ratio ?? 1) * 1.1 + 60)
          limit = Math.floor(left);
      }
      try {
        const r = await call('POST', '/submit', submitBody(runConfig(run), seqLen, limit));
        inFlight.add(String(r.experiment_id));
        return String(r.experiment_id);
      } catch (e) {
        // 409: this exact configuration was submitted before (e.g. by a killed sweep): adopt it.
        if (e instanceof ApiError && e.status === 409) {
          const id = await this.find!(run);
          if (id) {
            // …unless it failed: the API never runs a configuration twice, so a retry cannot help.
            const earlier = await call('GET', `/experiment/${encodeURIComponent(id)}`);
            if (!['queued', 'running', 'completed'].includes(earlier.status)) {
              const why = earlier.error ?? `status ${earlier.status}`;
              throw new Error(
                `the training API already ran this configuration as experiment ${id}, which failed (${why}), and refuses the same configuration twice (409, whatever max_runtime_seconds): it cannot be retried as is; change the configuration (e.g. another seed) in a new study`,
              );
            }
            return id;
          }
        }
        throw e;
      }
    },
    async find(run) {
      const wanted = identity(run);
      const list = (await call('GET', '/experiments')) as {
        experiments: { experiment_id: string; request: Record<string, unknown> }[];
      };
      const hit = list.experiments.find((x) => {
        const { max_runtime_seconds: _m, ...req } = x.request as Record<string, unknown>;
        void _m;
        return same(req, wanted);
      });
      return hit?.experiment_id;
    },
    async status(run): Promise<BackendStatus> {
      const r = await call('GET', `/experiment/${encodeURIComponent(run.externalId!)}`);
      const { evals, problem } = reportedEvals(r, run.externalId!);
      const runtime =
        typeof r.runtime_seconds === 'number'
          ? r.runtime_seconds
          : typeof r.charged_seconds === 'number'
            ? r.charged_seconds
            : undefined;
      const maxRuntime = typeof r.request?.max_runtime_seconds === 'number' ? r.request.max_runtime_seconds : undefined;
      const charged =
        typeof r.charged_seconds === 'number' && Number.isFinite(r.charged_seconds) && r.charged_seconds >= 0
          ? r.charged_seconds
          : undefined;
      if (r.status === 'queued' || r.status === 'running') inFlight.add(run.externalId!);
      else inFlight.delete(run.externalId!);
      switch (r.status) {
        case 'queued':
          return { state: 'queued' };
        case 'running':
          return { state: 'running', evals };
        case 'completed':
          if (runtime !== undefined && run.N)
            observed.push({ N: run.N, ratio: runtime / estimate(run), estimate: estimate(run) });
          if (problem)
            return {
              state: 'failed',
              reason: `the training API reported impossible metrics for experiment ${problem}`,
              evals,
              seconds: charged,
            };
          if (evals.length === 0)
            return {
              state: 'failed',
              reason: `the training API reported experiment ${run.externalId} completed without a validation loss (val_losses is empty)`,
              seconds: charged,
            };
          return { state: 'completed', evals, loss: evals[evals.length - 1].loss, seconds: charged };
        default: {
          const reason = failureReason(r.error, r.status, maxRuntime, o.optionNames);
          // A timeout bounds the runtime from below: count it, doubled, so the next limits are longer.
          if (reason.startsWith('timed out') && runtime !== undefined && run.N)
            observed.push({ N: run.N, ratio: (2 * runtime) / estimate(run), estimate: estimate(run) });
          return { state: 'failed', reason, seconds: charged, evals };
        }
      }
    },
  };
}
