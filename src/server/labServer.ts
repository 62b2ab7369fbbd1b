/**
 * `scalelab lab serve`: the simulated lab behind the HTTP API of the CS336 scaling assignment
 * (stanford-cs336/assignment3-scaling, 2026 handout v26.0.x): POST /submit, GET /budget, GET /experiments,
 * GET /experiment/{id}, POST|GET /final_submission. Budget is accelerator time: submit reserves
 * max_runtime_seconds, completion charges the runtime clipped to [1, max], a timeout is charged in
 * full; a duplicate configuration is 409 and free; over budget is 400. Time is simulated: `speed`
 * simulated seconds pass per real second, so a 12-hour run can finish in seconds.
 *
 * The lab lives in a LabState (src/server/labState.ts): on a state file it survives a restart or a
 * kill -9 — budget spent, experiments and their ids, the final submission — and a restarted server
 * carries on where the last one stopped; without one it is kept in memory.
 *
 * Only requests whose Host names this server are answered (421 otherwise): a web page that rebinds
 * its own name to 127.0.0.1 would otherwise reach the API from a browser.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { simulate, type SimulationResult } from '../lab/simulate.js';
import type { World } from '../lab/world.js';
import { isScaleLabError } from '../errors/index.js';
import {
  BodyTooLarge,
  clientErrorAnswer,
  hostAllowed,
  listenOn,
  malformedEscape,
  misdirectedMessage,
  readBody,
  requestTimeoutMs,
  requestTimeouts,
} from './http.js';
import { LabState, type LabExperiment } from './labState.js';

const submitSchema = z.object({
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

type SubmitRequest = z.infer<typeof submitSchema>;

export interface LabServerOptions {
  /** Simulated seconds per real second. @default 3600 */
  speed?: number;
  /** Experiments run at once. @default 8 */
  slots?: number;
  /** Clock in real seconds (tests replace it). @default Date.now()/1000 */
  now?: () => number;
  maxBodyBytes?: number;
  /** Time a client has to send a whole request before a 408. @default requestTimeoutMs (60 s) */
  requestTimeoutMs?: number;
}

/**
 * A lab on a state file (LabState.open: its world, budget and key are the file's), or a lab in
 * memory with these, forgotten when the server stops.
 */
export type LabServerSetup = LabServerOptions &
  ({ state: LabState } | { world: World; budgetSeconds: number; apiKey?: string });

export interface LabServer {
  server: Server;
  apiKey: string;
  state: LabState;
  listen(port: number, host?: string): Promise<{ port: number; host: string }>;
  /** Stop listening and release the state file. */
  close(): Promise<void>;
}

/** An HTTP answer other than 200, carried by an exception. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createLabServer(o: LabServerSetup): LabServer {
  const lab =
    'state' in o
      ? o.state
      : LabState.open(':memory:', { world: o.world, budgetSeconds: o.budgetSeconds, apiKey: o.apiKey });
  const { world, budgetSeconds, apiKey } = lab;
  const slots = o.slots ?? 8;
  const clock = lab.startClock(o.speed ?? 3600, o.now ?? (() => Date.now() / 1000));
  const maxBody = o.maxBodyBytes ?? 1 << 20;
  let bindHost = '127.0.0.1';

  /**
   * When a new experiment submitted at `at` starts: first come, first served on `slots` slots. A
   * slot frees at the end of the last experiment it ran, and those are the `slots` latest ends, so
   * the schedule of earlier experiments is fixed at their submit (and stored with them).
   */
  const startTime = (at: number): number => {
    const ends = lab
      .experiments()
      .map((e) => e.end)
      .sort((a, b) => b - a);
    const free = ends.length < slots ? 0 : ends[slots - 1];
    return Math.max(at, free);
  };

  const state = (e: LabExperiment, now: number): 'queued' | 'running' | 'completed' | 'failed' =>
    now < e.start ? 'queued' : now < e.end ? 'running' : e.status;

  const budget = () => {
    const now = clock();
    let used = 0,
      reserved = 0;
    for (const e of lab.experiments()) {
      if (now >= e.end) used += e.charged;
      else reserved += e.request.max_runtime_seconds;
    }
    return {
      budget_seconds: budgetSeconds,
      used_seconds: used,
      reserved_seconds: reserved,
      remaining_seconds: budgetSeconds - used - reserved,
    };
  };

  const view = (e: LabExperiment, now: number) => {
    const status = state(e, now);
    // Evaluations become visible as simulated time passes their point in the run.
    const done =
      status === 'completed' || status === 'failed'
        ? 1
        : status === 'running'
          ? (now - e.start) / Math.max(1e-9, e.runtime)
          : 0;
    const evals = e.evals.filter((_, i) => (i + 1) / e.evals.length <= done + 1e-12);
    return {
      experiment_id: e.id,
      status,
      request: e.request,
      val_losses: evals.map((x) => x.loss),
      eval_tokens: evals.map((x) => x.tokens),
      submitted_at_seconds: e.submittedAt,
      started_at_seconds: now >= e.start ? e.start : null,
      runtime_seconds: status === 'completed' || status === 'failed' ? e.runtime : null,
      charged_seconds: status === 'completed' || status === 'failed' ? e.charged : null,
      ...(status === 'failed' && e.error ? { error: e.error } : {}),
    };
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const readJson = async (req: IncomingMessage): Promise<unknown> => {
    const body = await readBody(req, maxBody);
    try {
      return body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      // Read whatever its declared type (fetch sends a string as text/plain, curl -d as a form), but said when not JSON.
      const type = req.headers['content-type'];
      const declared =
        type !== undefined && !/^\s*application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)
          ? ` (it was sent as "${type.length > 80 ? `${type.slice(0, 80)}…` : type}"; send JSON, with the header content-type: application/json)`
          : '';
      throw new HttpError(400, `request body is not valid JSON${declared}`);
    }
  };

  /** A write to the state file; one that fails (disk full, file gone read-only) changed nothing and is a 503. */
  const record = <T>(what: string, write: () => T): T => {
    try {
      return write();
    } catch (e) {
      throw new HttpError(
        503,
        `the lab could not record ${what} in its state file ${lab.path} (${(e as Error).message}); nothing was changed, try again`,
      );
    }
  };

  /** Simulate a submitted configuration and fix its place in the schedule. */
  const plan = (request: SubmitRequest, key: string): Omit<LabExperiment, 'seq' | 'id'> => {
    let result: SimulationResult;
    try {
      result = simulate(world, {
        n_layer: request.architecture_config.num_layers,
        d_model: request.architecture_config.d_model,
        n_heads: request.architecture_config.num_heads,
        d_ff: request.architecture_config.d_ff,
        tokens: request.total_train_tokens,
        batch_tokens: request.train_batch_size * world.architecture.seqLen,
        learning_rate: request.optimizer_config.lr,
        parametrization: request.optimizer_config.parametrization,
        n_evals: request.n_evals,
        seed: request.model_seed,
      });
    } catch (e) {
      if (isScaleLabError(e)) throw new HttpError(400, e.message.replace(/^config: /, ''));
      throw e;
    }
    const submittedAt = clock();
    const start = startTime(submittedAt);
    const max = request.max_runtime_seconds;
    const common = { key, request, submittedAt, start };
    if (result.seconds > max) {
      return {
        ...common,
        end: start + max,
        runtime: max,
        charged: max,
        status: 'failed',
        error: `timeout: the run needed ${Math.round(result.seconds)} s, more than max_runtime_seconds = ${max}`,
        evals: result.evals,
      };
    }
    const runtime = result.seconds;
    return {
      ...common,
      end: start + runtime,
      runtime,
      charged: Math.min(max, Math.max(1, runtime)),
      status: result.status,
      ...(result.reason ? { error: result.reason } : {}),
      evals: result.evals,
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, bindHost))
      return send(res, 421, { detail: misdirectedMessage(req.headers.host, bindHost) });
    const bad = malformedEscape(req.url ?? '/');
    if (bad) throw new HttpError(400, bad);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'malformed request target');
    }
    const key =
      req.headers['x-api-key'] ??
      (req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined);
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
      const parsed = submitSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return send(res, 400, { detail: `invalid request: field "${issue.path.join('.')}": ${issue.message}` });
      }
      const request = parsed.data;
      const { max_runtime_seconds: _m, val_batch_size: _v, ...identity } = request;
      void _m;
      void _v;
      const dupKey = JSON.stringify(identity);
      const dup = lab.byKey(dupKey);
      if (dup)
        return send(res, 409, {
          detail: `duplicate configuration: already submitted as experiment ${dup.id} (not charged)`,
          experiment_id: dup.id,
        });
      const b = budget();
      if (request.max_runtime_seconds > b.remaining_seconds) {
        return send(res, 400, {
          detail: `over budget: max_runtime_seconds = ${request.max_runtime_seconds} but only ${Math.max(0, b.remaining_seconds).toFixed(0)} s remain (used ${b.used_seconds.toFixed(0)}, reserved ${b.reserved_seconds.toFixed(0)})`,
        });
      }
      // Recorded (one transaction) before it is acknowledged: an experiment the client has an id for is never lost.
      const planned = plan(request, dupKey);
      const e = record('the experiment', () => lab.add(planned));
      return send(res, 200, { experiment_id: e.id, status: 'queued', reserved_seconds: request.max_runtime_seconds });
    }
    if (path === '/budget') {
      if (!allow(['GET'])) return;
      return send(res, 200, budget());
    }
    if (path === '/experiments') {
      if (!allow(['GET'])) return;
      const now = clock();
      return send(res, 200, {
        experiments: lab.experiments().map((e) => ({ experiment_id: e.id, status: state(e, now), request: e.request })),
      });
    }
    const m = /^\/experiment\/([^/]+)$/.exec(path);
    if (m) {
      if (!allow(['GET'])) return;
      const id = decodeURIComponent(m[1]);
      const e = lab.experiment(id);
      if (!e) return send(res, 404, { detail: `no experiment ${id}` });
      return send(res, 200, view(e, clock()));
    }
    if (path === '/final_submission') {
      if (!allow(['GET', 'POST'])) return;
      if (method === 'GET') {
        const f = lab.finalSubmission();
        return f === undefined ? send(res, 404, { detail: 'no final submission yet' }) : send(res, 200, f);
      }
      const body = await readJson(req);
      const parsed = z
        .object({ architecture_config: submitSchema.shape.architecture_config, predicted_loss: z.number().positive() })
        .passthrough()
        .safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return send(res, 400, {
          detail: `invalid final submission: field "${issue.path.join('.')}": ${issue.message}`,
        });
      }
      const final = { ...parsed.data, submitted_at_seconds: clock() };
      record('the final submission', () => lab.setFinalSubmission(final));
      return send(res, 200, final);
    }
    return send(res, 404, { detail: `no such endpoint: ${path}` });
  };

  const timeoutMs = o.requestTimeoutMs ?? requestTimeoutMs;
  const server = createServer(requestTimeouts(timeoutMs), (req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Answered already, or the client gone (hung up, timed out): nothing more can be said.
      if (res.headersSent || res.destroyed) return void res.destroy();
      if (e instanceof HttpError || e instanceof BodyTooLarge) return send(res, e.status, { detail: e.message });
      if (process.env.SCALELAB_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
      send(res, 500, { detail: 'internal error' });
    });
  });

  server.on(
    'clientError',
    clientErrorAnswer((_status, message) => ({ detail: message }), timeoutMs),
  );

  return {
    server,
    apiKey,
    state: lab,
    listen(port: number, host = '127.0.0.1') {
      bindHost = host;
      return listenOn(server, port, host).then((bound) => ({ port: bound, host }));
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => {
          lab.close();
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
