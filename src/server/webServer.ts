/**
 * `scalelab serve`: the web app (the files Vite built into web/dist) and its JSON API over the
 * bundled data sets and the run store (src/server/webApi.ts lists the endpoints). Read-only:
 * the store is opened with SQLite's read-only flag (never created, migrated or switched to another
 * journal mode), a file that is not a store is reported (409), and fits run in the browser. Only
 * requests whose Host names this server are answered (421 otherwise: DNS rebinding).
 *
 * Files are served only from inside the assets folder: every path segment is decoded and checked
 * (no "..", no separators, no NUL), the resolved path must lie inside the folder, and so must its
 * real path (a symbolic link out of it is refused). Anything else is a 404.
 */
import { unknownName } from '../core/names.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { extname, join, relative, resolve, sep } from 'node:path';
import { packageRoot as findPackageRoot } from '../io/packageRoot.js';
import type { z } from 'zod';
import { parseRuns } from '../io/parseRuns.js';
import type { Dataset } from '../io/dataset.js';
import { leftOutByStudy, storeDataset } from '../store/storeDataset.js';
import { RunStore, type StudyTotals } from '../store/store.js';
import { pendingWal, sameWal, type WalFile } from '../store/storeFile.js';
import { StoreError } from '../store/errors.js';
import { runStatuses, type RunStatus } from '../store/runStatus.js';
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
import {
  datasetIdSchema,
  defaultRunsLimit,
  maxUploadBytes,
  noQuerySchema,
  runsQuerySchema,
  studyNameSchema,
  type ApiError,
  type BundledDatasetInfo,
  type DatasetList,
  type Progress,
  type Studies,
  type StudyRunsPage,
} from './webApi.js';

/** A data set the server offers (the files in examples/ by default). */
export interface BundledDataset {
  id: string;
  name: string;
  /** Absolute path of the file. */
  file: string;
  /** Path shown to users and used as the Dataset's source, e.g. examples/chinchilla.csv. */
  path: string;
  description: string;
}

export interface WebServerOptions {
  /** The run store (SQLite). Opened read-only on first use; a missing file means "no studies", and is not created. */
  storePath: string;
  /** The built web app (web/dist). */
  assetsDir: string;
  datasets: BundledDataset[];
  /** Largest request body accepted. @default maxUploadBytes (10 MiB), the app's limit on uploaded files */
  maxBodyBytes?: number;
  /** Time a client has to send a whole request before a 408. @default requestTimeoutMs (60 s) */
  requestTimeoutMs?: number;
}

/** What the server finds at its store path: nothing yet, a store, or a file that is not one (and why). */
export type StoreStatus = { path: string; exists: false } | { path: string; exists: true; error?: string };

export interface WebServer {
  server: Server;
  /** Look at the store now (for the start-up message): the same answer /api/studies would give. */
  storeStatus(): StoreStatus;
  listen(port: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  close(): Promise<void>;
}

const packageRoot = findPackageRoot();

/** web/dist of this package (the same from src/server and dist/server). */
export function defaultAssetsDir(): string {
  return join(packageRoot, 'web', 'dist');
}

/** The data sets bundled in examples/. */
export function bundledDatasets(root = packageRoot): BundledDataset[] {
  return [
    {
      id: 'chinchilla',
      name: 'Chinchilla (Epoch AI, 240 runs)',
      file: join(root, 'examples', 'chinchilla.csv'),
      path: 'examples/chinchilla.csv',
      description: 'Hoffmann et al. 2022, Fig. 4, as digitised by Besiroglu et al. 2024',
    },
    {
      id: 'cs336-isoflops',
      name: 'CS336 IsoFLOP runs (72 runs)',
      file: join(root, 'examples', 'cs336-isoflops.json'),
      path: 'examples/cs336-isoflops.json',
      description: 'Stanford CS336 Assignment 3: nine IsoFLOP budgets, 6e18 to 3e21 FLOPs',
    },
  ];
}

/** An error with the HTTP status it answers with. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Content-Security-Policy of the app: scripts and workers only from this server; Vega evaluates
 * its expressions with vega-interpreter, so no 'unsafe-eval'. Inline styles: the tooltip and Vega's
 * own SVG use them.
 */
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Types worth compressing: text. Images and fonts are compressed already. */
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);
/** Below this a compressed answer saves less than its headers cost. */
const minCompressBytes = 1024;
export type ContentCoding = 'br' | 'gzip' | 'identity';

/**
 * The coding to answer with, from an Accept-Encoding header (RFC 9110 §12.5.3): brotli when
 * acceptable (it is ~7 % smaller than gzip on the app's bundle), else gzip, else none. A coding with
 * q=0 is refused, also through "*".
 */
export function chooseCoding(header: string | undefined): ContentCoding {
  if (!header) return 'identity';
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (coding: string) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip') || accepts('x-gzip')) return 'gzip';
  return 'identity';
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Compress a file's bytes. Brotli at quality 5: the 1.4 MB bundle compresses in ~0.2 s to 30 % of
 * its size; quality 11 would save another 10 % but take ~6 s on the first request.
 */
function compress(body: Buffer, coding: 'br' | 'gzip'): Promise<Buffer> {
  return coding === 'br'
    ? brotli(body, {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length },
      })
    : gzipAsync(body, { level: 9 });
}

/**
 * A study's progress (what `sweep run` shows on a terminal), from SQLite's aggregates: the app polls
 * it every 2 s, and a study of 150,000 runs read run by run took 8 s, the server answering nothing else.
 */
function studyProgress(study: string, t: StudyTotals, at = new Date()): Progress {
  const count = (...statuses: RunStatus[]) => statuses.reduce((n, s) => n + (t.counts[s] ?? 0), 0);
  return {
    study,
    total: count(...runStatuses),
    planned: count('planned'),
    inFlight: count('submitting', 'queued', 'running'),
    // A run the study left out of its fit (its loss diverged, or read 0) is no result to count or to show as the best.
    done: count('completed') - t.leftOut,
    failed: count('failed'),
    cancelled: count('cancelled'),
    leftOut: t.leftOut,
    hoursSpent: t.seconds / 3600,
    hoursPlanned: t.estimatedSeconds / 3600,
    bestLoss: t.best ? t.best.loss : null,
    best: t.best,
    at: at.toISOString(),
  };
}

/** The first problem zod found, as one line. */
function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.length ? `"${issue.path.join('.')}": ` : ''}${issue.message}`;
}

function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, `invalid ${what}: ${issueText(r.error)}`);
  return r.data;
}

/** Decode each segment of a URL path; undefined when a segment could escape the folder. */
function safeSegments(rawPath: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (s === '.' || s === '..' || /[/\\\0]/.test(s) || s.includes(':')) return undefined;
    segments.push(s);
  }
  return segments;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel);
}

export function createWebServer(o: WebServerOptions): WebServer {
  const assetsDir = resolve(o.assetsDir);
  const maxBody = o.maxBodyBytes ?? maxUploadBytes;
  const datasets = new Map(o.datasets.map((d) => [d.id, d]));
  const parsed = new Map<string, Dataset>();
  // Compressed files by path and coding, with the version (mtime and size) compressed: each version once.
  const compressed = new Map<string, { version: string; body: Promise<Buffer> }>();
  let store: RunStore | undefined;
  /** The store that was open has been removed, and no file has taken its place yet. */
  let removed = false;
  /** The write-ahead log a removed or replaced store left at the path's name, holding its last writes. */
  let leftWal: WalFile | undefined;

  const bundled = (d: BundledDataset): Dataset => {
    let ds = parsed.get(d.id);
    if (!ds) {
      ds = parseRuns(readFileSync(d.file, 'utf8'), { source: d.path });
      parsed.set(d.id, ds);
    }
    return ds;
  };

  /**
   * The store, opened read-only when its file exists (a server started before the first sweep
   * finds it later). A file that is not a store is a 409 with the reason, asked again each time:
   * an empty file becomes a store when a sweep writes to it.
   */
  const openStore = (): RunStore | undefined => {
    // The file removed or replaced since it was opened: the open handle still reads the old file,
    // which a sweep no longer writes. Let it go; what is at the path now (if anything) is the store.
    const change = store?.fileChange();
    if (store && change) {
      // The replaced store's last writes may still be in its write-ahead log, beside the path by
      // name: SQLite would read them over whatever file is put there (text, another store).
      leftWal = pendingWal(o.storePath);
      lastDataset = undefined;
      store.close();
      store = undefined;
      removed = change === 'removed';
    }
    if (!store && existsSync(o.storePath)) {
      removed = false;
      let opened: RunStore;
      try {
        opened = RunStore.openReadOnly(o.storePath);
      } catch (e) {
        if (e instanceof StoreError) throw new HttpError(409, e.message);
        throw e;
      }
      // Until a writer has used the log (or it is removed), it is the replaced store's.
      if (leftWal && sameWal(o.storePath, leftWal)) {
        opened.close();
        throw new HttpError(
          409,
          `${o.storePath}: the run store was replaced while the server read it, and the replaced store's last writes are still in ${o.storePath}-wal beside it, which SQLite would read as part of the file there now (showing the replaced store's studies). Put the replaced store back, or, if the file there now is the store to show and no command writes to it, remove ${o.storePath}-wal and ${o.storePath}-shm (the replaced store's last writes go with them)`,
        );
      }
      leftWal = undefined;
      store = opened;
    }
    return store;
  };

  const storeStatus = (): StoreStatus => {
    try {
      return openStore() ? { path: o.storePath, exists: true } : { path: o.storePath, exists: false };
    } catch (e) {
      if (e instanceof HttpError) return { path: o.storePath, exists: true, error: e.message };
      throw e;
    }
  };

  const studyNames = (s: RunStore) => new Set(s.studies().map((x) => x.name));

  // The last study's data set, kept until the store changes: built anew it is most of a large study's
  // first page (150,000 runs: about a second), and the app asks for it again on every opening.
  let lastDataset: { store: RunStore; study: string; version: number; dataset: Dataset } | undefined;
  const studyDataset = (s: RunStore, study: string): Dataset => {
    const version = s.dataVersion();
    const kept = lastDataset;
    if (kept && kept.store === s && kept.study === study && kept.version === version) return kept.dataset;
    const dataset = storeDataset(s, study);
    lastDataset = { store: s, study, version, dataset };
    return dataset;
  };

  /**
   * `read` a study that must exist, inside one snapshot of the store: an import or a sweep that
   * commits while the answer is built (between the check that the study is there, its runs and its
   * data set) is in all of the answer or in none of it.
   */
  const inStudy = <T>(rawName: string, read: (s: RunStore, name: string) => T): T => {
    const name = parseOr400(studyNameSchema, rawName, 'study name');
    const s = openStore();
    if (!s && removed)
      throw new HttpError(404, `no study "${name}": the run store ${o.storePath} was removed while the server ran`);
    // Said as it is (not as a store holding other studies): nothing has made the store yet, or the
    // server was pointed at another folder's.
    if (!s)
      throw new HttpError(
        404,
        `no study "${name}": there is no run store at ${o.storePath} yet (a study run or sweep run creates it; the server reads the store it was started with)`,
      );
    // As the CLI says it: the nearest names first, then the store's studies.
    return s.readSnapshot(() => {
      const names = [...studyNames(s)];
      if (!names.includes(name))
        throw new HttpError(
          404,
          `no study "${name}" in the run store ${o.storePath}; ${names.length ? unknownName(name, names, 20, 'its studies') : 'it has no studies'}`,
        );
      return read(s, name);
    });
  };

  const api = (path: string, query: Record<string, string>): unknown => {
    const parts = path.split('/').slice(2); // ['', 'api', ...]
    let segs: string[];
    try {
      segs = parts.map((p) => decodeURIComponent(p));
    } catch {
      throw new HttpError(400, `malformed URL: ${path}`);
    }
    if (segs.length === 1 && segs[0] === 'datasets') {
      parseOr400(noQuerySchema, query, 'query');
      const out: DatasetList = {
        datasets: [...datasets.values()].map((d): BundledDatasetInfo => ({
          id: d.id,
          name: d.name,
          path: d.path,
          runs: bundled(d).runs.length,
          description: d.description,
        })),
      };
      return out;
    }
    if (segs.length === 2 && segs[0] === 'datasets') {
      parseOr400(noQuerySchema, query, 'query');
      const id = parseOr400(datasetIdSchema, segs[1], 'data set id');
      const d = datasets.get(id);
      if (!d) throw new HttpError(404, `no bundled data set "${id}" (known: ${[...datasets.keys()].join(', ')})`);
      return bundled(d);
    }
    if (segs.length === 1 && segs[0] === 'studies') {
      parseOr400(noQuerySchema, query, 'query');
      const s = openStore();
      const out: Studies = {
        store: { path: o.storePath, exists: s !== undefined },
        studies: s ? s.studies().map((x) => ({ ...x, completed: x.completed ?? 0 })) : [],
      };
      return out;
    }
    if (segs.length === 3 && segs[0] === 'studies' && segs[2] === 'runs') {
      const q = parseOr400(runsQuerySchema, query, 'query');
      const limit = q.limit ?? defaultRunsLimit;
      const offset = q.offset ?? 0;
      return inStudy(segs[1], (s, name): StudyRunsPage => {
        const total = s.countRuns({ study: name, status: q.status });
        const runs = s.runs({ study: name, status: q.status, limit, offset });
        return {
          study: name,
          runs: runs.map((r) => ({
            id: r.id,
            name: r.name,
            phase: r.phase,
            status: r.status,
            N: r.N,
            D: r.D,
            C: r.C,
            loss: r.loss,
            seconds: r.seconds,
            reason: r.reason,
            leftOut: leftOutByStudy(r) ? r.leftOut : null,
            finishedAt: r.finishedAt,
          })),
          total,
          offset,
          limit,
          more: offset + runs.length < total,
          ...(q.dataset === 'false' ? {} : { dataset: studyDataset(s, name) }),
        };
      });
    }
    if (segs.length === 3 && segs[0] === 'studies' && segs[2] === 'progress') {
      parseOr400(noQuerySchema, query, 'query');
      return inStudy(segs[1], (s, name) => studyProgress(name, s.studyTotals(name)));
    }
    // Said with the endpoints there are, so that a first curl of /api finds its way.
    throw new HttpError(
      404,
      `no such endpoint: ${path} (endpoints: /api/datasets, /api/datasets/ID, /api/studies, /api/studies/NAME/runs, /api/studies/NAME/progress)`,
    );
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    });
    res.end(text);
  };

  const sendError = (res: ServerResponse, e: HttpError) => {
    const body: ApiError = { error: { status: e.status, message: e.message } };
    sendJson(res, e.status, body, e.headers);
  };

  const serveFile = async (rawPath: string, acceptEncoding: string | undefined, res: ServerResponse) => {
    const segments = safeSegments(rawPath);
    if (!segments) throw new HttpError(404, 'not found');
    const rel = segments.length ? segments.join('/') : 'index.html';
    const file = resolve(assetsDir, rel);
    if (!isInside(assetsDir, file)) throw new HttpError(404, 'not found');
    let real: string;
    let version: string;
    try {
      real = realpathSync(file);
      const st = statSync(real);
      if (!st.isFile()) throw new Error('not a file');
      version = `${st.mtimeMs}:${st.size}`;
    } catch {
      throw new HttpError(
        404,
        rel === 'index.html'
          ? `the web app is not built: ${join(assetsDir, 'index.html')} is missing (run "npm run build")`
          : 'not found',
      );
    }
    if (!isInside(realpathSync(assetsDir), real)) throw new HttpError(404, 'not found');
    let body: Buffer = readFileSync(real);
    const hashed = rel.startsWith('assets/');
    const ext = extname(real).toLowerCase();
    const canCompress = compressible.has(ext) && body.length >= minCompressBytes;
    const coding = canCompress ? chooseCoding(acceptEncoding) : 'identity';
    if (coding !== 'identity') {
      const key = `${real}\0${coding}`;
      let entry = compressed.get(key);
      if (entry?.version !== version) {
        const pending = compress(body, coding);
        entry = { version, body: pending };
        compressed.set(key, entry);
        pending.catch(() => compressed.delete(key));
      }
      body = await entry.body;
    }
    res.writeHead(200, {
      'content-type': contentTypes[ext] ?? 'application/octet-stream',
      'content-length': body.length,
      ...(coding !== 'identity' ? { 'content-encoding': coding } : {}),
      // Caches keep the coding apart from the plain file.
      ...(canCompress ? { vary: 'accept-encoding' } : {}),
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(rel.endsWith('.html') ? { 'content-security-policy': csp } : {}),
    });
    res.end(body);
  };

  let bindHost = '127.0.0.1';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Before the body is read or anything answered: a page of another site that rebinds its name here gets nothing.
    if (!hostAllowed(req.headers.host, bindHost))
      return sendError(res, new HttpError(421, misdirectedMessage(req.headers.host, bindHost)));
    // Nothing here takes a body: it is read (up to the limit, else 413) and thrown away.
    try {
      await readBody(req, maxBody, { keep: false });
    } catch (e) {
      throw e instanceof BodyTooLarge ? new HttpError(413, e.message) : e;
    }
    const raw = req.url ?? '/';
    const bad = malformedEscape(raw);
    if (bad) throw new HttpError(400, bad);
    const q = raw.indexOf('?');
    const rawPath = q >= 0 ? raw.slice(0, q) : raw;
    if (!rawPath.startsWith('/')) throw new HttpError(400, 'malformed request target');
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD')
      throw new HttpError(405, `${method} is not allowed: this server only reads (GET, HEAD)`, { allow: 'GET, HEAD' });
    if (rawPath === '/api' || rawPath.startsWith('/api/')) {
      const query = Object.fromEntries(new URLSearchParams(q >= 0 ? raw.slice(q + 1) : ''));
      return sendJson(res, 200, api(rawPath.replace(/\/+$/, ''), query));
    }
    return serveFile(rawPath, req.headers['accept-encoding'], res);
  };

  const timeoutMs = o.requestTimeoutMs ?? requestTimeoutMs;
  const server = createServer(requestTimeouts(timeoutMs), (req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Answered already, or the client gone (hung up, timed out): nothing more can be said.
      if (res.headersSent || res.destroyed) return void res.destroy();
      if (e instanceof HttpError) sendError(res, e);
      else {
        if (process.env.SCALELAB_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
        sendError(res, new HttpError(500, `internal error: ${(e as Error)?.message ?? String(e)}`));
      }
    });
  });

  server.on(
    'clientError',
    clientErrorAnswer((status, message): ApiError => ({ error: { status, message } }), timeoutMs),
  );

  return {
    server,
    storeStatus,
    listen(port: number, host = '127.0.0.1') {
      bindHost = host;
      return listenOn(server, port, host).then((p) => {
        const shownHost = host.includes(':') ? `[${host}]` : host;
        return { port: p, host, url: `http://${shownHost}:${p}` };
      });
    },
    close() {
      return new Promise((resolveClose) => {
        server.close(() => {
          store?.close();
          store = undefined;
          resolveClose();
        });
        server.closeAllConnections();
      });
    },
  };
}
