/**
 * Run the CLI from sources, as a user would run `scalelab`: `scalelab` in this process (a worker
 * thread that keeps the CLI loaded between commands, see cliHost.ts), `scalelabProcess` in a child
 * process, for tests whose subject is the process itself (signals, exit on kill, stdin, a working
 * directory, a timeout).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { HostReply, HostRequest } from './cliHost.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const script = `${root}src/cli/run.ts`;
const tsxLoader = import.meta.resolve('tsx');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CliOptions {
  cwd?: string;
  input?: string;
  /** Milliseconds before the child is killed (code -1): for a command that might hang. Spawns a process. */
  timeout?: number;
  /** Variables added to the environment (HOME, SCALELAB_CEILING_DIRECTORIES). Spawns a process. */
  env?: Record<string, string>;
}

const result = (code: number, stdout: string, stderr: string): CliResult => ({
  code,
  stdout,
  stderr,
  json: () => JSON.parse(stdout),
});
const environment = () => ({ ...process.env, SCALELAB_DEBUG: '' });

/** Run the CLI in a child process. */
export function scalelabProcess(args: string[], options: CliOptions = {}): CliResult {
  // tsx by its resolved URL: `--import tsx` is looked up from the working directory, which may be outside the repository.
  const r = spawnSync(process.execPath, ['--import', tsxLoader, script, ...args], {
    cwd: options.cwd ?? root,
    input: options.input,
    timeout: options.timeout,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
    env: { ...environment(), ...options.env },
  });
  return result(r.status ?? -1, r.stdout, r.stderr);
}

/** No command in the suite takes this long; one that does is reported as killed (code −1), like a timeout. */
const HOST_LIMIT_MS = 15 * 60_000;

let host: { worker: Worker; port: MessagePort; flag: Int32Array } | undefined;

function startHost(): NonNullable<typeof host> {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  // A worker does not inherit tsx's loader: register it, then import the host.
  const tsx = import.meta.resolve('tsx/esm/api');
  const hostUrl = new URL('./cliHost.ts', import.meta.url).href;
  // A host that cannot start answers the waiting command with why, rather than leave it waiting.
  const failed = `(e) => import('node:worker_threads').then(({ workerData: { port, flag } }) => { port.postMessage({ code: 70, stdout: '', stderr: 'the in-process CLI did not start: ' + ((e && e.stack) || e) + '\\n', failed: true }); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); })`;
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(hostUrl)}); }).catch(${failed})`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { port: port2, flag },
    transferList: [port2],
    stdout: false,
    stderr: false,
  });
  // The host must not keep a test file's process alive once its tests are done.
  worker.unref();
  port1.unref();
  return { worker, port: port1, flag };
}

/**
 * Run the CLI in this process, synchronously: the command runs in a worker thread while this thread
 * waits on a shared flag (Atomics.wait), so `scalelab` keeps the signature of a spawned run.
 */
export function scalelab(args: string[], options: CliOptions = {}): CliResult {
  const cwd = options.cwd === undefined ? root : resolve(options.cwd);
  // A worker thread shares the process's working directory and has no stdin of its own.
  if (
    options.input !== undefined ||
    options.timeout !== undefined ||
    options.env !== undefined ||
    resolve(process.cwd()) !== resolve(cwd)
  )
    return scalelabProcess(args, options);
  host ??= startHost();
  const { worker, port, flag } = host;
  Atomics.store(flag, 0, 0);
  port.postMessage({ args, env: environment(), script } satisfies HostRequest);
  if (Atomics.wait(flag, 0, 0, HOST_LIMIT_MS) === 'timed-out') {
    void worker.terminate();
    host = undefined;
    return result(
      -1,
      '',
      `scalelab ${args.join(' ')}: no answer from the in-process CLI after ${HOST_LIMIT_MS / 1000} s`,
    );
  }
  const reply = receiveMessageOnPort(port)?.message as HostReply & { failed?: boolean };
  if (reply.failed) host = undefined;
  return result(reply.code, reply.stdout, reply.stderr);
}

/** Assert a failure printed one located line and no stack trace. */
export function noStackTrace(stderr: string): boolean {
  return !/\n\s+at /.test(stderr) && !stderr.includes('internal error');
}
