/**
 * The `scalelab` command line: one thin layer over the library. Each command parses flags into
 * library options, calls the library, and prints a report or JSON.
 */
import type { Command } from 'commander';
import { exitCodes } from '../errors/index.js';
import { commandEnded, handleInterrupts } from './interrupt.js';
import { useStoreAbove } from './storeLocation.js';
import { version } from './version.js';
import type { Run } from './output.js';

const exitCodesHelp = `
Exit codes: 0 done; 1 it ran but the result is a failure (e.g. a sweep with failed runs); 2 a usage
or input error (unknown flag, missing argument, bad value, bad input file); 70 an internal error;
130 interrupted by Ctrl-C (143 by SIGTERM, 129 by SIGHUP), saying what it left.`;

type Register = (program: Command, run: Run) => void;

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
  [['bcrit'], async () => (await import('./commands/bcrit.js')).registerBcrit],
  [['hparams'], async () => (await import('./commands/hparams.js')).registerHparams],
  [['mup'], async () => (await import('./commands/mup.js')).registerMup],
  [['repetition'], async () => (await import('./commands/repetition.js')).registerRepetition],
  [['select'], async () => (await import('./commands/select.js')).registerSelect],
  [['curve'], async () => (await import('./commands/curve.js')).registerCurve],
  [['curves'], async () => (await import('./commands/curves.js')).registerCurves],
  [['compare'], async () => (await import('./commands/compare.js')).registerCompare],
  [['depth-width'], async () => (await import('./commands/depthWidth.js')).registerDepthWidth],
  [['downstream'], async () => (await import('./commands/downstream.js')).registerDownstream],
  [['models'], async () => (await import('./commands/models.js')).registerModels],
  [['curve-law'], async () => (await import('./commands/curveLaw.js')).registerCurveLaw],
  [['serve'], async () => (await import('./commands/serve.js')).registerServe],
];

/**
 * The program with every command (for help and tests), or only the one named by `command`.
 */
export async function buildProgram(command?: string): Promise<Command> {
  // Imported here, not at the top: `scalelab --version` answers without loading commander.
  const [{ Command }, { reportError }, { leafCommands }] = await Promise.all([
    import('commander'),
    import('./output.js'),
    import('./flagTable.js'),
  ]);
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
      const store =
        typeof code === 'string' && code.startsWith('SQLITE')
          ? (await import('../store/errors.js')).storeErrorFrom(e)
          : undefined;
      process.exitCode = reportError(store ?? e, { json });
    }
  };
  const only = registry.filter(([names]) => command !== undefined && names.includes(command));
  for (const [, load] of only.length ? only : registry) (await load())(program, run);
  program.addHelpText('after', exitCodesHelp);
  // Without --db, a run store in a parent folder is used rather than a second one started here.
  program.hook('preAction', (_program, action) => useStoreAbove(action));
  // Commander's own errors (unknown flag, missing argument) exit 1 by default; here they are usage
  // errors like any other: thrown to main, which exits 2 (0 for --help and --version).
  const commands = [program, ...(program.commands as Command[]).flatMap((c) => [c, ...(c.commands as Command[])])];
  for (const c of new Set([...commands, ...leafCommands(program)])) {
    c.exitOverride((e) => {
      throw e;
    });
    const error = c.error.bind(c);
    c.error = (message, options) =>
      error(
        options?.code === 'commander.unknownOption'
          ? caseSlip(c, message)
          : options?.code === 'commander.excessArguments'
            ? extraArguments(c, message)
            : message,
        options,
      );
    c.configureOutput({ outputError: (text, write) => write(text.startsWith('error: ') ? `scalelab: ${text}` : text) });
  }
  return program;
}

/** The one-letter flags of the law's variables by the words people type for them (--tokens 1.4T). */
const variableWords: Record<string, string> = {
  tokens: '--D',
  'train-tokens': '--D',
  'training-tokens': '--D',
  parameters: '--N',
  'model-size': '--N',
  size: '--N',
  flops: '--C',
  compute: '--C',
  budget: '--C',
  'compute-budget': '--C',
  'num-params': '--N',
  'n-params': '--N',
  'model-params': '--N',
  'num-tokens': '--D',
  'n-tokens': '--D',
};

/** plan's hardware flags, whose budget other commands take as --C. */
const hardwareWords = new Set(['gpus', 'gpu', 'days', 'mfu', 'peak-flops', 'hours', 'price']);

/**
 * An unknown flag that is a known one in another case (--n, -d for --N, --D), or a law variable's flag by
 * its word (--tokens for --D): named, since commander suggests by spelling distance, which finds nothing
 * in a one-letter name.
 */
function caseSlip(command: Command, message: string): string {
  const typed = /^error: unknown option '-{1,2}([^'=]+)'$/.exec(message)?.[1].toLowerCase();
  if (typed === undefined) return message;
  const longs: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) for (const o of c.options) if (o.long) longs.push(o.long);
  // A flag's first word alone (--unique for --unique-tokens), where it begins one flag only: commander's
  // spelling distance counts the missing word's letters and suggests nothing.
  const prefixed = [...new Set(longs.filter((l) => l.slice(2).toLowerCase().startsWith(`${typed}-`)))];
  const meant =
    longs.find((l) => l.slice(2).toLowerCase() === typed) ??
    longs.find((l) => variableWords[typed] === l) ??
    (prefixed.length === 1 ? prefixed[0] : undefined);
  if (meant) return `${message}\n(Did you mean ${meant}?)`;
  // A duration in another unit (--weeks 3, --hours 504, --months 1) where the command takes --days. A
  // month is named, not converted: months vary, so the days are the user's to choose.
  const unit = /^(weeks?|hours?|months?)$/.exec(typed)?.[1];
  if (unit !== undefined && longs.includes('--days') && !longs.includes(`--${typed}`))
    return `${message}\n(Did you mean --days? The duration is in days: ${unit.startsWith('week') ? '3 weeks is --days 21' : unit.startsWith('month') ? 'a month of 30 days is --days 30' : '504 hours is --days 21'}; --days 3w or --days 504h is answered with the days to write)`;
  // The run store given to a command that reads a file of runs: the store's runs reach it as an export.
  if (
    (typed === 'db' || typed === 'study') &&
    ['fit', 'frontier', 'backtest', 'report', 'plot'].includes(command.name()) &&
    !longs.includes(`--${typed}`)
  )
    return `${message}\n(${command.name()} reads a file of runs, not the run store: write a study's completed runs to one with "scalelab runs export --study NAME --out runs.csv", then "scalelab ${command.name()} runs.csv")`;
  // Hardware given to a command that reads compute (hparams, repetition, predict): plan is the one that
  // turns GPUs and days into C, and its C is the one to pass, so that both commands plan the same run.
  if (hardwareWords.has(typed) && longs.includes('--C') && !longs.includes('--gpus'))
    return `${message}\n(${command.name()} reads the compute as --C FLOPS: "scalelab plan --gpus N --gpu NAME --days D --mfu 0.4" gives the C of that hardware on its first line, "Plan for C training FLOPs"; pass that C here)`;
  return message;
}

/**
 * Too many arguments, said with what was likely meant: several files of runs to one command that reads
 * one (how to join them), or predict's point given without its flags.
 */
function extraArguments(command: Command, message: string, argv: readonly string[] = process.argv): string {
  const name = command.name();
  // A shell glob after --downstream (plan, report) gives its files space-separated: the flag takes one list.
  if (
    command.options.some((o) => o.long === '--downstream') &&
    argv.some((a) => a === '--downstream' || a.startsWith('--downstream='))
  )
    return `${message}\n(--downstream takes one comma-separated list of files, --downstream a.json,b.json,c.json, or a ladder manifest; a shell glob gives them space-separated)`;
  if (['fit', 'backtest', 'frontier', 'report', 'plot'].includes(name))
    return `${message}\n(${name} reads one file of runs: to use several, import them into one study, "scalelab runs import A.csv B.csv --study NAME", then "scalelab runs export --study NAME --out all.csv")`;
  if (name === 'predict') return `${message}\n(the point is given with flags: predict FIT --N 70B --D 1.4T)`;
  return message;
}

export async function main(argv = process.argv): Promise<void> {
  // `scalelab fit … --json | head` closes the pipe early: that is not an error.
  // Any other failure (a full disk under `> out.csv`) is said in one line, once, and the command fails.
  let stdoutFailed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    if (stdoutFailed) return;
    stdoutFailed = true;
    void import('./output.js').then(({ reportError, stdoutFailure }) => {
      const code = reportError(stdoutFailure(e));
      if (!process.exitCode) process.exitCode = code;
    });
  });
  // The first word that is not a flag names the command; anything else (--help, --version, a
  // typo) gets every command, so help and "unknown command" stay complete.
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  // A Ctrl-C while the command waits on other threads or processes says what it left (cli/interrupt.ts).
  handleInterrupts({ json: argv.includes('--json') });
  // `scalelab --version` needs no command at all.
  if (command === undefined && argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(version() + '\n');
    return;
  }
  try {
    await (await buildProgram(command)).parseAsync(argv);
  } catch (e) {
    const [{ CommanderError }, { printJson, reportError }] = await Promise.all([
      import('commander'),
      import('./output.js'),
    ]);
    // Commander has printed its message (or the help) already.
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
      if (e.exitCode !== 0 && argv.includes('--json'))
        printJson({ error: { type: 'UsageError', message: e.message.replace(/^error: /, '') } });
    } else process.exitCode = reportError(e, { json: argv.includes('--json') });
  } finally {
    await commandEnded();
    // The output did not all reach stdout: not a success, whatever the command made of it.
    if (stdoutFailed && !process.exitCode) process.exitCode = exitCodes.failed;
  }
}
