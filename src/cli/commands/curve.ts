import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { learningCurveRegions } from '../../analyses/learningCurve.js';
import { bnslLaw, predictLoss } from '../../laws/index.js';
import { fit } from '../../fit/fit.js';
import { bnslCurveReport, learningCurveReport } from '../../report/text/data.js';
import { keyword, parseInteger, parseList } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { checkLawData } from '../../io/dataChecks.js';
import { flag } from '../flags.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;

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
          const ds = readRuns(file, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
          if (f.breaks !== undefined) {
            const law = bnslLaw(parseInteger(f.breaks, '--breaks', 0), x);
            checkLawData(law, ds);
            const r = fit(law, ds);
            const at = f.predict ? parseList(f.predict, '--predict') : [];
            const predictions = at.map((v) => ({ [x]: v, loss: predictLoss(law, r.params, { [x]: v }) }));
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
                },
                file,
              );
            writeResult(bnslCurveReport(law, r, x, predictions), file);
            return;
          }
          const r = learningCurveRegions(ds, x);
          if (f.json) return printResult(r, file);
          writeResult(learningCurveReport(r, x), file);
        }, f.json),
    );
}
