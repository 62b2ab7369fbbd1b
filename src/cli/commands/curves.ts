import type { Command } from 'commander';
import { readText } from '../../io/readRuns.js';
import { parseTable } from '../../io/parseTable.js';
import { backtestCurves } from '../../analyses/curveBacktest.js';
import { getLaw } from '../../laws/index.js';
import { curveBacktestReport } from '../../report/text/data.js';
import { keyword, parseInteger } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { flag } from '../flags.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;

export function registerCurves(program: Command, run: Run): void {
  program
    .command('curves')
    .description(
      'back-test learning-curve extrapolation on a benchmark of curves with a train/test split (e.g. examples/revisiting-lang.csv)',
    )
    .argument(
      '<file>',
      'CSV with curve id columns, an x column, a loss column and a split column (1 = fit, 0 = predict)',
    )
    .option('--x-column <name>', 'x column', 'Seen Examples')
    .option('--y-column <name>', 'loss column', 'Loss')
    .option('--split-column <name>', 'train/test column (1 = train)', 'Training')
    .option('--curve-columns <list>', 'columns that identify a curve', 'Domain,Task,Model')
    .addOption(flag('law', { detail: 'power or bnsl', default: 'power' }))
    .addOption(flag('breaks', { default: '1' }))
    .addOption(flag('json'))
    .action(
      async (
        file: string,
        f: {
          xColumn: string;
          yColumn: string;
          splitColumn: string;
          curveColumns: string;
          law: string;
          breaks: string;
          json?: boolean;
        },
      ) =>
        run(async () => {
          const ids = f.curveColumns
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const rows = parseTable(readText(file, 'a CSV of learning curves with a train/test split column'), file, {
            numbers: [f.xColumn, f.yColumn, f.splitColumn],
            text: ids,
          });
          const points = rows.map((r) => ({
            curve: ids.map((c) => (r as Record<string, unknown>)[c]).join(' / '),
            x: (r as Record<string, number>)[f.xColumn],
            y: (r as Record<string, number>)[f.yColumn],
            train: (r as Record<string, number>)[f.splitColumn] === 1,
            line: r.line,
          }));
          // The registry builds either law in D; power reads no breaks and ignores them.
          const law = getLaw({
            law: keyword(f.law, '--law', ['power', 'bnsl'] as const),
            x: 'D',
            breaks: parseInteger(f.breaks, '--breaks', 0),
          });
          const b = backtestCurves(points, law, file, { x: f.xColumn, y: f.yColumn });
          if (f.json)
            return printResult({ law: law.id, metric: 'mean (ln ŷ − ln y)² over held-out points', ...b }, file);
          writeResult(curveBacktestReport(law, b), file);
        }, f.json),
    );
}
