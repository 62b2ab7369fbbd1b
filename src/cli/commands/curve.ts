import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import { noteSmallSizes } from '../sizeNote.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { bnslBreakWarnings, learningCurveRegions } from '../../analyses/learningCurve.js';
import { extrapolationWarnings } from '../../analyses/extrapolation.js';
import { UsageError } from '../../errors/index.js';
import { bnslLaw, predictLoss } from '../../laws/index.js';
import { checkInputs, fit } from '../../fit/fit.js';
import { bnslCurveReport, learningCurveReport } from '../../report/text/data.js';
import { keyword, parseInteger, parseList } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { checkLawData } from '../../io/dataChecks.js';
import { flag } from '../flags.js';
import type { Run } from '../output.js';

export function registerCurve(program: Command, run: Run): void {
  program
    .command('curve')
    .description(
      "a learning curve's regions (small-data, power-law, irreducible), or a broken-power-law fit and prediction",
    )
    .argument('<file>', 'points: the variable (N, D or C) and loss')
    .addOption(flag('x', { default: 'D' }))
    .addOption(flag('breaks', { detail: 'given, the curve is fitted with a bnsl instead' }))
    .option('--predict <list>', 'with --breaks: values of x to predict at')
    .addOption(flag('columns', { detail: 'e.g. D="Seen Examples",loss=Loss' }))
    .addOption(flag('json'))
    .action(
      async (file: string, f: { x: string; breaks?: string; predict?: string; columns?: string; json?: boolean }) =>
        run(async () => {
          const x = keyword(f.x, '--x', ['N', 'D', 'C'] as const);
          if (f.predict !== undefined && f.breaks === undefined)
            throw new UsageError(
              '--predict goes with --breaks N (a broken power law fitted to the curve); without it curve marks the regions of E + A·x^(−α)',
            );
          const ds = readRuns(file, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
          // Model sizes in millions (125, 350) give the same regions and slopes, but x and --predict read as
          // parameters. Not D: a learning curve's D counts what the file counts (examples, tokens), and a
          // curve over 50,000 examples is no slip.
          if (x === 'N')
            noteSmallSizes(
              file,
              ds.runs.map((r) => ({ N: r.N })),
              'curve',
            );
          if (f.breaks !== undefined) {
            const breaks = parseInteger(f.breaks, '--breaks', 0);
            const law = bnslLaw(breaks, x);
            // A missing x column, with the file's columns, before the data checks ("0 different values of D ()").
            checkInputs(law, ds);
            checkLawData(law, ds);
            const r = fit(law, ds);
            const at = f.predict ? parseList(f.predict, '--predict') : [];
            const predictions = at.map((v) => ({ [x]: v, loss: predictLoss(law, r.params, { [x]: v }) }));
            const xs = ds.runs.map((run) => run[x]!);
            const range: [number, number] = [Math.min(...xs), Math.max(...xs)];
            const warnings = [
              // curve has no option for the starts: keep the warning, not its hint at one.
              ...r.warnings.map((w) =>
                w.code === 'unstable-starts' ? { ...w, message: w.message.replace(/; try the full grid.*$/, '') } : w,
              ),
              ...bnslBreakWarnings(r.params, breaks, x, range),
              ...at.flatMap((v) => extrapolationWarnings({ [x]: range }, { [x]: v })),
            ];
            if (f.json)
              return printResult(
                {
                  law: law.id,
                  formula: law.formula,
                  citation: law.citation,
                  params: r.params,
                  objective: r.objective,
                  converged: r.converged,
                  predictions,
                  warnings,
                },
                file,
              );
            writeResult(bnslCurveReport(law, r, x, predictions, warnings), file);
            return;
          }
          const r = learningCurveRegions(ds, x);
          if (f.json) return printResult(r, file);
          writeResult(learningCurveReport(r, x), file);
        }, f.json),
    );
}
