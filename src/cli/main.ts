/**
 * The `scalelab` command line: one thin layer over the library. Each command parses flags into
 * library options, calls the library, and prints a report or JSON.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

type Register = (program: Command, run: (fn: () => Promise<void>, json?: boolean) => Promise<void>) => void;

/**
 * Each top-level command and the module that registers it, in help order. A module is imported
 * only when its command runs (or for `--help`), so `scalelab fit` does not load vega, the web
 * server or the simulated lab before it starts.
 */
const registry: [names: string[], load: () => Promise<Register>][] = [
  [['fit'], async () => (await import('./commands/fit.js')).registerFit],
  [['predict'], async () => (await import('./commands/predict.js')).registerPredict],
  [['backtest'], async () => (await import('./commands/backtest.js')).registerBacktest],
  [['frontier'], async () => (await import('./commands/frontier.js')).registerFrontier],
  [['plan'], async () => (await import('./commands/plan.js')).registerPlan],
  [['shape'], async () => (await import('./commands/shape.js')).registerShape],
  [['runs'], async () => (await import('./commands/runs.js')).registerRuns],
  [['lab'], async () => (await import('./commands/lab.js')).registerLab],
  [['sweep'], async () => (await import('./commands/sweep.js')).registerSweep],
  [['study'], async () => (await import('./commands/study.js')).registerStudy],
  [['plot', 'report'], async () => (await import('./commands/report.js')).registerPlotAndReport],
  [['bcrit', 'hparams', 'mup'], async () => (await import('./commands/hparams.js')).registerHparams],
  [['repetition', 'select', 'curve', 'curves', 'compare', 'depth-width'], async () => (await import('./commands/data.js')).registerDataLaws],
  [['models'], async () => (await import('./commands/models.js')).registerModels],
  [['serve'], async () => (await import('./commands/serve.js')).registerServe],
];

/**
 * The program with every command (for help and tests), or only the one named by `command`.
 */
export async function buildProgram(command?: string): Promise<Command> {
  // Imported here, not at the top: `scalelab --version` answers without loading commander.
  const [{ Command }, { reportError }] = await Promise.all([import('commander'), import('./output.js')]);
  const program = new Command();
  program
    .name('scalelab')
    .description('Fit scaling laws to small training runs and extrapolate to the big one.')
    .version(version())
    .showHelpAfterError('(run with --help for usage)');
  const run = async (fn: () => Promise<void>, json?: boolean): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      // A SQLite error (a busy or foreign store) is reported as what it means, not as a bug. The
      // store module (and SQLite) loads only then: commands that never open a store start without it.
      const code = (e as { code?: unknown } | null)?.code;
      const store = typeof code === 'string' && code.startsWith('SQLITE') ? (await import('../store/store.js')).storeErrorFrom(e) : undefined;
      process.exitCode = reportError(store ?? e, { json });
    }
  };
  const only = registry.filter(([names]) => command !== undefined && names.includes(command));
  for (const [, load] of only.length ? only : registry) (await load())(program, run);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  // `scalelab fit … --json | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  // The first word that is not a flag names the command; anything else (--help, --version, a
  // typo) gets every command, so help and "unknown command" stay complete.
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  // `scalelab --version` needs no command at all.
  if (command === undefined && argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(version() + '\n');
    return;
  }
  await (await buildProgram(command)).parseAsync(argv);
}
