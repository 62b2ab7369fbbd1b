/**
 * Run a `scalelab` command in this process (the same code path as the binary: commander, the
 * command's action, the error reporter) and capture what it prints. Spawning tsx costs about a
 * second a command on a busy machine; a corpus of hundreds of files needs the in-process way.
 * Commands run one at a time (output is captured by replacing process.stdout/stderr.write).
 */
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { commandEnded } from '../../src/cli/interrupt.js';
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
  // The CLI writes strings; under `node --test` the test runner reports on stdout in binary (v8-serialised
  // buffers), and a command that yields to the event loop (an import between files, where a Ctrl-C is
  // heard) lets those reports through while stdout is captured: they go on to the real stdout.
  const capture = (into: string[], original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk !== 'string') return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      into.push(chunk);
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
  process.stdout.write = capture(out, stdoutWrite, process.stdout);
  process.stderr.write = capture(err, stderrWrite, process.stderr);
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
    // As main does when a command ends: the signal listeners a command installed to its end go.
    await commandEnded();
  }
  const stdout = out.join('');
  return { code, stdout, stderr: err.join(''), json: () => JSON.parse(stdout) };
}
