/**
 * Do the loss predictions' intervals cover, data set by data set? A back-test of interval forms on the
 * extrapolation benchmark's cases (bench/extrapolationCases.ts: each case fitted once by every procedure,
 * 100 bootstrap replicates resampling whole runs or lineages, seed 0), with the shipped `auto` rule's
 * weights. Every form below adds its terms after the refits, so the replicates are computed once per case
 * and every form is evaluated from them.
 *
 *   npm run bench:intervals                                  # the tables (3–4 minutes on 2 shared cores)
 *   npm run bench:intervals -- --json                        # everything, for scripts
 *   --replicates 100 --seed 0 --cases chinchilla,moby-small
 *
 * Fixed before the first scored run (this comment and the code below were committed before it):
 *
 * Candidates — the predictive draws of today's mixture (bootstrap replicate + a run's scatter ε), plus:
 *  (0)  today:   η ~ N(0, (τ·log10(1 + C/C_max))²), τ from TAUS chosen on the other cases by today's rule
 *                (pooled 95 % coverage closest to 95 %, ties to the smaller τ) — bench/extrapolation.ts's;
 *  (0') score:   today's form, τ chosen on the other cases by the mean interval score below;
 *  (1)  t:       (0')'s quantiles q moved about the point ln L̂ to ln L̂ + k·(q − ln L̂), k = t_{(1+l)/2,ν} /
 *                z_{(1+l)/2} at level l, ν = max(1, m − p): m the fit set's runs, p the weighted mean of the
 *                members' free parameters (few runs: a wider interval); τ chosen jointly by the score;
 *  (2)  floor:   η's variance κ² + (τ·log10(1 + C/C_max))², κ ∈ KAPPAS and τ ∈ TAUS chosen jointly;
 *  (3)  empirical: an empirical prediction interval from the data set's own past forecast errors
 *                (Williams & Goodman 1971, "A simple method for the construction of empirical confidence
 *                limits for economic forecasts", JASA 66:752–754; Lee & Scholtes 2014, IJF 30:217–228):
 *                η's variance (λ·√(π/2)·s)² + (τ·log10(1 + C/C_max))², s the ensemble's rolling-origin
 *                back-test error (the weighted mean of its members' internal back-test scores, mean |ln
 *                err| of larger runs predicted from smaller ones; √(π/2) turns a mean absolute error into
 *                a normal σ); λ ∈ LAMBDAS and τ chosen jointly. Where the data are too few for that
 *                back-test (under 6 runs per fold: the Pythia cases), s = 0 and (3) is (0')'s form.
 * Score per case: the mean interval score of the 95 % interval (Gneiting & Raftery 2007, eq. 43), on ln L:
 *   (u − l) + (2/α)·(l − y)₊ + (2/α)·(y − u)₊, α = 0.05; and the case's coverage at 80 % and 95 %.
 *   Summary: the mean over the 12 real cases, each weighing equally (cs336-synthetic reported, not counted).
 * Choice, leave one dataset out: for each real case, each candidate's constants are chosen on the other 11
 *   (lowest mean score; (0) by its pooled rule), then the candidate with the lowest mean score on those 11
 *   (ties to the earlier in the list above); the held-out case is scored with that candidate and those
 *   constants. Switch from (0) only if one candidate is chosen in every fold AND its held-out mean score
 *   beats (0)'s by more than one standard error of the 12 paired per-case differences; else keep (0).
 *   The shipped interval (SHIPPED below) must be the rule's outcome with its constants chosen on all 12
 *   real cases; the script exits 1 when they differ.
 * Quantiles: 8,000 seeded draws per prediction (mixtureQuantiles, seed 0), as the library does.
 *
 * Scored once, as committed: no crash to fix; since then only comments changed (this paragraph, the npm
 * command above). (2) was chosen in every fold but beat (0) by less than one standard error, so (0) is
 * kept — docs/benchmark.md has the tables.
 */
import { mixtureQuantiles, EXTRAPOLATION_SCALE, type PredictiveComponent } from '../src/fit/candidate.js';
import { defaultAutoRule } from '../src/fit/auto.js';
import { studentTQuantile } from '../src/core/specialFunctions.js';
import { benchOptions, mixtureAt, prepareCases, ruleWeights, type CaseCache } from './extrapolationCases.js';

// Its tables have one form (no --markdown, which bench/extrapolation.ts reads).
const options = benchOptions(process.argv.slice(2), { markdown: false });
const { json, seed, only } = options;
const log = (s: string) => process.stderr.write(s + '\n');

const TAUS = [0, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02];
const KAPPAS = [0, 0.005, 0.01, 0.02, 0.03, 0.05];
const LAMBDAS = [0, 0.5, 1, 1.5, 2, 3];
const LEVELS = [0.8, 0.95] as const;
const ALPHA = 0.05;
const Z = { 0.8: 1.2815515655446004, 0.95: 1.959963984540054 };

type Family = 'today' | 'score' | 't' | 'floor' | 'empirical';
const families: { id: Family; label: string }[] = [
  { id: 'today', label: "(0) today's τ, pooled-coverage rule" },
  { id: 'score', label: "(0') today's form, τ by interval score" },
  { id: 't', label: '(1) small-sample t widening' },
  { id: 'floor', label: '(2) floor κ² + τ² term' },
  { id: 'empirical', label: '(3) empirical (own back-test error)' },
];
/** What the library ships: (0) with τ = EXTRAPOLATION_SCALE. */
const SHIPPED = { family: 'today' as Family, constants: { tau: EXTRAPOLATION_SCALE } };

interface Config {
  tau: number;
  kappa?: number;
  lambda?: number;
}
const configsOf = (f: Family): Config[] =>
  f === 'floor'
    ? KAPPAS.flatMap((kappa) => TAUS.map((tau) => ({ tau, kappa })))
    : f === 'empirical'
      ? LAMBDAS.flatMap((lambda) => TAUS.map((tau) => ({ tau, lambda })))
      : TAUS.map((tau) => ({ tau }));

interface CaseScore {
  /** Mean 95 % interval score on ln L. */
  score: number;
  inside: { 0.8: number; 0.95: number };
}

// ---- per prediction: the mixture once, its quantiles memoised by the normal term's σ ----------------
interface Prediction {
  center: number;
  actual: number;
  log10Ratio: number;
  components: PredictiveComponent[];
  quantiles: Map<number, number[]>;
}
interface CaseData {
  cache: CaseCache;
  predictions: Prediction[];
  /** ν = max(1, m − p) of candidate (1). */
  nu: number;
  /** s of candidate (3): the ensemble's back-test mean |ln err| (0 when not scored). */
  backtestError: number;
}
const PROBS = [0.1, 0.9, 0.025, 0.975];

function caseData(cache: CaseCache): CaseData {
  const weights = ruleWeights(cache, defaultAutoRule);
  let p = 0,
    s = 0,
    sWeight = 0;
  cache.candidates.forEach((c, k) => {
    if (!(weights[k] > 0) || c.failed) return;
    p += weights[k] * (c.free ?? 0);
    if (c.score !== undefined && Number.isFinite(c.score)) {
      s += weights[k] * c.score;
      sWeight += weights[k];
    }
  });
  const predictions = cache.targets.map((t, i) => {
    const { center, components } = mixtureAt(cache, weights, i);
    return {
      center,
      actual: Math.log(t.actual),
      log10Ratio: Math.log10(1 + t.ratioC),
      components,
      quantiles: new Map<number, number[]>(),
    };
  });
  return { cache, predictions, nu: Math.max(1, cache.fitRuns - p), backtestError: sWeight > 0 ? s / sWeight : 0 };
}

function quantilesAt(pred: Prediction, sd: number): number[] {
  let q = pred.quantiles.get(sd);
  if (!q) {
    q = mixtureQuantiles(pred.components, PROBS, sd, 8000, seed);
    pred.quantiles.set(sd, q);
  }
  return q;
}

const intervalScore = (lo: number, hi: number, y: number, alpha: number) =>
  hi - lo + (2 / alpha) * Math.max(0, lo - y) + (2 / alpha) * Math.max(0, y - hi);

function scoreCase(d: CaseData, f: Family, cfg: Config): CaseScore {
  const inside = { 0.8: 0, 0.95: 0 };
  let total = 0;
  for (const pred of d.predictions) {
    const eta = cfg.tau * pred.log10Ratio;
    const floor =
      f === 'floor'
        ? (cfg.kappa ?? 0)
        : f === 'empirical'
          ? (cfg.lambda ?? 0) * Math.sqrt(Math.PI / 2) * d.backtestError
          : 0;
    const q = quantilesAt(pred, Math.sqrt(floor * floor + eta * eta));
    LEVELS.forEach((level, j) => {
      let lo = q[2 * j],
        hi = q[2 * j + 1];
      if (f === 't') {
        const k = studentTQuantile((1 + level) / 2, d.nu) / Z[level];
        lo = pred.center + k * (lo - pred.center);
        hi = pred.center + k * (hi - pred.center);
      }
      if (pred.actual >= lo && pred.actual <= hi) inside[level]++;
      if (level === 0.95) total += intervalScore(lo, hi, pred.actual, ALPHA);
    });
  }
  return { score: total / d.predictions.length, inside };
}

// ---- run ---------------------------------------------------------------------------------------
const started = performance.now();
const data = prepareCases(options, log).map(caseData);
const realIdx = data.map((d, i) => (d.cache.c.spec.real ? i : -1)).filter((i) => i >= 0);
log(`scoring ${families.length} candidates (${((performance.now() - started) / 1000).toFixed(0)} s)`);

/** table[family][config][case] */
const table = families.map((f) => configsOf(f.id).map((cfg) => data.map((d) => scoreCase(d, f.id, cfg))));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanScore = (scores: CaseScore[], subset: number[]) => mean(subset.map((i) => scores[i].score));
const pooled95 = (scores: CaseScore[], subset: number[]) =>
  subset.reduce((a, i) => a + scores[i].inside[0.95], 0) / subset.reduce((a, i) => a + data[i].predictions.length, 0);

/** The config a family would use, chosen on a subset of the real cases. */
function chooseConfig(fi: number, subset: number[]): number {
  const rows = table[fi];
  if (families[fi].id === 'today')
    return rows.reduce(
      (best, r, c) =>
        Math.abs(pooled95(r, subset) - 0.95) < Math.abs(pooled95(rows[best], subset) - 0.95) - 1e-12 ? c : best,
      0,
    );
  return rows.reduce((best, r, c) => (meanScore(r, subset) < meanScore(rows[best], subset) - 1e-12 ? c : best), 0);
}
/** Each family's config on a subset, and the family with the lowest mean score there. */
function chooseOn(subset: number[]) {
  const configs = families.map((_, fi) => chooseConfig(fi, subset));
  const fam = families.reduce(
    (best, _, fi) =>
      meanScore(table[fi][configs[fi]], subset) < meanScore(table[best][configs[best]], subset) - 1e-12 ? fi : best,
    0,
  );
  return { configs, family: fam };
}

// Folds over the real cases; the synthetic case is scored with the choice made on all real cases.
const onAll = chooseOn(realIdx);
const folds = data.map((_, i) => chooseOn(realIdx.filter((j) => j !== i)));
/** Held-out score of family fi on case i, its constants chosen without i. */
const heldOut = (fi: number, i: number) => table[fi][folds[i].configs[fi]][i];
const chosenHeldOut = (i: number) => heldOut(folds[i].family, i);

const familyHeldOut = families.map((f, fi) => ({
  candidate: f.label,
  meanScore: mean(realIdx.map((i) => heldOut(fi, i).score)),
  inside80: realIdx.reduce((a, i) => a + heldOut(fi, i).inside[0.8], 0),
  inside95: realIdx.reduce((a, i) => a + heldOut(fi, i).inside[0.95], 0),
  casesAllInside95: realIdx.filter((i) => heldOut(fi, i).inside[0.95] === data[i].predictions.length).length,
}));

const chosenFamilies = new Set(realIdx.map((i) => folds[i].family));
const unanimous = chosenFamilies.size === 1 ? [...chosenFamilies][0] : undefined;
const paired = (fi: number) => {
  const diffs = realIdx.map((i) => heldOut(fi, i).score - heldOut(0, i).score);
  const m = mean(diffs);
  const sd = Math.sqrt(diffs.reduce((a, x) => a + (x - m) ** 2, 0) / (diffs.length - 1));
  return { meanDifference: m, standardError: sd / Math.sqrt(diffs.length) };
};
const winner = unanimous;
const winnerPaired = winner !== undefined && winner !== 0 ? paired(winner) : undefined;
const switchTo =
  winner !== undefined && winner !== 0 && winnerPaired && winnerPaired.meanDifference < -winnerPaired.standardError
    ? winner
    : 0;
const decidedConfig = configsOf(families[switchTo].id)[onAll.configs[switchTo]];
const agrees =
  families[switchTo].id === SHIPPED.family && JSON.stringify(decidedConfig) === JSON.stringify(SHIPPED.constants);
/** The candidate whose per-case coverage is shown beside (0): the winner, or else the best held-out other. */
const shown =
  switchTo !== 0
    ? switchTo
    : (winner ?? familyHeldOut.reduce((b, f, fi) => (fi > 0 && f.meanScore < familyHeldOut[b].meanScore ? fi : b), 1));

const caseRows = data.map((d, i) => ({
  case: d.cache.c.spec.id,
  real: d.cache.c.spec.real,
  heldOut: d.predictions.length,
  nu: d.nu,
  backtestError: d.backtestError,
  chosen: {
    candidate: families[folds[i].family].label,
    constants: configsOf(families[folds[i].family].id)[folds[i].configs[folds[i].family]],
  },
  candidates: families.map((f, fi) => ({
    candidate: f.label,
    constants: configsOf(f.id)[folds[i].configs[fi]],
    ...heldOut(fi, i),
  })),
}));

if (json) {
  process.stdout.write(
    JSON.stringify(
      {
        replicates: options.replicates,
        seed,
        grids: { taus: TAUS, kappas: KAPPAS, lambdas: LAMBDAS },
        cases: caseRows,
        summary: familyHeldOut,
        choiceHeldOutMeanScore: mean(realIdx.map((i) => chosenHeldOut(i).score)),
        chosenInFolds: realIdx.map((i) => ({
          case: data[i].cache.c.spec.id,
          candidate: families[folds[i].family].label,
        })),
        unanimous: winner === undefined ? null : families[winner].label,
        paired: winnerPaired ?? null,
        pairedAll: families.map((f, fi) => ({ candidate: f.label, ...paired(fi) })),
        decision: switchTo === 0 ? 'keep (0)' : `switch to ${families[switchTo].label}`,
        chosenOnAll: {
          candidate: families[onAll.family].label,
          constants: families.map((f, fi) => ({ candidate: f.label, ...configsOf(f.id)[onAll.configs[fi]] })),
        },
        shipped: SHIPPED,
        agrees,
        seconds: (performance.now() - started) / 1000,
      },
      null,
      2,
    ) + '\n',
  );
} else {
  const out: string[] = [];
  const fmt = (x: number) => x.toFixed(4);
  out.push(
    `Interval back-test: mean 95 % interval score on ln L (Gneiting & Raftery 2007) per case, (held-out runs inside the 80 %, the 95 % interval); each candidate's constants chosen on the other real cases. ${options.replicates} replicates, seed ${seed}.`,
  );
  out.push('');
  out.push(['case', 'runs', 'ν', 's', ...families.map((f) => f.label)].join(' | '));
  data.forEach((d, i) =>
    out.push(
      [
        `${d.cache.c.spec.id}${d.cache.c.spec.real ? '' : ' (synthetic, not counted)'}`,
        String(d.predictions.length),
        d.nu.toFixed(1),
        d.backtestError.toFixed(4),
        ...families.map((_, fi) => {
          const s = heldOut(fi, i);
          return `${fmt(s.score)} (${s.inside[0.8]}, ${s.inside[0.95]})`;
        }),
      ].join(' | '),
    ),
  );
  out.push('');
  out.push(`Over the ${realIdx.length} real cases, held out (each case weighs equally):`);
  familyHeldOut.forEach((f, fi) => {
    const p = paired(fi);
    out.push(
      `  ${f.candidate.padEnd(42)} mean score ${fmt(f.meanScore)}${fi ? `, vs (0) ${p.meanDifference >= 0 ? '+' : ''}${fmt(p.meanDifference)} ± ${fmt(p.standardError)}` : ''}; inside 80 % ${f.inside80}, 95 % ${f.inside95} of ${realIdx.reduce((a, i) => a + data[i].predictions.length, 0)}; cases all inside at 95 %: ${f.casesAllInside95}`,
    );
  });
  out.push(
    `  the choice itself (candidate and constants chosen per fold)  mean score ${fmt(mean(realIdx.map((i) => chosenHeldOut(i).score)))}`,
  );
  out.push('');
  out.push('Chosen on the other real cases, per case (candidate, constants):');
  for (const r of caseRows) out.push(`  ${r.case}: ${r.chosen.candidate} ${JSON.stringify(r.chosen.constants)}`);
  out.push('');
  out.push(
    `Chosen on all real cases: ${families[onAll.family].label}; constants ${families.map((f, fi) => `${f.id} ${JSON.stringify(configsOf(f.id)[onAll.configs[fi]])}`).join(', ')}`,
  );
  out.push(
    `Decision: ${winner === undefined ? 'no candidate chosen in every fold' : `${families[winner].label} chosen in every fold${winnerPaired ? `, held-out difference ${fmt(winnerPaired.meanDifference)} ± ${fmt(winnerPaired.standardError)} (SE)` : ''}`} → ${switchTo === 0 ? 'keep (0)' : `switch to ${families[switchTo].label}`} ${JSON.stringify(decidedConfig)}; shipped ${SHIPPED.family} ${JSON.stringify(SHIPPED.constants)}${agrees ? ' (they agree)' : ' — THEY DIFFER'}`,
  );
  out.push('');
  out.push(`Per-case coverage, (0) and ${families[shown].label}, held out (inside 80 % / inside 95 % of held out):`);
  for (const i of realIdx) {
    const a = heldOut(0, i),
      b = heldOut(shown, i);
    out.push(
      `  ${data[i].cache.c.spec.id.padEnd(26)} ${String(data[i].predictions.length).padStart(3)}: (0) ${a.inside[0.8]} / ${a.inside[0.95]}   ${families[shown].id} ${b.inside[0.8]} / ${b.inside[0.95]}`,
    );
  }
  out.push(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  process.stdout.write(out.join('\n') + '\n');
}
if (!agrees && !only) process.exitCode = 1;
