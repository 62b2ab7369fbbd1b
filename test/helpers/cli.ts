/** Run the CLI from sources in a child process, as a user would run `scalelab`. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** @param options.timeout milliseconds before the child is killed (code -1): for a command that might hang */
export function scalelab(args: string[], options: { cwd?: string; input?: string; timeout?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${root}src/cli/run.ts`, ...args], {
    cwd: options.cwd ?? root,
    input: options.input,
    timeout: options.timeout,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
    env: { ...process.env, SCALELAB_DEBUG: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

/** Assert a failure printed one located line and no stack trace. */
export function noStackTrace(stderr: string): boolean {
  return !/\n\s+at /.test(stderr) && !stderr.includes('internal error');
}
