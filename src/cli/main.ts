/**
 * The `scalelab` command line: one thin layer over the library. Each command parses flags into
 * library options, calls the library, and prints a report or JSON.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerFit } from './commands/fit.js';
import { registerPredict } from './commands/predict.js';
import { registerFrontier } from './commands/frontier.js';
import { registerPlan } from './commands/plan.js';
import { registerShape } from './commands/shape.js';
import { registerRuns } from './commands/runs.js';
import { registerLab } from './commands/lab.js';
import { registerSweep } from './commands/sweep.js';
import { registerStudy } from './commands/study.js';
import { registerPlotAndReport } from './commands/report.js';
import { registerHparams } from './commands/hparams.js';
import { registerDataLaws } from './commands/data.js';
import { registerModels } from './commands/models.js';
import { registerServe } from './commands/serve.js';
import { reportError } from './output.js';
import { storeErrorFrom } from '../store/store.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
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
      // A SQLite error (a busy or foreign store) is reported as what it means, not as a bug.
      process.exitCode = reportError(storeErrorFrom(e) ?? e, { json });
    }
  };
  registerFit(program, run);
  registerPredict(program, run);
  registerFrontier(program, run);
  registerPlan(program, run);
  registerShape(program, run);
  registerRuns(program, run);
  registerLab(program, run);
  registerSweep(program, run);
  registerStudy(program, run);
  registerPlotAndReport(program, run);
  registerHparams(program, run);
  registerDataLaws(program, run);
  registerModels(program, run);
  registerServe(program, run);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  // `scalelab fit … --json | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  await buildProgram().parseAsync(argv);
}
