/**
 * A client for training APIs that speak the CS336 assignment's protocol (POST /submit,
 * GET /experiment/{id}, …): `scalelab lab serve` is one; a course's or a lab's server is another.
 */
import { ScaleLabError } from '../../errors/index.js';
import type { StoredRun } from '../../store/store.js';
import { runConfig, type Backend, type BackendStatus, type RunConfig } from './backend.js';

export class ApiError extends ScaleLabError {
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
  /** Reserve this multiple of the estimated runtime. @default 1.5 */
  runtimeMargin?: number;
}

/** The request body for a run, in the API's field names. */
export function submitBody(c: RunConfig, seqLen: number, maxRuntimeSeconds: number) {
  return {
    architecture_config: { d_model: c.d_model, num_layers: c.n_layer, num_heads: c.n_heads, ...(c.d_ff ? { d_ff: c.d_ff } : {}) },
    optimizer_config: { name: 'adamw', lr: c.learning_rate, parametrization: c.parametrization ?? 'sp', schedule: 'cosine' },
    train_batch_size: Math.max(1, Math.round(c.batch_tokens / seqLen)),
    val_batch_size: 32,
    n_evals: c.n_evals ?? 10,
    total_train_tokens: Math.round(c.tokens),
    max_runtime_seconds: Math.round(maxRuntimeSeconds),
    model_seed: c.seed ?? 0,
  };
}

export function apiBackend(o: ApiOptions): Backend {
  const base = o.url.replace(/\/$/, '');
  const seqLen = o.seqLen ?? 512;
  const call = async (method: string, path: string, body?: unknown): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', 'x-api-key': o.apiKey }, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, `${method} ${base}${path}: cannot reach the training API (${(e as Error).message})`);
    }
    const text = await res.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { detail: text };
    }
    if (!res.ok) throw new ApiError(res.status, `${method} ${base}${path}: ${res.status} ${json.detail ?? res.statusText}`);
    return json;
  };
  const bodyFor = (run: StoredRun) => submitBody(runConfig(run), seqLen, Math.min(43200, Math.max(60, (run.estimatedSeconds ?? 3600) * (o.runtimeMargin ?? 1.5) + 60)));
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    name: 'api',
    concurrency: o.concurrency ?? 8,
    async submit(run) {
      try {
        const r = await call('POST', '/submit', bodyFor(run));
        return String(r.experiment_id);
      } catch (e) {
        // 409: this exact configuration was submitted before (e.g. by a killed sweep): adopt it.
        if (e instanceof ApiError && e.status === 409) {
          const id = await this.find!(run);
          if (id) return id;
        }
        throw e;
      }
    },
    async find(run) {
      const body = bodyFor(run);
      const list = (await call('GET', '/experiments')) as { experiments: { experiment_id: string; request: Record<string, unknown> }[] };
      const { max_runtime_seconds: _omit, ...wanted } = body;
      void _omit;
      const hit = list.experiments.find((x) => {
        const { max_runtime_seconds: _m, ...req } = x.request as Record<string, unknown>;
        void _m;
        return same(req, wanted);
      });
      return hit?.experiment_id;
    },
    async status(run): Promise<BackendStatus> {
      const r = await call('GET', `/experiment/${encodeURIComponent(run.externalId!)}`);
      const evals = (r.val_losses ?? []).map((loss: number, i: number) => ({ tokens: r.eval_tokens?.[i] ?? i + 1, loss }));
      switch (r.status) {
        case 'queued':
          return { state: 'queued' };
        case 'running':
          return { state: 'running', evals };
        case 'completed':
          return { state: 'completed', evals, loss: evals.length ? evals[evals.length - 1].loss : undefined, seconds: r.charged_seconds };
        default:
          return { state: 'failed', reason: r.error ?? `status ${r.status}`, seconds: r.charged_seconds, evals };
      }
    },
  };
}
