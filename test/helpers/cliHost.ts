/**
 * The worker thread behind test/helpers/cli.ts's in-process `scalelab`: it imports the CLI once and
 * runs one command per request, as `bin/scalelab.js` would, capturing what the command writes to
 * stdout and stderr and its exit code. A spawned command pays for a Node start, tsx and every
 * module's transpiling (about a second on a busy 2-core machine); here only the first one does.
 *
 * What a separate process would give each command and this thread gives it too: its own argv and
 * environment, an exit code from `process.exitCode` or `process.exit()` (which ends the command,
 * not the thread), its listeners on stdout removed afterwards, and a crash reported as a crash
 * (exit 1, the stack on stderr). What it cannot give (a working directory of its own, stdin, a
 * kill on timeout) makes cli.ts spawn a process instead.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { main } from '../../src/cli/main.js';

export interface HostRequest {
  args: string[];
  env: Record<string, string | undefined>;
  script: string;
}

export interface HostReply {
  code: number;
  stdout: string;
  stderr: string;
}

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

/** Thrown by the stubbed process.exit: unwinds the command, carrying its code. */
class Exit {
  constructor(readonly code: number) {}
}

let stdout = '',
  stderr = '';
const text = (chunk: unknown, encoding?: unknown): string =>
  typeof chunk === 'string'
    ? chunk
    : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
const capture = (append: (s: string) => void) =>
  ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    append(text(chunk, encoding));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof process.stdout.write;
process.stdout.write = capture((s) => (stdout += s));
process.stderr.write = capture((s) => (stderr += s));
process.exit = ((code?: number | string | null) => {
  throw new Exit(Number(code ?? process.exitCode ?? 0));
}) as typeof process.exit;

// A crash in a command's asynchronous work would end a spawned process with its stack and exit 1.
let crashed: ((e: unknown) => void) | undefined;
const onCrash = (e: unknown) => {
  if (e instanceof Exit) return;
  if (crashed) crashed(e);
  else stderr += `${(e as Error)?.stack ?? String(e)}\n`;
};
process.on('uncaughtException', onCrash);
process.on('unhandledRejection', onCrash);

function setEnvironment(env: HostRequest['env']): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

async function run(request: HostRequest): Promise<HostReply> {
  stdout = '';
  stderr = '';
  process.exitCode = undefined;
  setEnvironment(request.env);
  const argv = [process.execPath, request.script, ...request.args];
  process.argv = argv;
  const listeners = { stdout: process.stdout.listeners('error'), stderr: process.stderr.listeners('error') };
  let code: number;
  try {
    code = await new Promise<number>((resolve, reject) => {
      crashed = reject;
      main(argv).then(() => resolve(Number(process.exitCode ?? 0)), reject);
    });
  } catch (e) {
    if (e instanceof Exit) code = e.code;
    else {
      stderr += `${(e as Error)?.stack ?? String(e)}\n`;
      code = 1;
    }
  } finally {
    crashed = undefined;
    for (const stream of ['stdout', 'stderr'] as const) {
      for (const l of process[stream].listeners('error'))
        if (!listeners[stream].includes(l)) process[stream].off('error', l as () => void);
    }
  }
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

port.on('message', (request: HostRequest) => {
  void run(request).then((reply) => {
    port.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
