import { basename } from 'node:path';
import type { Command } from 'commander';
import { readText } from '../../io/readRuns.js';
import { parseTable } from '../../io/parseTable.js';
import { backtestCurves, lawCurveForm, type CurveForm } from '../../analyses/curveBacktest.js';
import { m4CurveForm } from '../../analyses/m4.js';
import { getLaw, lawIdsWithOption } from '../../laws/index.js';
import { curveBacktestReport } from '../../report/text/data.js';
import { keyword, parseInteger } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { flag } from '../flags.js';
import { UsageError } from '../../errors/index.js';
import type { Run } from '../output.js';

/**
 * The form curves scores unless --law names another: E + A·x^(−α), the form `curve` fits. Kept by
 * bench/curves-form.ts (docs/methods.md §28), which exits 1 when this is not its decision: the broken
 * power law (best on the vision benchmark) and the paper's M4 (best on language) each beat it on both,
 * but the two data sets choose different forms. A form by hand is taken as `fit --procedure` takes a
 * recipe: scored, and named as not the default in the output.
 */
export const DEFAULT_CURVES_FORM = 'power';

/**
 * The forms --law offers: two registered laws in x (fitted as `fit` fits them) and M4, which is not a law
 * (src/analyses/m4.ts says why) and is fitted its own way.
 */
const CURVES_FORMS = ['power', 'bnsl', 'm4'] as const;

const M4_HELP =
  "m4: Alabdulmohsin, Neyshabur & Zhai 2022's (ℓ − ε∞)/(ε0 − ℓ)^α = β·x^c (arXiv:2209.06640), fitted by this repository's objective (Huber on ln loss, a start grid then L-BFGS), not the paper's recipe";

/** The output's last line: which form was scored, and whether it is the default. */
function formLine(form: { law: string; breaks?: number; default: boolean }, shape: CurveForm): string {
  const name = `${form.law}${form.breaks !== undefined ? ` with ${form.breaks} break${form.breaks === 1 ? '' : 's'}` : ''}`;
  return form.default
    ? `form: ${name} (the default, the form curve fits; --law bnsl or m4 scores another form on the same split)`
    : `form: ${name} (by --law; the default is ${DEFAULT_CURVES_FORM}, the form curve fits)${shape === m4CurveForm ? `\n  ${shape.citation}` : ''}`;
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
    // A missing column says which flag names it: the defaults are one benchmark's names ("Seen Examples").
    flags: {
      [columns.x]: '--x-column',
      [columns.y]: '--y-column',
      [columns.split]: '--split-column',
      ...Object.fromEntries(columns.ids.map((c) => [c, '--curve-columns'])),
    },
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

/** The bundled benchmarks' source, said beside their results (examples/README.md has the rest). */
const bundledCurvesData: Record<string, string> = {
  'revisiting-lang.csv':
    'the language benchmark of Alabdulmohsin, Neyshabur & Zhai 2022, "Revisiting Neural Scaling Laws in Language and Vision" (NeurIPS 2022)',
  'revisiting-vision.csv':
    'the vision benchmark of Alabdulmohsin, Neyshabur & Zhai 2022, "Revisiting Neural Scaling Laws in Language and Vision" (NeurIPS 2022)',
};

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
    .addOption(
      flag('law', {
        detail: `power (E + A·x^(−α)), bnsl (Caballero et al. 2023's broken power law) or ${M4_HELP}`,
        default: DEFAULT_CURVES_FORM,
      }),
    )
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
          const id = keyword(f.law, '--law', CURVES_FORMS);
          // power reads no breaks: a --breaks beside it was silently unused.
          if (!lawIdsWithOption('breaks').includes(id) && cmd.getOptionValueSource('breaks') === 'cli')
            throw new UsageError(
              `--breaks is read with --law ${lawIdsWithOption('breaks').join(', ')} (${id === 'm4' ? 'form' : 'law'} ${id} has no breaks)`,
            );
          // The registry builds either law in D; M4 is its own form.
          const shape =
            id === 'm4'
              ? m4CurveForm
              : lawCurveForm(getLaw({ law: id, x: 'D', breaks: parseInteger(f.breaks, '--breaks', 0) }));
          const form = {
            law: shape.id,
            ...(shape.breaks !== undefined ? { breaks: shape.breaks } : {}),
            default: f.law === DEFAULT_CURVES_FORM,
          };
          const b = backtestCurves(points, shape, file, { x: f.xColumn, y: f.yColumn });
          // Where the points and their split come from: the split is the file's, not chosen here.
          const split = `the file's "${f.splitColumn}" column (1 = fitted, 0 = held out and predicted)`;
          const data = bundledCurvesData[basename(file)];
          if (f.json)
            return printResult(
              {
                law: shape.id,
                form,
                formula: shape.formula,
                citation: shape.citation,
                metric: 'mean (ln ŷ − ln y)² over held-out points',
                split,
                ...(data ? { dataCitation: data } : {}),
                ...b,
              },
              file,
            );
          writeResult(
            `${curveBacktestReport(shape, b)}${formLine(form, shape)}\nsplit: ${split}${data ? `; data: ${data}` : ''}\n`,
            file,
          );
        }, f.json),
    );
}
