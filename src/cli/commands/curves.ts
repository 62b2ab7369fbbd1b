import type { Command } from 'commander';
import { readText } from '../../io/readRuns.js';
import { parseTable } from '../../io/parseTable.js';
import { backtestCurves } from '../../analyses/curveBacktest.js';
import { getLaw, lawIdsWithOption } from '../../laws/index.js';
import { curveBacktestReport } from '../../report/text/data.js';
import { keyword, parseInteger } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { flag } from '../flags.js';
import { UsageError } from '../../errors/index.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;

/**
 * The form curves scores unless --law names another: E + A·x^(−α), the form `curve` fits. Kept by
 * bench/curves-form.ts (docs/methods.md §28), which exits 1 when this is not its decision: the broken
 * power law (best on the vision benchmark) and the paper's M4 (best on language) each beat it on both,
 * but the two data sets choose different forms. A form by hand is taken as `fit --procedure` takes a
 * recipe: scored, and named as not the default in the output.
 */
export const DEFAULT_CURVES_FORM = 'power';

/** The output's last line: which form was scored, and whether it is the default. */
function formLine(form: { law: string; breaks?: number; default: boolean }): string {
  const name = `${form.law}${form.breaks !== undefined ? ` with ${form.breaks} break${form.breaks === 1 ? '' : 's'}` : ''}`;
  return form.default
    ? `form: ${name} (the default, the form curve fits; --law bnsl scores a broken power law on the same split)`
    : `form: ${name} (by --law; the default is ${DEFAULT_CURVES_FORM}, the form curve fits)`;
}

/**
 * The points of a benchmark of learning curves: each curve's x and loss, positive (the forms are
 * fitted in logs), and whether the point is fitted (split 1) or predicted (0) — any other split code
 * is refused where it is, not read as held out.
 */
function readCurvePoints(file: string, columns: { x: string; y: string; split: string; ids: string[] }) {
  const rows = parseTable(readText(file, 'a CSV of learning curves with a train/test split column'), file, {
    numbers: [columns.x, columns.y, columns.split],
    text: columns.ids,
    rules: {
      [columns.x]: 'positive',
      [columns.y]: 'positive',
      [columns.split]: { oneOf: [0, 1], meaning: '1 = fit, 0 = predict' },
    },
  });
  return rows.map((r) => ({
    curve: columns.ids.map((c) => (r as Record<string, unknown>)[c]).join(' / '),
    x: (r as Record<string, number>)[columns.x],
    y: (r as Record<string, number>)[columns.y],
    train: (r as Record<string, number>)[columns.split] === 1,
    line: r.line,
  }));
}

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
    .addOption(flag('law', { detail: 'power or bnsl', default: DEFAULT_CURVES_FORM }))
    .addOption(flag('breaks', { detail: 'with --law bnsl', default: '1' }))
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
        cmd: Command,
      ) =>
        run(async () => {
          const ids = f.curveColumns
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const points = readCurvePoints(file, { x: f.xColumn, y: f.yColumn, split: f.splitColumn, ids });
          const id = keyword(f.law, '--law', ['power', 'bnsl'] as const);
          // power reads no breaks: a --breaks beside it was silently unused.
          if (!lawIdsWithOption('breaks').includes(id) && cmd.getOptionValueSource('breaks') === 'cli')
            throw new UsageError(
              `--breaks is read with --law ${lawIdsWithOption('breaks').join(', ')} (law ${id} has no breaks)`,
            );
          // The registry builds either law in D.
          const law = getLaw({ law: id, x: 'D', breaks: parseInteger(f.breaks, '--breaks', 0) });
          const form = {
            law: law.id,
            ...(law.options?.breaks !== undefined ? { breaks: law.options.breaks } : {}),
            default: f.law === DEFAULT_CURVES_FORM,
          };
          const b = backtestCurves(points, law, file, { x: f.xColumn, y: f.yColumn });
          if (f.json)
            return printResult({ law: law.id, form, metric: 'mean (ln ŷ − ln y)² over held-out points', ...b }, file);
          writeResult(`${curveBacktestReport(law, b)}${formLine(form)}\n`, file);
        }, f.json),
    );
}
