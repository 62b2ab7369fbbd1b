import type { Command } from 'commander';
import { readRuns, readText } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { parseTable } from '../../io/parseTable.js';
import { epochValues, epochsUntilWorth, repetitionOptimum } from '../../analyses/repetition.js';
import { goyal2024, selectionCrossover, selectionTable, type SelectionParams } from '../../analyses/dataSelection.js';
import { parsePools } from '../../io/parsePools.js';
import { UsageError } from '../../errors/index.js';
import { learningCurveRegions } from '../../analyses/learningCurve.js';
import { backtestCurves } from '../../analyses/curveBacktest.js';
import { aspectSpread, compareGroups } from '../../analyses/groups.js';
import { bnslLaw, getLaw, predictLoss } from '../../laws/index.js';
import { fit } from '../../fit/fit.js';
import { formatNumber } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import { keyword, parseInteger, parseLevel, parseQuantity } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { checkLawData } from '../../analyses/dataChecks.js';
import { resolveLaw } from '../lawSource.js';
import { parseList } from './frontier.js';
import { deprecatedAlias, flag } from '../flags.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;
const f4 = (x: number | undefined) => (x === undefined ? '–' : formatNumber(x, 4));

export function registerDataLaws(program: Command, run: Run): void {
  program
    .command('repetition')
    .description('training with a cap on unique data (Muennighoff et al. 2023): best size, tokens and epochs; what each epoch is worth')
    .addOption(flag('compute', { required: true }))
    .addOption(flag('unique-tokens', { required: true }))
    .addOption(flag('preset', { detail: 'a data-constrained law', default: 'muennighoff-2023' }))
    .addOption(flag('fit', { detail: 'with --law data-constrained' }))
    .addOption(flag('json'))
    .action(async (f: { compute: string; uniqueTokens: string; preset: string; fit?: string; json?: boolean }) =>
      run(async () => {
        const src = resolveLaw(f.fit ? { fit: f.fit } : { preset: f.preset });
        const C = parseQuantity(f.compute, '--compute'), U = parseQuantity(f.uniqueTokens, '--unique-tokens');
        const o = repetitionOptimum(src.law, src.params, C, U);
        const values = epochValues(src.params.R_D);
        const half = epochsUntilWorth(src.params.R_D, 0.5), tenth = epochsUntilWorth(src.params.R_D, 0.1);
        if (f.json) return printResult({ ...o, epochValues: values, epochsUntilHalf: half, epochsUntilTenth: tenth, law: src.provenance }, f.fit);
        writeResult(
          [
            `C = ${formatNumber(C, 4)} FLOPs with ${formatNumber(U, 4)} unique tokens; ${src.provenance}`,
            `best: N = ${f4(o.N)}, D = ${f4(o.D)} tokens = ${o.epochs.toFixed(2)} epochs, loss ${formatNumber(o.loss, 6)}`,
            `with unlimited fresh data: N = ${f4(o.unconstrained.N)}, D = ${f4(o.unconstrained.D)}, loss ${formatNumber(o.unconstrained.loss, 6)} (the cap costs ${((o.loss / o.unconstrained.loss - 1) * 100).toFixed(2)} %)`,
            'What repeated epochs are worth (D\'/D against fresh data, and the last epoch\'s worth):',
            textTable(['epochs', "D'/D", "D'/U", 'last epoch worth'], values.map((v) => [String(v.epochs), v.efficiency.toFixed(3), v.effectiveEpochs.toFixed(3), v.marginal.toFixed(3)])),
            `An extra epoch is worth less than half of fresh data after ${half.toFixed(1)} epochs and less than a tenth after ${tenth.toFixed(1)}; D' saturates at ${(1 + src.params.R_D).toFixed(2)}·U.`,
          ].join('\n') + '\n',
          f.fit,
        );
      }, f.json),
    );

  program
    .command('select')
    .description('data selection that depends on compute (Goyal et al. 2024): which filtered pool or mixture is best at a budget, and where they cross')
    .option('--samples <list>', 'sample budgets', '1.28e7,1e8,1e9,1e10')
    .option('--pools <file>', 'your own pools: CSV with columns name,b,tau (utility exponent, half-life in epochs) or JSON (default: Goyal et al.\'s four ImageNet pools)')
    .option('--a <a>', 'shared scale a (samples enter as a·n/1e5; default: the file\'s, else 0.025)')
    .option('--d <d>', 'irreducible error d (default: the file\'s, else 0.1)')
    .option('--pool-size <n>', 'samples in each pool (default: the file\'s, else 12.8M)')
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Pools file (CSV; JSON is an array of such objects, or {"a", "d", "poolSize", "pools": [...]}):
  name,b,tau
  strict filter,-0.16,6.7
  loose filter,-0.12,8.5
Mixtures combine the k pools with the most negative b, each of --pool-size samples.`,
    )
    .action(async (f: { samples: string; pools?: string; a?: string; d?: string; poolSize?: string; json?: boolean }) =>
      run(async () => {
        const budgets = parseList(f.samples, '--samples');
        const file = f.pools ? parsePools(readText(f.pools, 'a pools file: CSV with columns name, b, tau, or JSON'), f.pools) : undefined;
        const value = (raw: string | undefined, flag: string) => {
          if (raw === undefined) return undefined;
          const v = parseQuantity(raw, flag, { positive: flag !== '--d' });
          if (v < 0) throw new UsageError(`${flag}: expected a non-negative number, got "${raw}"`);
          if (flag === '--pool-size' && v < 1) throw new UsageError(`--pool-size: expected at least one sample per pool, got "${raw}"`);
          return v;
        };
        const params: SelectionParams = file || f.a || f.d || f.poolSize
          ? {
              a: value(f.a, '--a') ?? file?.a ?? goyal2024.a,
              d: value(f.d, '--d') ?? file?.d ?? goyal2024.d,
              poolSize: value(f.poolSize, '--pool-size') ?? file?.poolSize ?? goyal2024.poolSize,
              pools: file?.pools ?? goyal2024.pools,
              citation: `${file ? `pools from ${f.pools}` : 'Goyal et al.\'s pools'}; utility model of Goyal et al. 2024, arXiv:2404.07177`,
            }
          : goyal2024;
        const tables = budgets.map((n) => ({ samples: n, choices: selectionTable(params, n) }));
        const ranked = [...params.pools].sort((a, b) => a.b - b.b).map((p) => p.name);
        const crossovers = ranked.slice(1).map((_, k) => ({ smaller: ranked.slice(0, k + 1), larger: ranked.slice(0, k + 2), at: selectionCrossover(params, ranked.slice(0, k + 1), ranked.slice(0, k + 2)) }));
        const constants = { a: params.a, d: params.d, poolSize: params.poolSize, pools: params.pools };
        if (f.json) return printResult({ citation: params.citation, ...constants, tables, crossovers }, f.pools);
        const label = params === goyal2024 ? (pools: string[]) => (pools.length === 1 ? pools[0] : `top ${pools.length * 10} % (${pools.length} pools)`) : (pools: string[]) => pools.join(' + ');
        const lines = [`Error by data pool and budget; ${params.citation}`];
        if (params !== goyal2024) lines.push(`a = ${formatNumber(params.a)}, d = ${formatNumber(params.d)}, ${formatNumber(params.poolSize, 3)} samples per pool; pools (b, tau): ${params.pools.map((p) => `${p.name} (${p.b}, ${p.tau})`).join(', ')}`);
        lines.push(textTable(['samples', ...tables[0].choices.map((c) => label(c.pools)), 'best'], tables.map((t) => [formatNumber(t.samples, 3), ...t.choices.map((c) => c.error.toFixed(4)), label(t.choices.reduce((a, b) => (b.error < a.error ? b : a)).pools)])));
        for (const c of crossovers) lines.push(`${label(c.larger)} overtakes ${label(c.smaller)} ${c.at ? `beyond ${formatNumber(c.at, 3)} samples` : 'nowhere between 1e6 and 1e12 samples'}`);
        writeResult(lines.join('\n') + '\n', f.pools);
      }, f.json),
    );

  program
    .command('curve')
    .description("a learning curve's regions (small-data, power-law, irreducible), or a broken-power-law fit and prediction")
    .argument('<file>', 'points: the variable (N, D or C) and loss')
    .addOption(flag('x', { default: 'D' }))
    .addOption(flag('breaks', { detail: 'given, the curve is fitted with a bnsl instead' }))
    .option('--predict <list>', 'with --breaks: values of x to predict at')
    .addOption(flag('columns', { detail: 'e.g. D="Seen Examples",loss=Loss' }))
    .addOption(flag('json'))
    .action(async (file: string, f: { x: string; breaks?: string; predict?: string; columns?: string; json?: boolean }) =>
      run(async () => {
        const x = keyword(f.x, '--x', ['N', 'D', 'C'] as const);
        const ds = readRuns(file, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
        if (f.breaks !== undefined) {
          const law = bnslLaw(parseInteger(f.breaks, '--breaks', 0), x);
          checkLawData(law, ds);
          const r = fit(law, ds);
          const at = f.predict ? parseList(f.predict, '--predict') : [];
          const predictions = at.map((v) => ({ [x]: v, loss: predictLoss(law, r.params, { [x]: v }) }));
          if (f.json) return printResult({ law: law.id, formula: law.formula, citation: law.citation, params: r.params, objective: r.objective, converged: r.converged, predictions }, file);
          writeResult(`${law.formula} (${law.citation})\n${Object.entries(r.params).map(([k, v]) => `  ${k} = ${formatNumber(v, 5)}`).join('\n')}\nobjective ${r.objective.toExponential(4)}, ${r.converged ? 'converged' : 'NOT converged'}\n${predictions.map((p) => `  ${x} = ${formatNumber(p[x] as number, 4)}: ${formatNumber(p.loss, 6)}`).join('\n')}\n`, file);
          return;
        }
        const r = learningCurveRegions(ds, x);
        if (f.json) return printResult(r, file);
        const dimension = r.intrinsicDimension !== undefined ? `intrinsic dimension ≈ 4/α = ${r.intrinsicDimension.toFixed(1)}, Sharma & Kaplan 2020` : 'no intrinsic dimension: see below';
        const floor = r.irreducibleStart !== undefined
          ? `irreducible region from ${x} = ${formatNumber(r.irreducibleStart, 3)} (where E exceeds A·${x}^(−α))`
          : `no irreducible region within reach: the fitted floor E = ${f4(r.fit.E)} stays below A·${x}^(−α) beyond ${x} = 1e100`;
        writeResult(
          `Fit E + A·${x}^(−α): E = ${f4(r.fit.E)}, A = ${f4(r.fit.A)}, α = ${r.fit.alpha.toFixed(4)} (${dimension})\n` +
            textTable([x, 'loss', 'local slope', 'region'], r.points.map((p) => [formatNumber(p.x, 4), formatNumber(p.y, 5), p.localSlope === undefined ? '' : p.localSlope.toFixed(3), p.region])) +
            `\n${r.smallDataEnd ? `small-data region ends at ${x} = ${formatNumber(r.smallDataEnd, 3)}; ` : ''}${floor}\n${r.summary}\n`,
          file,
        );
      }, f.json),
    );

  program
    .command('curves')
    .description('back-test learning-curve extrapolation on a benchmark of curves with a train/test split (e.g. examples/revisiting-lang.csv)')
    .argument('<file>', 'CSV with curve id columns, an x column, a loss column and a split column (1 = fit, 0 = predict)')
    .option('--x-column <name>', 'x column', 'Seen Examples')
    .option('--y-column <name>', 'loss column', 'Loss')
    .option('--split-column <name>', 'train/test column (1 = train)', 'Training')
    .option('--curve-columns <list>', 'columns that identify a curve', 'Domain,Task,Model')
    .addOption(flag('law', { detail: 'power or bnsl', default: 'power' }))
    .addOption(flag('breaks', { default: '1' }))
    .addOption(flag('json'))
    .action(async (file: string, f: { xColumn: string; yColumn: string; splitColumn: string; curveColumns: string; law: string; breaks: string; json?: boolean }) =>
      run(async () => {
        const ids = f.curveColumns.split(',').map((s) => s.trim()).filter(Boolean);
        const rows = parseTable(readText(file, 'a CSV of learning curves with a train/test split column'), file, { numbers: [f.xColumn, f.yColumn, f.splitColumn], text: ids });
        const points = rows.map((r) => ({ curve: ids.map((c) => (r as Record<string, unknown>)[c]).join(' / '), x: (r as Record<string, number>)[f.xColumn], y: (r as Record<string, number>)[f.yColumn], train: (r as Record<string, number>)[f.splitColumn] === 1, line: r.line }));
        // The registry builds either law in D; power reads no breaks and ignores them.
        const law = getLaw({ law: keyword(f.law, '--law', ['power', 'bnsl'] as const), x: 'D', breaks: parseInteger(f.breaks, '--breaks', 0) });
        const b = backtestCurves(points, law, file, { x: f.xColumn, y: f.yColumn });
        if (f.json) return printResult({ law: law.id, metric: 'mean (ln ŷ − ln y)² over held-out points', ...b }, file);
        writeResult(
          textTable(['curve', 'train', 'test', 'law MSE', 'last-value MSE'], b.curves.map((c) => [c.curve, String(c.train), String(c.test), c.mse !== undefined ? c.mse.toExponential(2) : `failed: ${c.failed}`, c.baselineMse !== undefined ? c.baselineMse.toExponential(2) : ''])) +
            `\n${law.formula}: median held-out MSE of ln loss ${b.medianMse.toExponential(3)} against ${b.medianBaselineMse.toExponential(3)} for repeating the last training value; the law wins on ${b.wins} of ${b.scored} curves${b.scored < b.curves.length ? ` (${b.curves.length - b.scored} could not be scored)` : ''}\n`,
          file,
        );
      }, f.json),
    );

  const compare = program
    .command('compare')
    .description('compare groups (architectures, optimizers, data sources) by their scaling curves: slopes, offsets, crossovers')
    .argument('<file>', 'runs with a group column and N, D or C and loss')
    .option('--group-column <column>', 'the column naming each run\'s group', 'group')
    .addOption(flag('x', { default: 'C' }))
    .addOption(flag('bootstrap', { detail: 'resampling runs within groups', default: '200' }))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('level', { default: '0.8' }));
  deprecatedAlias(compare, '--by <column>', '--group-column');
  compare
    .addOption(flag('json'))
    .action(async (file: string, f: { groupColumn: string; x: string; bootstrap: string; seed: string; level: string; json?: boolean }) =>
      run(async () => {
        const x = keyword(f.x, '--x', ['N', 'D', 'C'] as const);
        const ds = readRuns(file, { columns: { group: f.groupColumn } });
        const c = compareGroups(ds, x, { bootstrap: parseInteger(f.bootstrap, '--bootstrap', 0), seed: parseInteger(f.seed, '--seed', 0), level: parseLevel(f.level) });
        if (f.json) return printResult(c, file);
        const pct = `${Math.round(c.level * 100)} %`;
        const ci = (v: number, i?: [number, number]) => `${f4(v)}${i ? ` [${f4(i[0])}, ${f4(i[1])}]` : ''}`;
        writeResult(
          [
            `Separate fits, L = E + A·${x}^(−α) per group (${pct} intervals):`,
            textTable(['group', 'runs', 'E', 'A', 'α'], c.separate.map((g) => [g.group, String(g.runs), ci(g.E, g.interval?.E), ci(g.A, g.interval?.A), ci(g.alpha, g.interval?.alpha)])),
            `Joint fit with a shared exponent α = ${ci(c.shared.alpha, c.shared.alphaInterval)}; per-group offsets:`,
            textTable(['group', 'E', 'A'], c.shared.groups.map((g) => [g.group, ci(g.E, g.interval?.E), ci(g.A, g.interval?.A)])),
            `F-test (shared vs separate exponents, least squares on ln L): ${c.test.statement}`,
            ...c.crossovers.map((x) => `Verdict: ${x.verdict}`),
          ].join('\n') + '\n',
          file,
        );
      }, f.json),
    );

  program
    .command('depth-width')
    .description('depth versus width at fixed size: the loss spread across aspect ratios d_model/n_layer')
    .argument('<file>', 'runs with N, width (d_model), layers (n_layer) and loss')
    .addOption(flag('tolerance', { detail: 'here, model sizes N', default: '0.05' }))
    .addOption(flag('columns', { detail: 'e.g. width=d_model,layers=n_layer' }))
    .addOption(flag('json'))
    .action(async (file: string, f: { tolerance: string; columns?: string; json?: boolean }) =>
      run(async () => {
        const ds = readRuns(file, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
        const r = aspectSpread(ds, parseQuantity(f.tolerance, '--tolerance'));
        if (f.json) return printResult(r, file);
        const ties = r.filter((s) => s.tie);
        writeResult(
          textTable(['N', 'shapes', 'best shape', 'best aspect', 'worst aspect', 'spread'], r.map((s) => [f4(s.N), String(s.runs), s.tie ? 'all tie' : `${s.best.layers} × ${s.best.width}`, s.tie ? '–' : s.best.aspect.toFixed(0), s.tie ? '–' : s.worst.aspect.toFixed(0), `${(s.spread * 100).toFixed(2)} %`])) +
            '\n' +
            (ties.length ? `at N = ${ties.map((s) => f4(s.N)).join(', ')} every shape reached the same loss: these runs do not tell depth from width\n` : ''),
          file,
        );
      }, f.json),
    );
}
