/**
 * Output conventions shared by every command: JSON on stdout with --json, a human report otherwise;
 * progress bars only on a terminal and never with --json; errors as one line, no stack trace.
 */
import cliProgress from 'cli-progress';
import { isScaleLabError } from '../errors/index.js';

export interface OutputOptions {
  json?: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A progress bar on stderr when it is a terminal and output is not JSON; otherwise a no-op. */
export function progress(label: string, total: number, opts: OutputOptions): { tick: (n?: number) => void; stop: () => void } {
  if (opts.json || !process.stderr.isTTY || total <= 0) return { tick: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: (n = 1) => bar.increment(n), stop: () => bar.stop() };
}

/** A status line on stderr when it is a terminal and output is not JSON, rewritten in place; otherwise a no-op. */
export function statusLine(opts: OutputOptions): { show: (text: string) => void; done: () => void } {
  if (opts.json || !process.stderr.isTTY) return { show: () => {}, done: () => {} };
  let shown = false;
  return {
    show: (text) => {
      const width = process.stderr.columns || 100;
      process.stderr.write(`\r\x1b[K${text.length >= width ? `${text.slice(0, width - 2)}…` : text}`);
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** Print an error the way every command does, and return the exit code. */
export function reportError(e: unknown, opts: OutputOptions = {}): number {
  if (isScaleLabError(e)) {
    process.stderr.write(`scalelab: error: ${e.message}\n`);
    if (opts.json) printJson({ error: { type: e.name, message: e.message, ...('location' in e ? { location: (e as { location: unknown }).location } : {}) } });
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`scalelab: internal error: ${err?.message ?? String(e)}\n(this is a bug in ScaleLab; set SCALELAB_DEBUG=1 for a stack trace)\n`);
  if (process.env.SCALELAB_DEBUG) process.stderr.write(`${err?.stack}\n`);
  if (opts.json) printJson({ error: { type: 'InternalError', message: err?.message ?? String(e) } });
  return 70;
}
