/**
 * The moby-curves study's report (examples/studies/moby-curves/): for each target run (a cosine run
 * twice as long, a WSD run with half its steps decaying, at both sizes), both curve laws' predicted
 * curves with their 95 % intervals against the observed curve, and a table of predicted against
 * observed final losses. Reads the shipped fits and run folders; writes predictions.json and report.html.
 *
 *   npx tsx scripts/moby-curves-report.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkpointReach,
  CURVE_EXTRAPOLATION,
  fittedRuns,
  predictWithIntervals,
  type CurveBootstrap,
  type CurveFit,
} from '../src/analyses/curveLaws.js';
import { curveFromMetrics } from '../src/io/parseCurves.js';
import { describeSchedule, lrSequence } from '../src/core/schedule.js';
import { curveFigure } from '../src/plots/curveFigure.js';
import { checkFiniteText } from '../src/cli/output.js';

const dir = 'examples/studies/moby-curves';
const laws = ['lr-annealing', 'multi-power'] as const;
const fits = Object.fromEntries(
  laws.map((l) => [
    l,
    JSON.parse(readFileSync(join(dir, `fit-${l}.json`), 'utf8')) as {
      fits: { N: number; fit: CurveFit; bootstrap: CurveBootstrap }[];
      inputs: { N: number; lastStep?: number; schedule?: { steps: number } }[];
    },
  ]),
);
// The fits saw checkpoints from step 500 on (`--from-step 500`): the figures draw the predicted and observed
// curves over that stretch. Before it the laws are not fitted, and their wide early bands (up to ~6 nats)
// would set the y axis (src/plots/curveFigure.ts covers every point drawn) and flatten the comparison.
const FROM_STEP = 500;
const targets = ['d32-cosine-2x', 'd32-wsd-0.5', 'd64-cosine-2x', 'd64-wsd-0.5'];
const fitRuns = ['d32-constant', 'd32-wsd-0.2', 'd64-constant', 'd64-wsd-0.2'];
const colors = { 'lr-annealing': '#1f77b4', 'multi-power': '#2ca02c' };

const rows: Record<string, unknown>[] = [];
const panels: string[] = [];
for (const name of targets) {
  const run = curveFromMetrics(readFileSync(join(dir, 'runs', name, 'metrics.jsonl'), 'utf8'), name, name);
  const s = run.schedule!;
  const steps = Array.from({ length: s.steps / 25 }, (_, i) => (i + 1) * 25).filter((x) => x >= FROM_STEP);
  const series = [];
  for (const law of laws) {
    const g = fits[law].fits.find((f) => f.N === run.N)!;
    // As `curve-law predict` gives it: the new run's interval with the extrapolation term beyond step 1000.
    const reach = checkpointReach(fittedRuns(fits[law].inputs, false, run.N));
    if (reach === undefined) throw new Error(`fit-${law}.json does not record where its runs' checkpoints end`);
    const p = predictWithIntervals(
      g.fit,
      { lrs: lrSequence(s), warmupSteps: s.warmupSteps ?? 0, N: run.N },
      steps,
      g.bootstrap,
      0.95,
      1,
      { slope: CURVE_EXTRAPOLATION, reach },
    );
    const last = steps.length - 1,
      observed = run.points.at(-1)!.loss;
    const [lo, hi] = p.interval![last];
    rows.push({
      run: name,
      N: run.N,
      schedule: describeSchedule(s),
      law,
      predicted: p.loss[last],
      interval: [lo, hi],
      observed,
      error: p.loss[last] / observed - 1,
      inside: lo <= observed && observed <= hi,
      droppedReplicates: p.dropped ?? 0,
    });
    series.push({ name: `${law} (predicted)`, steps, loss: p.loss, band: p.interval, color: colors[law] });
  }
  const shown = run.points.filter((x) => x.step >= steps[0]);
  series.push({
    name: 'observed',
    steps: shown.map((x) => x.step),
    loss: shown.map((x) => x.loss),
    observed: true,
    color: '#d62728',
  });
  panels.push(curveFigure(`${name}: ${describeSchedule(s)}`, series, { width: 640, height: 380 }));
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const table = rows
  .map(
    (r) =>
      `<tr><td>${r.run}</td><td>${r.law}</td><td>${(r.predicted as number).toFixed(4)}</td><td>${(r.interval as number[]).map((v) => v.toFixed(4)).join('–')}</td><td>${(r.observed as number).toFixed(4)}</td><td>${pct(r.error as number)}</td><td>${r.inside ? 'inside' : '<b>missed</b>'}</td></tr>`,
  )
  .join('\n');
const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>moby-curves: whole training curves under other schedules</title>
<style>body{font-family:sans-serif;max-width:1320px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,td:nth-child(2){text-align:left}.panels{display:flex;flex-wrap:wrap;gap:12px}</style></head>
<body>
<h1>Curve laws on real runs: predicted against observed</h1>
<p>Fitted, per size, to the checkpoints from step 500 on of a constant-learning-rate run and its WSD cooldown branch (decay over the last 20 %): ${fitRuns.join(', ')}.
Predicted from step ${FROM_STEP} on, where the fits' checkpoints begin: the curve of a cosine run twice as long and of a WSD run decaying over its last 50 %, at both sizes, with 95 % intervals for a new run
(200 bootstrap replicates: blocks of residuals within each run, since there are two runs per size). Losses in nats per character on held-out Moby-Dick.</p>
<table><tr><th>run</th><th>law</th><th>predicted</th><th>95 % interval</th><th>observed</th><th>error</th><th></th></tr>
${table}
</table>
<div class="panels">
${panels.join('\n')}
</div>
</body></html>
`;
checkFiniteText(html, dir);
writeFileSync(join(dir, 'report.html'), html);
writeFileSync(join(dir, 'predictions.json'), JSON.stringify(rows, null, 2) + '\n');
for (const r of rows)
  console.log(
    `${r.run} ${r.law}: predicted ${(r.predicted as number).toFixed(4)} [${(r.interval as number[]).map((v) => v.toFixed(4)).join(', ')}], observed ${(r.observed as number).toFixed(4)}, ${pct(r.error as number)}, ${r.inside ? 'inside' : 'MISSED'}`,
  );
