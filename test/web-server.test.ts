/**
 * The web app's server over real HTTP on an ephemeral port: every endpoint, every error code,
 * and no file outside the assets folder, however the path is spelled.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../src/store/store.js';
import { bundledDatasets, chooseCoding, createWebServer, defaultAssetsDir } from '../src/server/webServer.js';
import {
  datasetListSchema,
  datasetSchema,
  maxUploadBytes,
  progressSchema,
  studiesSchema,
  studyRunsSchema,
} from '../src/server/webApi.js';
import { uploadTooLarge } from '../web/src/lib/upload.js';
import { fit } from '../src/fit/fit.js';
import { chinchilla } from '../src/laws/index.js';
import { root } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scalelab-web-server-'));

// A built app stand-in, with secrets next to it and a link pointing out of it.
const assets = join(dir, 'dist');
mkdirSync(join(assets, 'assets'), { recursive: true });
writeFileSync(join(assets, 'index.html'), '<!doctype html><title>ScaleLab</title>');
writeFileSync(join(assets, 'assets', 'app-1234.js'), 'console.log("app")');
// A bundle-like script of ~300 KB: compressed when the browser accepts it.
const bundle = Array.from(
  { length: 6000 },
  (_, i) => `export function f${i}(x) { return x * ${i} + ${(i * 7919) % 1000}; }`,
).join('\n');
writeFileSync(join(assets, 'assets', 'index-5678.js'), bundle);
writeFileSync(join(dir, 'secret.txt'), 'secret');
symlinkSync(join(dir, 'secret.txt'), join(assets, 'link-out.txt'));

// A store with two studies: one with a run of each status, one whose name needs encoding.
const storePath = join(dir, 'runs.db');
const store = RunStore.open(storePath);
const planned = store.plan(
  'demo',
  [1, 2, 3, 4, 5].map((i) => ({
    key: `r${i}`,
    phase: 'isoflop',
    config: { i },
    N: i * 1e7,
    D: i * 2e8,
    C: 6 * i * 1e7 * i * 2e8,
    estimatedSeconds: 1800,
  })),
);
store.finish(planned[0].id, { status: 'completed', loss: 3.5, seconds: 1200 });
store.finish(planned[1].id, { status: 'completed', loss: 3.2, seconds: 2400 });
store.finish(planned[2].id, { status: 'failed', reason: 'diverged', seconds: 600 });
store.setStatus(planned[3].id, 'running', { backend: 'sim', externalId: 'x4' });
store.plan('team a/b', [{ key: 'only', phase: 'probe', config: {}, N: 1e7, D: 1e8, C: 6e15, estimatedSeconds: 60 }]);
store.close();

const web = createWebServer({ storePath, assetsDir: assets, datasets: bundledDatasets() });
const { port, url } = await web.listen(0);
after(() => web.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A request with the path sent exactly as written (fetch would normalise "..", "%2e%2e"). */
function raw(
  path: string,
  o: {
    method?: string;
    body?: Buffer | string;
    chunked?: boolean;
    port?: number;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...(o.chunked
        ? { 'transfer-encoding': 'chunked' }
        : o.body !== undefined
          ? { 'content-length': String(Buffer.byteLength(o.body)) }
          : {}),
      ...o.headers,
    };
    const req = request(
      { host: '127.0.0.1', port: o.port ?? port, path, method: o.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, bytes, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.end(o.body);
    else req.end();
  });
}

test('listens on 127.0.0.1 by default and prints a usable URL', () => {
  assert.equal(url, `http://127.0.0.1:${port}`);
});

test('serves the app: index at /, hashed assets cached for good, a Content-Security-Policy on the page', async () => {
  const index = await raw('/');
  assert.equal(index.status, 200);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  assert.match(index.text, /ScaleLab/);
  assert.match(String(index.headers['content-security-policy']), /script-src 'self'/);
  assert.doesNotMatch(String(index.headers['content-security-policy']), /unsafe-eval/);
  assert.equal((await raw('/index.html')).status, 200);
  const js = await raw('/assets/app-1234.js?v=1');
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.match(String(js.headers['cache-control']), /immutable/);
  assert.equal(js.headers['x-content-type-options'], 'nosniff');
  assert.equal((await raw('/missing.html')).status, 404);
  assert.equal((await raw('/assets')).status, 404, 'a folder is not a file');
});

test('the bundle is served compressed as the browser accepts: brotli, else gzip, else as it is; small files as they are', async () => {
  const path = '/assets/index-5678.js';
  const plain = Buffer.from(bundle);
  const br = await raw(path, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers.vary, 'accept-encoding');
  assert.equal(Number(br.headers['content-length']), br.bytes.length);
  assert.ok(br.bytes.length < plain.length / 4, `brotli: ${br.bytes.length} of ${plain.length} bytes`);
  assert.deepEqual(brotliDecompressSync(br.bytes), plain);
  const gz = await raw(path, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.bytes.length < plain.length / 4, `gzip: ${gz.bytes.length} of ${plain.length} bytes`);
  assert.deepEqual(gunzipSync(gz.bytes), plain);
  // Refused by q=0: gzip instead; nothing acceptable: the file as it is.
  assert.equal(
    (await raw(path, { headers: { 'accept-encoding': 'br;q=0, gzip;q=0.5' } })).headers['content-encoding'],
    'gzip',
  );
  const none = await raw(path);
  assert.equal(none.headers['content-encoding'], undefined);
  assert.deepEqual(none.bytes, plain);
  assert.equal(
    (await raw(path, { headers: { 'accept-encoding': 'identity' } })).headers['content-encoding'],
    undefined,
  );
  // Compressed once: the second answer is the same bytes.
  assert.deepEqual((await raw(path, { headers: { 'accept-encoding': 'br' } })).bytes, br.bytes);
  // A 19-byte file gains nothing from compression.
  assert.equal(
    (await raw('/assets/app-1234.js', { headers: { 'accept-encoding': 'br' } })).headers['content-encoding'],
    undefined,
  );
});

test('Accept-Encoding is read with its q-values', () => {
  assert.equal(chooseCoding(undefined), 'identity');
  assert.equal(chooseCoding('gzip, deflate, br, zstd'), 'br');
  assert.equal(chooseCoding('gzip;q=1.0, br;q=0'), 'gzip');
  assert.equal(chooseCoding('*'), 'br');
  assert.equal(chooseCoding('*;q=0, gzip'), 'gzip');
  assert.equal(chooseCoding('deflate'), 'identity');
});

test(
  'the built bundle (web/dist), when there is one, is served at under a third of its size',
  { skip: !existsSync(join(defaultAssetsDir(), 'index.html')) && 'web/dist is not built' },
  async () => {
    const real = createWebServer({ storePath, assetsDir: defaultAssetsDir(), datasets: [] });
    const { port: p } = await real.listen(0);
    try {
      const index = await raw('/', { port: p });
      const script = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(index.text)?.[1];
      assert.ok(script, 'index.html names its bundle');
      const plain = await raw(`/${script}`, { port: p });
      const br = await raw(`/${script}`, { port: p, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.ok(br.bytes.length < plain.bytes.length / 3, `${br.bytes.length} of ${plain.bytes.length} bytes`);
      // The sizes the README quotes are this build's, within 5 % (they drifted by a walk's worth of code).
      const gz = await raw(`/${script}`, { port: p, headers: { 'accept-encoding': 'gzip' } });
      const quoted = /the ([\d.]+) MB bundle travels as (\d+) KB with brotli, (\d+) KB with gzip/.exec(
        readFileSync(join(root, 'README.md'), 'utf8').replace(/\s+/g, ' '),
      );
      assert.ok(quoted, 'README quotes the bundle sizes');
      const sizes: [string, number, number][] = [
        ['bundle', Number(quoted[1]) * 1e6, plain.bytes.length],
        ['brotli', Number(quoted[2]) * 1e3, br.bytes.length],
        ['gzip', Number(quoted[3]) * 1e3, gz.bytes.length],
      ];
      for (const [what, readme, served] of sizes)
        assert.ok(Math.abs(served / readme - 1) <= 0.05, `README's ${what} size ${readme} bytes; served ${served}`);
    } finally {
      await real.close();
    }
  },
);

test('no file outside the assets folder: ".." in any spelling, encoded separators, NUL and links out are 404', async () => {
  const attempts = [
    '/../secret.txt',
    '/../package.json',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2e%2e/package.json',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/..%5c..%5csecret.txt',
    '/%252e%252e/secret.txt',
    '/secret.txt%00.html',
    '/link-out.txt',
    `/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    '//etc/passwd',
  ];
  for (const path of attempts) {
    const r = await raw(path);
    assert.equal(r.status, 404, `${path} → ${r.status}`);
    assert.doesNotMatch(r.text, /secret|"name": "scalelab"/, path);
  }
});

test('GET /api/datasets lists the bundled data sets with their run counts', async () => {
  const r = await raw('/api/datasets');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const list = datasetListSchema.parse(r.json());
  const byId = Object.fromEntries(list.datasets.map((d) => [d.id, d]));
  assert.equal(byId.chinchilla.runs, 240);
  assert.equal(byId.chinchilla.path, 'examples/chinchilla.csv');
  assert.equal(byId['cs336-isoflops'].runs, 72);
});

test('GET /api/datasets/:id gives the runs as a Dataset that fits like the file', async () => {
  const r = await raw('/api/datasets/chinchilla');
  assert.equal(r.status, 200);
  const dataset = datasetSchema.parse(r.json());
  assert.equal(dataset.source, 'examples/chinchilla.csv');
  assert.equal(dataset.runs.length, 240);
  assert.equal(dataset.runs[0].line, 2);
  const result = fit(chinchilla, dataset);
  assert.ok(Math.abs(result.params.E - 1.8172) < 1e-3, `E = ${result.params.E}`);
  const cs336 = datasetSchema.parse((await raw('/api/datasets/cs336-isoflops')).json());
  assert.equal(cs336.derived.D, 'C/(6N)');
});

test('unknown data set → 404, malformed id → 400, both as JSON errors', async () => {
  const missing = await raw('/api/datasets/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.json().error.status, 404);
  assert.match(missing.json().error.message, /no bundled data set "nope" \(known: chinchilla, cs336-isoflops\)/);
  const bad = await raw('/api/datasets/..%2f..%2fpackage.json');
  assert.equal(bad.status, 400);
  assert.match(bad.json().error.message, /invalid data set id/);
  assert.equal((await raw('/api/datasets/Bad%20Id')).status, 400);
  assert.equal((await raw('/api/datasets?x=1')).status, 400, 'unknown query parameters are refused');
  assert.equal((await raw('/api/nothing')).status, 404);
  const root = await raw('/api');
  assert.equal(root.status, 404);
  // The error lists the endpoints, each of which answers.
  const listed = /\(endpoints: (.*)\)$/.exec(root.json().error.message)?.[1].split(', ') ?? [];
  assert.deepEqual(listed, [
    '/api/datasets',
    '/api/datasets/ID',
    '/api/studies',
    '/api/studies/NAME/runs',
    '/api/studies/NAME/progress',
  ]);
  assert.equal((await raw('/api/datasets')).status, 200);
  assert.equal((await raw('/api/studies')).status, 200);
});

test("GET /api/studies lists the store's studies", async () => {
  const r = await raw('/api/studies');
  assert.equal(r.status, 200);
  const s = studiesSchema.parse(r.json());
  assert.deepEqual(s.store, { path: storePath, exists: true });
  assert.deepEqual(
    s.studies.map((x) => [x.name, x.runs, x.completed]),
    [
      ['demo', 5, 2],
      ['team a/b', 1, 0],
    ],
  );
});

test('GET /api/studies/:name/runs: every run, a status filter, and the completed runs as a Dataset', async () => {
  const r = await raw('/api/studies/demo/runs');
  assert.equal(r.status, 200);
  const s = studyRunsSchema.parse(r.json());
  assert.equal(s.study, 'demo');
  assert.deepEqual(
    s.runs.map((x) => x.status),
    ['completed', 'completed', 'failed', 'running', 'planned'],
  );
  assert.equal(s.runs[2].reason, 'diverged');
  assert.deepEqual(
    s.dataset?.runs.map((x) => x.loss),
    [3.5, 3.2],
  );
  const failed = studyRunsSchema.parse((await raw('/api/studies/demo/runs?status=failed')).json());
  assert.deepEqual(
    failed.runs.map((x) => x.status),
    ['failed'],
  );
  const bad = await raw('/api/studies/demo/runs?status=exploded');
  assert.equal(bad.status, 400);
  assert.match(bad.json().error.message, /invalid query: "status"/);
  const encoded = studyRunsSchema.parse((await raw(`/api/studies/${encodeURIComponent('team a/b')}/runs`)).json());
  assert.equal(encoded.study, 'team a/b');
  assert.equal(encoded.runs.length, 1);
});

test('GET /api/studies/:name/progress: done, failed, in flight, hours, best loss', async () => {
  const r = await raw('/api/studies/demo/progress');
  assert.equal(r.status, 200);
  const p = progressSchema.parse(r.json());
  assert.deepEqual([p.total, p.done, p.failed, p.inFlight, p.planned, p.cancelled, p.leftOut], [5, 2, 1, 1, 1, 0, 0]);
  assert.ok(Math.abs(p.hoursSpent - (1200 + 2400 + 600) / 3600) < 1e-12);
  assert.ok(Math.abs(p.hoursPlanned - 2.5) < 1e-12);
  assert.equal(p.bestLoss, 3.2);
  assert.equal(p.best?.N, 2e7);
  assert.equal(r.headers['cache-control'], 'no-store', 'polled: never cached');
});

test('GET /api/studies/:name/progress: runs the study left out of its fit are counted apart, never done nor the best (a loss of 0)', async () => {
  const path = join(dir, 'left-out', 'runs.db');
  mkdirSync(join(dir, 'left-out'));
  const st = RunStore.open(path);
  const runs = st.plan(
    's',
    [1, 2, 3].map((i) => ({
      key: `r${i}`,
      phase: 'isoflop',
      config: { i },
      N: i * 1e7,
      D: 1e8,
      C: 6e15 * i,
      estimatedSeconds: 60,
    })),
  );
  st.finish(runs[0].id, { status: 'completed', loss: 3.3, seconds: 60 });
  st.finish(runs[1].id, { status: 'completed', loss: 0, seconds: 60 });
  assert.ok(st.markLeftOutByStudy(runs[1].id, 'a loss of 0 cannot be used'));
  st.close();
  const w = createWebServer({ storePath: path, assetsDir: join(dir, 'no-such-dist'), datasets: [] });
  const { port: p } = await w.listen(0);
  try {
    const progress = progressSchema.parse((await raw('/api/studies/s/progress', { port: p })).json());
    assert.deepEqual([progress.total, progress.done, progress.leftOut, progress.planned], [3, 1, 1, 1]);
    assert.equal(progress.bestLoss, 3.3);
    assert.equal(progress.best?.N, 1e7);
  } finally {
    await w.close();
  }
});

test('a study of 150,000 runs: /runs answers a page (1,000 by default) with the total and whether more follow, /progress its totals from SQL', async (t) => {
  const path = join(dir, 'large', 'runs.db');
  mkdirSync(join(dir, 'large'));
  const st = RunStore.open(path);
  const count = 150_000;
  // Losses 2 + k/count for k a permutation of 0..count-1 (7919 is prime to 150,000): the best is run 137,655 (k = 0).
  const k = (i: number) => ((i + 12_345) * 7919) % count;
  const runs = Array.from({ length: count }, (_, i) => ({ N: 1e6 + i, D: 1e9, loss: 2 + k(i) / count, line: i + 2 }));
  st.importDataset({ source: 'large.csv', runs, columns: { N: 'N', D: 'D', loss: 'loss' }, derived: {} }, 'big');
  st.close();
  const large = createWebServer({ storePath: path, assetsDir: assets, datasets: [] });
  const { port: p } = await large.listen(0);
  t.after(() => large.close());
  const get = (q: string) => raw(`/api/studies/big/${q}`, { port: p });

  const first = await get('runs');
  assert.equal(first.status, 200, first.text);
  const page = studyRunsSchema.parse(first.json());
  assert.deepEqual([page.runs.length, page.total, page.offset, page.limit, page.more], [1000, count, 0, 1000, true]);
  assert.deepEqual([page.runs[0].N, page.runs[999].N], [1e6, 1e6 + 999], 'in the order they were planned');
  assert.equal(page.dataset?.runs.length, count, 'the data set to fit: every completed run');

  // A later page, without the data set: small.
  const second = await get('runs?offset=1000&dataset=false');
  const next = studyRunsSchema.parse(second.json());
  assert.equal(next.dataset, undefined);
  assert.deepEqual([next.runs.length, next.runs[0].N, next.total, next.more], [1000, 1e6 + 1000, count, true]);
  assert.ok(second.bytes.length < 400_000, `a page of 1,000 runs is ${second.bytes.length} bytes`);
  const last = studyRunsSchema.parse((await get(`runs?offset=${count - 300}&limit=10000&dataset=false`)).json());
  assert.deepEqual(
    [last.runs.length, last.runs.at(-1)?.N, last.more, last.limit],
    [300, 1e6 + count - 1, false, 10000],
  );
  const past = studyRunsSchema.parse((await get(`runs?offset=${count}&dataset=false`)).json());
  assert.deepEqual([past.runs.length, past.more, past.total], [0, false, count]);
  const failed = studyRunsSchema.parse((await get('runs?status=failed&dataset=false')).json());
  assert.deepEqual(
    [failed.runs.length, failed.total, failed.more],
    [0, 0, false],
    'the total counts the status asked for',
  );

  for (const [q, name, expected] of [
    ['limit=0', 'limit', 'from 1 to 10,000'],
    ['limit=10001', 'limit', 'from 1 to 10,000'],
    ['limit=ten', 'limit', 'from 1 to 10,000'],
    ['offset=-1', 'offset', 'from 0 to'],
    ['offset=1.5', 'offset', 'from 0 to'],
    ['dataset=no', 'dataset', 'expected one of'],
    ['page=2', '', 'page'],
  ]) {
    const bad = await get(`runs?${q}`);
    assert.equal(bad.status, 400, q);
    const message: string = bad.json().error.message;
    assert.ok(message.startsWith(`invalid query: ${name ? `"${name}": ` : ''}`), `${q}: ${message}`);
    assert.ok(message.includes(expected), `${q}: ${message}`);
  }

  const progress = progressSchema.parse((await get('progress')).json());
  assert.deepEqual(
    [progress.total, progress.done, progress.failed, progress.inFlight, progress.planned],
    [count, count, 0, 0, 0],
  );
  assert.equal(progress.bestLoss, 2);
  assert.equal(progress.best?.N, 1e6 + (count - 12_345));
});

test('unknown study → 404; a name with control characters (or blank) → 400; broken percent-encoding → 400', async () => {
  const missing = await raw('/api/studies/nope/progress');
  assert.equal(missing.status, 404);
  assert.match(missing.json().error.message, /no study "nope"/);
  // The store's studies are named, the nearest first.
  assert.match(
    (await raw('/api/studies/dem/runs')).json().error.message,
    /no study "dem" .*; did you mean demo\? its studies: .*demo/,
  );
  assert.equal((await raw('/api/studies/nope/runs')).status, 404);
  assert.equal((await raw('/api/studies/a%07b/progress')).status, 400);
  // A blank name, as the CLI's --study refuses it (one rule: store/studyName.ts).
  const blank = await raw('/api/studies/%20/progress');
  assert.equal(blank.status, 400);
  assert.equal(blank.json().error.message, 'invalid study name: expected a study name, not only spaces');
  assert.equal((await raw('/api/studies/%E0%A4%A/progress')).status, 400);
  assert.equal((await raw('/api/studies/demo/elsewhere')).status, 404);
});

test('only GET and HEAD: anything else is 405 with an Allow header', async () => {
  for (const [method, path] of [
    ['POST', '/api/datasets'],
    ['PUT', '/api/studies/demo/runs'],
    ['DELETE', '/index.html'],
    ['PATCH', '/api/studies'],
  ]) {
    const r = await raw(path, { method, body: '{}' });
    assert.equal(r.status, 405, `${method} ${path}`);
    assert.equal(r.headers.allow, 'GET, HEAD');
    assert.match(r.json().error.message, new RegExp(`${method} is not allowed`));
  }
  const head = await raw('/api/datasets', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
});

test('request bodies over 10 MiB (maxUploadBytes) are refused with 413, declared or streamed', async () => {
  assert.equal(maxUploadBytes, 10 * 1024 * 1024);
  const big = Buffer.alloc(maxUploadBytes + 1, 0x61);
  const declared = await raw('/api/datasets', { method: 'POST', body: big });
  assert.equal(declared.status, 413);
  assert.match(declared.json().error.message, /request body too large/);
  const streamed = await raw('/api/datasets', { method: 'POST', body: big, chunked: true });
  assert.equal(streamed.status, 413);
  const small = await raw('/api/datasets', { method: 'POST', body: Buffer.alloc(1024) });
  assert.equal(small.status, 405, 'a small body reaches the method check');
  const atLimit = await raw('/api/datasets', { method: 'POST', body: Buffer.alloc(maxUploadBytes, 0x61) });
  assert.equal(atLimit.status, 405, 'exactly the limit is read');
});

test('the app opens files up to the same limit: one byte over is refused by its size', () => {
  assert.equal(uploadTooLarge('runs.csv', maxUploadBytes), undefined);
  assert.equal(uploadTooLarge('runs.csv', 0), undefined);
  const refused = uploadTooLarge('runs.csv', maxUploadBytes + 1);
  assert.equal(refused?.name, 'InputError');
  assert.match(
    refused?.message ?? '',
    /^runs\.csv is 10,485,761 bytes, over the 10 MiB \(10,485,760-byte\) limit on uploads; it was not read\./,
  );
  assert.match(
    uploadTooLarge('big.jsonl', 3_500_000, 3 * 1024 * 1024)?.message ?? '',
    /^big\.jsonl is 3,500,000 bytes, over the 3 MiB \(3,145,728-byte\) limit/,
  );
});

test('without a store file: no studies (and nothing created); a store created later is found', async () => {
  const later = join(dir, 'later', 'runs.db');
  const w = createWebServer({ storePath: later, assetsDir: join(dir, 'no-such-dist'), datasets: [] });
  const { port: p } = await w.listen(0);
  try {
    const s = studiesSchema.parse((await raw('/api/studies', { port: p })).json());
    assert.deepEqual(s, { store: { path: later, exists: false }, studies: [] });
    const none = await raw('/api/studies/demo/progress', { port: p });
    assert.equal(none.status, 404);
    // Said as it is: the store is not there yet (it read as if a store held other studies).
    assert.match(none.json().error.message, /no study "demo": there is no run store at .*runs\.db yet/);
    const page = await raw('/', { port: p });
    assert.equal(page.status, 404);
    assert.match(page.json().error.message, /the web app is not built/);
    assert.deepEqual(datasetListSchema.parse((await raw('/api/datasets', { port: p })).json()), { datasets: [] });
    assert.equal(existsSync(later), false, 'reading creates no store');
    const st = RunStore.open(later);
    st.study('fresh');
    st.close();
    const again = studiesSchema.parse((await raw('/api/studies', { port: p })).json());
    assert.deepEqual(
      again.studies.map((x) => x.name),
      ['fresh'],
    );
  } finally {
    await w.close();
  }
});

test('scalelab serve prints its URL (--json: {url}), serves the app and the API, and stops on SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'test/fixtures/serve-child.ts'),
      'serve',
      '--port',
      '0',
      '--db',
      storePath,
      '--json',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '',
    stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const built = existsSync(join(defaultAssetsDir(), 'index.html'));
  if (!built) {
    assert.equal(await exited, 1);
    assert.match(stderr, /the web app is not built: .*index\.html is missing; run "npm run build"/);
    return;
  }
  // The URL once the whole JSON is out (a cold start of node and tsx took 3 s on an idle 2-core machine: a
  // fixed 10 s wait was short on a loaded one), or the child's exit with what it said.
  const { url: served } = await new Promise<{ url: string }>((resolve, reject) => {
    const ready = () => {
      try {
        resolve(JSON.parse(stdout) as { url: string });
      } catch {
        // not whole yet
      }
    };
    child.stdout.on('data', ready);
    void exited.then((code) => reject(new Error(`serve exited (${code}) before its URL: ${stdout}${stderr}`)));
  });
  assert.match(served, /^http:\/\/127\.0\.0\.1:\d+$/);
  const page = await fetch(`${served}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="root">/);
  const studies = studiesSchema.parse(await (await fetch(`${served}/api/studies`)).json());
  assert.deepEqual(
    studies.studies.map((s) => s.name),
    ['demo', 'team a/b'],
  );
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});

test('scalelab serve refuses a port out of range', async () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'test/fixtures/serve-child.ts'), 'serve', '--port', '70000'],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--port: expected at most 65535/);
});
