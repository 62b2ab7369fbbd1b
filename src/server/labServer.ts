/**
 * `scalelab lab serve`: the simulated lab behind the HTTP API of the CS336 scaling assignment
 * (shared/data/cs336-a3/PROVENANCE.md): POST /submit, GET /budget, GET /experiments,
 * GET /experiment/{id}, POST|GET /final_submission. Budget is accelerator time: submit reserves
 * max_runtime_seconds, completion charges the runtime clipped to [1, max], a timeout is charged in
 * full; a duplicate configuration is 409 and free; over budget is 400. Time is simulated: `speed`
 * simulated seconds pass per real second, so a 12-hour run can finish in seconds.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { simulate, type SimulationResult } from '../lab/simulate.js';
import type { World } from '../lab/world.js';
import { isScaleLabError } from '../errors/index.js';

export const submitSchema = z.object({
  architecture_config: z.object({
    d_model: z.number().int().positive(),
    num_layers: z.number().int().positive(),
    num_heads: z.number().int().positive(),
    d_ff: z.number().int().positive().optional(),
  }),
  optimizer_config: z.object({
    name: z.enum(['adamw']).default('adamw'),
    lr: z.number().positive(),
    parametrization: z.enum(['sp', 'mup']).default('sp'),
    schedule: z.enum(['cosine']).default('cosine'),
  }),
  train_batch_size: z.number().int().positive(),
  val_batch_size: z.number().int().positive().default(32),
  n_evals: z.number().int().positive().max(1000).default(10),
  total_train_tokens: z.number().positive(),
  max_runtime_seconds: z.number().min(1).max(43200),
  model_seed: z.number().int().nonnegative().default(0),
});

export type SubmitRequest = z.infer<typeof submitSchema>;

interface Experiment {
  id: string;
  request: SubmitRequest;
  key: string;
  submittedAt: number;
  result: SimulationResult | { error: string };
}

export interface LabServerOptions {
  world: World;
  budgetSeconds: number;
  apiKey?: string;
  /** Simulated seconds per real second. @default 3600 */
  speed?: number;
  /** Experiments run at once. @default 8 */
  slots?: number;
  /** Clock in real seconds (tests replace it). @default Date.now()/1000 */
  now?: () => number;
  maxBodyBytes?: number;
}

export interface LabServer {
  server: Server;
  apiKey: string;
  listen(port: number, host?: string): Promise<{ port: number; host: string }>;
  close(): Promise<void>;
}

type Timeline = { start: number; end: number; runtime: number; charged: number; status: 'completed' | 'failed'; error?: string };

export function createLabServer(o: LabServerOptions): LabServer {
  const apiKey = o.apiKey ?? randomBytes(16).toString('hex');
  const speed = o.speed ?? 3600;
  const slots = o.slots ?? 8;
  const realNow = o.now ?? (() => Date.now() / 1000);
  const t0 = realNow();
  const clock = () => (realNow() - t0) * speed;
  const experiments: Experiment[] = [];
  let finalSubmission: unknown;

  /** When each experiment starts and ends in simulated time: first come, first served on `slots` slots. */
  const schedule = (): Map<string, Timeline> => {
    const free = Array.from({ length: slots }, () => 0);
    const out = new Map<string, Timeline>();
    for (const e of experiments) {
      const slot = free.indexOf(Math.min(...free));
      const start = Math.max(e.submittedAt, free[slot]);
      const max = e.request.max_runtime_seconds;
      let t: Timeline;
      if ('error' in e.result) t = { start, end: start + 1, runtime: 1, charged: 1, status: 'failed', error: e.result.error };
      else if (e.result.seconds > max) t = { start, end: start + max, runtime: max, charged: max, status: 'failed', error: `timeout: the run needed ${Math.round(e.result.seconds)} s, more than max_runtime_seconds = ${max}` };
      else {
        const runtime = e.result.seconds;
        t = { start, end: start + runtime, runtime, charged: Math.min(max, Math.max(1, runtime)), status: e.result.status, error: e.result.reason };
      }
      free[slot] = t.end;
      out.set(e.id, t);
    }
    return out;
  };

  const state = (e: Experiment, t: Timeline, now: number): 'queued' | 'running' | 'completed' | 'failed' => (now < t.start ? 'queued' : now < t.end ? 'running' : t.status);

  const budget = () => {
    const now = clock();
    const s = schedule();
    let used = 0, reserved = 0;
    for (const e of experiments) {
      const t = s.get(e.id)!;
      if (now >= t.end) used += t.charged;
      else reserved += e.request.max_runtime_seconds;
    }
    return { budget_seconds: o.budgetSeconds, used_seconds: used, reserved_seconds: reserved, remaining_seconds: o.budgetSeconds - used - reserved };
  };

  const view = (e: Experiment, t: Timeline, now: number) => {
    const status = state(e, t, now);
    const r = 'error' in e.result ? undefined : e.result;
    // Evaluations become visible as simulated time passes their point in the run.
    const done = status === 'completed' || status === 'failed' ? 1 : status === 'running' ? (now - t.start) / Math.max(1e-9, t.runtime) : 0;
    const evals = r ? r.evals.filter((_, i) => (i + 1) / r.evals.length <= done + 1e-12) : [];
    return {
      experiment_id: e.id,
      status,
      request: e.request,
      val_losses: evals.map((x) => x.loss),
      eval_tokens: evals.map((x) => x.tokens),
      submitted_at_seconds: e.submittedAt,
      started_at_seconds: now >= t.start ? t.start : null,
      runtime_seconds: status === 'completed' || status === 'failed' ? t.runtime : null,
      charged_seconds: status === 'completed' || status === 'failed' ? t.charged : null,
      ...(status === 'failed' && t.error ? { error: t.error } : {}),
    };
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const readBody = (req: IncomingMessage): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > (o.maxBodyBytes ?? 1 << 20)) {
          reject(Object.assign(new Error('request body too large'), { status: 413 }));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => {
        try {
          resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
        } catch {
          reject(Object.assign(new Error('request body is not valid JSON'), { status: 400 }));
        }
      });
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const key = req.headers['x-api-key'] ?? (req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined);
    if (key !== apiKey) return send(res, 401, { detail: 'missing or wrong API key (send it in the x-api-key header)' });
    const path = url.pathname.replace(/\/$/, '') || '/';
    const method = req.method ?? 'GET';
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) {
        send(res, 405, { detail: `${method} is not allowed on ${path} (allowed: ${methods.join(', ')})` });
        return false;
      }
      return true;
    };
    if (path === '/submit') {
      if (!allow(['POST'])) return;
      const parsed = submitSchema.safeParse(await readBody(req));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return send(res, 400, { detail: `invalid request: field "${issue.path.join('.')}": ${issue.message}` });
      }
      const request = parsed.data;
      const { max_runtime_seconds: _m, val_batch_size: _v, ...identity } = request;
      void _m;
      void _v;
      const dupKey = JSON.stringify(identity);
      const dup = experiments.find((e) => e.key === dupKey);
      if (dup) return send(res, 409, { detail: `duplicate configuration: already submitted as experiment ${dup.id} (not charged)`, experiment_id: dup.id });
      const b = budget();
      if (request.max_runtime_seconds > b.remaining_seconds) {
        return send(res, 400, { detail: `over budget: max_runtime_seconds = ${request.max_runtime_seconds} but only ${Math.max(0, b.remaining_seconds).toFixed(0)} s remain (used ${b.used_seconds.toFixed(0)}, reserved ${b.reserved_seconds.toFixed(0)})` });
      }
      let result: Experiment['result'];
      try {
        result = simulate(o.world, {
          n_layer: request.architecture_config.num_layers,
          d_model: request.architecture_config.d_model,
          n_heads: request.architecture_config.num_heads,
          d_ff: request.architecture_config.d_ff,
          tokens: request.total_train_tokens,
          batch_tokens: request.train_batch_size * o.world.architecture.seqLen,
          learning_rate: request.optimizer_config.lr,
          parametrization: request.optimizer_config.parametrization,
          n_evals: request.n_evals,
          seed: request.model_seed,
        });
      } catch (e) {
        if (isScaleLabError(e)) return send(res, 400, { detail: e.message.replace(/^config: /, '') });
        throw e;
      }
      const e: Experiment = { id: `exp-${String(experiments.length + 1).padStart(5, '0')}`, request, key: dupKey, submittedAt: clock(), result };
      experiments.push(e);
      return send(res, 200, { experiment_id: e.id, status: 'queued', reserved_seconds: request.max_runtime_seconds });
    }
    if (path === '/budget') {
      if (!allow(['GET'])) return;
      return send(res, 200, budget());
    }
    if (path === '/experiments') {
      if (!allow(['GET'])) return;
      const now = clock(), s = schedule();
      return send(res, 200, { experiments: experiments.map((e) => ({ experiment_id: e.id, status: state(e, s.get(e.id)!, now), request: e.request })) });
    }
    const m = /^\/experiment\/([^/]+)$/.exec(path);
    if (m) {
      if (!allow(['GET'])) return;
      const e = experiments.find((x) => x.id === decodeURIComponent(m[1]));
      if (!e) return send(res, 404, { detail: `no experiment ${m[1]}` });
      return send(res, 200, view(e, schedule().get(e.id)!, clock()));
    }
    if (path === '/final_submission') {
      if (!allow(['GET', 'POST'])) return;
      if (method === 'GET') return finalSubmission === undefined ? send(res, 404, { detail: 'no final submission yet' }) : send(res, 200, finalSubmission);
      const body = await readBody(req);
      const parsed = z.object({ architecture_config: submitSchema.shape.architecture_config, predicted_loss: z.number().positive() }).passthrough().safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return send(res, 400, { detail: `invalid final submission: field "${issue.path.join('.')}": ${issue.message}` });
      }
      finalSubmission = { ...parsed.data, submitted_at_seconds: clock() };
      return send(res, 200, finalSubmission);
    }
    return send(res, 404, { detail: `no such endpoint: ${path}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error & { status?: number }) => {
      if (!res.headersSent) send(res, e.status ?? 500, { detail: e.status ? e.message : 'internal error' });
    });
  });

  return {
    server,
    apiKey,
    listen(port: number, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const a = server.address();
          resolve({ port: typeof a === 'object' && a ? a.port : port, host });
        });
      });
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
