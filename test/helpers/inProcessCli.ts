/**
 * Run a `scalelab` command in this process (the same code path as the binary: commander, the
 * command's action, the error reporter) and capture what it prints. Spawning tsx costs about a
 * second a command on a busy machine; a corpus of hundreds of files needs the in-process way.
 * Commands run one at a time (output is captured by replacing process.stdout/stderr.write).
 */
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import type { CliResult } from './cli.js';

function overrideExits(cmd: Command): void {
  // A usage error must come back as an exit code, not end the test process.
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExits(sub);
}

let running = false;

export async function scalelabInProcess(args: string[]): Promise<CliResult> {
  if (running) throw new Error('scalelabInProcess: one command at a time');
  running = true;
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  const savedExitCode = process.exitCode;
  process.exitCode = undefined;
  let code: number;
  // The command's module is imported before stdout is captured: under `node --test` a test file
  // reports its results on stdout, and an import's wait would let those reports into the capture.
  const program = await buildProgram(args.find((a) => !a.startsWith('-')));
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    overrideExits(program);
    program.configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
    try {
      await program.parseAsync(['node', 'scalelab', ...args]);
      code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    } catch (e) {
      const exit = (e as { exitCode?: number }).exitCode;
      if (typeof exit !== 'number') throw e;
      code = exit;
    }
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = savedExitCode;
    running = false;
  }
  const stdout = out.join('');
  return { code, stdout, stderr: err.join(''), json: () => JSON.parse(stdout) };
}
