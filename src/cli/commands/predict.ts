import type { Command } from 'commander';
import { readText } from '../../io/readRuns.js';
import { loadFit, type LoadedFit } from '../../fit/summary.js';
import { getLaw, lawIds, predictLoss, type Point } from '../../laws/index.js';
import { percentileInterval } from '../../core/statistics.js';
import { formatNumber } from '../../core/format.js';
import { UsageError } from '../../errors/index.js';
import { keyword, parseAssignments, parseQuantity } from '../options.js';
import { printJson } from '../output.js';

interface PredictFlags {
  fit?: string;
  law?: string;
  x: string;
  params?: string;
  N?: string;
  D?: string;
  C?: string;
  U?: string;
  level?: string;
  json?: boolean;
}

/** How far a point lies beyond the data the fit saw, as warnings. */
export function extrapolationWarnings(fit: LoadedFit, point: Point): string[] {
  const ranges = fit.json?.data?.ranges ?? {};
  const out: string[] = [];
  for (const [v, range] of Object.entries(ranges)) {
    const value = point[v as keyof Point];
    if (value === undefined) continue;
    const [lo, hi] = range;
    if (value > hi * 1.0001) {
      const factor = value / hi;
      const severity = factor > 100 ? 'far beyond' : factor > 10 ? 'well beyond' : 'beyond';
      out.push(`${v} = ${formatNumber(value, 4)} is ${formatNumber(factor, 3)}× the largest ${v} in the fit's data (${formatNumber(hi, 4)}): ${severity} what the fit has seen`);
    } else if (value < lo / 1.0001) {
      out.push(`${v} = ${formatNumber(value, 4)} is below the smallest ${v} in the fit's data (${formatNumber(lo, 4)})`);
    }
  }
  return out;
}

export function registerPredict(program: Command, run: (fn: () => Promise<void>, json?: boolean) => Promise<void>): void {
  program
    .command('predict')
    .description('predict the loss at a model size and token count from a saved fit (or given parameters)')
    .option('--fit <file>', 'fit JSON written by "scalelab fit --out FILE" or "--json"')
    .option('--law <law>', `law with explicit --params instead of a fit: ${lawIds.join(', ')}`)
    .option('--x <variable>', 'variable of power and power0 laws: N, D or C', 'N')
    .option('--params <list>', 'parameter values for --law, e.g. E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28')
    .option('--N <n>', 'parameters, e.g. 7e10 or 70B')
    .option('--D <d>', 'training tokens, e.g. 1.4e12 or 1.4T')
    .option('--C <c>', 'training FLOPs (D = C/(6N) when --D is absent)')
    .option('--U <u>', 'unique tokens (data-constrained laws)')
    .option('--level <level>', 'interval level when the fit has bootstrap replicates (default: the fit\'s)')
    .option('--json', 'print the prediction as JSON')
    .addHelpText(
      'after',
      `
Examples:
  scalelab fit examples/chinchilla.csv --bootstrap 200 --out fit.json
  scalelab predict --fit fit.json --N 7e10 --D 1.4e12
  scalelab predict --law chinchilla --params E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --N 70B --D 1.4T`,
    )
    .action(async (flags: PredictFlags) =>
      run(async () => {
        let fit: LoadedFit;
        if (flags.fit) {
          if (flags.law || flags.params) throw new UsageError('give either --fit FILE or --law with --params, not both');
          fit = loadFit(readText(flags.fit), flags.fit);
        } else if (flags.law) {
          const law = getLaw({ law: flags.law, x: keyword(flags.x, '--x', ['N', 'D', 'C'] as const) });
          if (!flags.params) throw new UsageError(`--law ${flags.law} needs --params with ${law.params.map((p) => p.name).join(', ')}`);
          const params = parseAssignments(flags.params, '--params');
          for (const p of law.params) if (params[p.name] === undefined) throw new UsageError(`--params: missing ${p.name} (law ${law.id} has ${law.params.map((q) => q.name).join(', ')})`);
          fit = { law, params, replicates: [], json: undefined as never };
        } else {
          throw new UsageError('give --fit FILE (from "scalelab fit --out FILE") or --law NAME --params ...');
        }
        const point: Point = {};
        for (const v of ['N', 'D', 'C', 'U'] as const) {
          const raw = flags[v];
          if (raw !== undefined) point[v] = parseQuantity(raw, `--${v}`);
        }
        const missing = fit.law.inputs.filter((v) => point[v] === undefined && !(v === 'D' && point.C !== undefined && point.N !== undefined) && !(v === 'C' && point.N !== undefined && point.D !== undefined));
        if (missing.length) throw new UsageError(`law ${fit.law.id} needs ${missing.map((v) => `--${v}`).join(' and ')}${missing.includes('D') ? ' (or --C with --N)' : ''}`);
        const loss = predictLoss(fit.law, fit.params, point);
        const level = flags.level ? parseQuantity(flags.level, '--level') : (fit.json?.bootstrap?.level ?? 0.95);
        const interval = fit.replicates.length >= 2 ? percentileInterval(fit.replicates.map((p) => predictLoss(fit.law, p, point)), level) : undefined;
        const warnings = fit.json ? extrapolationWarnings(fit, point) : [];
        const resolved: Point = { ...point };
        if (resolved.D === undefined && resolved.C !== undefined && resolved.N !== undefined) resolved.D = resolved.C / (6 * resolved.N);
        if (resolved.C === undefined && resolved.N !== undefined && resolved.D !== undefined) resolved.C = 6 * resolved.N * resolved.D;
        const out = {
          loss,
          ...(interval ? { interval, level, replicates: fit.replicates.length } : {}),
          point: resolved,
          law: fit.law.id,
          formula: fit.law.formula,
          params: fit.params,
          source: flags.fit ? { fit: flags.fit, data: fit.json.data.source } : { params: 'given on the command line' },
          warnings,
        };
        if (flags.json) return printJson(out);
        const lines = [
          `predicted loss ${formatNumber(loss)}${interval ? `   ${Math.round(level * 100)} % interval [${formatNumber(interval[0])}, ${formatNumber(interval[1])}] over ${fit.replicates.length} bootstrap replicates` : ''}`,
          `  at ${Object.entries(resolved).map(([k, v]) => `${k} = ${formatNumber(v as number, 4)}`).join(', ')}`,
          `  law ${fit.law.id}: ${fit.law.formula} with ${Object.entries(fit.params).map(([k, v]) => `${k} = ${formatNumber(v)}`).join(', ')}`,
          `  from ${flags.fit ? `fit ${flags.fit} (data ${fit.json.data.source})` : 'parameters given on the command line'}`,
          ...(interval || !flags.fit ? [] : ['  (no interval: the fit has no bootstrap replicates; refit with --bootstrap N)']),
          ...warnings.map((w) => `  warning: ${w}`),
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }, flags.json),
    );
}
