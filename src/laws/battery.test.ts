/**
 * The law battery: every registered law — and the toy law this file registers, to show that adding a
 * law touches one file — passes the same checks, looping over the registry: the analytic gradient
 * against finite differences, recovery of its example parameters from synthetic runs, the JSON round
 * trip of a fit (fitToJson → loadFit → the same predictions), a bootstrap in worker threads giving
 * the serial replicates, and every preset matching its law's parameters.
 *
 * A worker thread rebuilds a law registered outside laws/index.ts by importing the module that
 * registers it (`module`): here, this file. The tests therefore run only in the main thread.
 */
import { isMainThread } from 'node:worker_threads';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  choiceOf,
  getLaw,
  lawDefinitions,
  lawIds,
  predictLoss,
  rebuildable,
  registerLaw,
  thetaFromValues,
  typicalRanges,
  variableOption,
  type Law,
  type LawChoice,
  type LawDefinition,
  type LawInputs,
  type LawVariable,
  type Point,
} from './index.js';
import { fit } from '../fit/fit.js';
import { fitToJson, loadFit } from '../fit/summary.js';
import { bootstrapParallel } from '../node/parallel.js';
import { lawPresets } from '../presets/laws.js';
import { lawRuns } from '../../test/helpers/synthetic.js';

/**
 * The toy law: a saturating power law, L = E·(1 + (x₀/x)^α), fitted as
 * ln L = ln E + softplus(α·(ln x₀ − ln x)). Everything it needs is here.
 */
function toyLaw(variable: LawVariable): Law {
  const key = `log${variable}` as const;
  const [lo] = typicalRanges[variable];
  return {
    id: 'toy-saturating',
    options: { x: variable },
    title: `saturating power law in ${variable} (a test's toy)`,
    formula: `L = E·(1 + (${variable}₀/${variable})^α)`,
    citation: 'laws/battery.test.ts',
    inputs: [variable],
    params: [
      { name: 'E', symbol: 'E', description: 'irreducible loss', scale: 'log', grid: [-1, 0, 1], role: 'irreducible' },
      {
        name: 'x0',
        symbol: `${variable}₀`,
        description: 'where the loss is twice its floor',
        scale: 'log',
        grid: [5, 15, 25, 35, 45],
        role: 'scale',
        of: variable,
      },
      {
        name: 'alpha',
        symbol: 'α',
        description: 'exponent',
        scale: 'linear',
        grid: [0.1, 0.3, 1],
        role: 'exponent',
        of: variable,
      },
    ],
    example: { params: { E: 1.7, x0: 10 * lo, alpha: 0.3 }, ranges: { [variable]: typicalRanges[variable] } },
    logPredict(theta: Float64Array, x: LawInputs, out: Float64Array, jac: Float64Array | null): void {
      const lx = x[key]!;
      for (let i = 0; i < x.n; i++) {
        const u = theta[1] - lx[i],
          z = theta[2] * u;
        out[i] = theta[0] + (z > 30 ? z : Math.log1p(Math.exp(z)));
        if (jac) {
          const sigmoid = 1 / (1 + Math.exp(-z));
          jac[i * 3] = 1;
          jac[i * 3 + 1] = theta[2] * sigmoid;
          jac[i * 3 + 2] = u * sigmoid;
        }
      }
    },
  };
}

const toy: LawDefinition = {
  id: 'toy-saturating',
  title: 'saturating power law (toy)',
  options: { x: variableOption },
  make: (o) => toyLaw(o.x!),
  module: import.meta.url,
};
registerLaw(toy);

/**
 * The choices the battery tries for each law: its defaults, and with options one choice with every
 * option off its default (bnsl in D with no break; power laws in D), where a lost option shows.
 */
function batteryChoices(definition: LawDefinition): LawChoice[] {
  const choices: LawChoice[] = [{ law: definition.id }];
  const options = Object.entries(definition.options ?? {});
  if (options.length) {
    const other: Record<string, unknown> = { law: definition.id };
    for (const [key, spec] of options) other[key] = (spec.values as readonly unknown[]).find((v) => v !== spec.default);
    choices.push(other as unknown as LawChoice);
  }
  return choices;
}

/** Points of the synthetic runs, and one a decade past the largest of each input (an extrapolation). */
function pointsOf(law: Law, runs: Point[]): Point[] {
  const beyond: Point = {};
  for (const v of law.inputs) beyond[v] = 10 * Math.max(...runs.map((r) => r[v] as number));
  if (beyond.N !== undefined && beyond.D !== undefined) beyond.C = 6 * beyond.N * beyond.D;
  return [...runs, beyond];
}

function inputsOf(law: Law, points: Point[]): LawInputs {
  const x: LawInputs = { n: points.length };
  for (const v of law.inputs) x[`log${v}`] = Float64Array.from(points, (p) => Math.log(p[v] as number));
  return x;
}

if (isMainThread) {
  test('the registry lists the toy law registered by this file alone, after the built-in laws', () => {
    assert.deepEqual(lawIds.slice(0, 6), ['chinchilla', 'kaplan-nd', 'power', 'power0', 'data-constrained', 'bnsl']);
    assert.equal(lawIds[lawIds.length - 1], 'toy-saturating');
    assert.equal(getLaw({ law: 'toy-saturating', x: 'C' }).inputs[0], 'C');
    assert.throws(() => registerLaw(toy), /already registered/);
  });

  for (const definition of lawDefinitions()) {
    for (const choice of batteryChoices(definition)) {
      const law = getLaw(choice);
      const name = JSON.stringify(choice);
      test(`battery ${name}`, { timeout: 300_000 }, async (t) => {
        const example = law.example;
        await t.test('has an example covering its inputs and parameters', () => {
          assert.ok(example, `law ${law.id} has no example: add one (a typical parameter set and its input ranges)`);
          for (const v of law.inputs) assert.ok(example.ranges[v], `example of ${law.id} has no range for ${v}`);
          assert.deepEqual(Object.keys(example.params).sort(), law.params.map((p) => p.name).sort());
        });
        const data = lawRuns({ law, n: 60, seed: 1 });
        const points = pointsOf(law, data.runs);

        await t.test('rebuilds itself from its choice', () => {
          assert.deepEqual(choiceOf(law), choiceOf(getLaw(choiceOf(law))));
          assert.ok(rebuildable(law));
        });

        await t.test('analytic gradient of ln L̂ matches central differences', () => {
          const x = inputsOf(law, points);
          const theta = thetaFromValues(law, example!.params),
            p = theta.length;
          const out = new Float64Array(x.n),
            jac = new Float64Array(x.n * p);
          law.logPredict(theta, x, out, jac);
          for (let j = 0; j < p; j++) {
            const h = 1e-6 * Math.max(1, Math.abs(theta[j]));
            const up = Float64Array.from(theta),
              dn = Float64Array.from(theta);
            up[j] += h;
            dn[j] -= h;
            const fu = new Float64Array(x.n),
              fd = new Float64Array(x.n);
            law.logPredict(up, x, fu, null);
            law.logPredict(dn, x, fd, null);
            for (let i = 0; i < x.n; i++) {
              const numeric = (fu[i] - fd[i]) / (2 * h);
              assert.ok(
                Math.abs(numeric - jac[i * p + j]) < 1e-5 * Math.max(1, Math.abs(numeric)),
                `∂/∂${law.params[j].name} at point ${i}: ${jac[i * p + j]} vs ${numeric}`,
              );
            }
          }
        });

        const result = fit(law, data);
        await t.test('recovers its example parameters from noise-free runs', () => {
          assert.ok(result.converged, result.reason);
          for (const p of law.params) {
            const truth = example!.params[p.name];
            assert.ok(
              Math.abs(result.params[p.name] / truth - 1) < 1e-5,
              `${p.name}: fitted ${result.params[p.name]}, true ${truth}`,
            );
          }
        });

        await t.test('JSON round trip: a saved fit reloads the same law and predicts the same losses', () => {
          const json = JSON.parse(JSON.stringify(fitToJson(result)));
          const loaded = loadFit(JSON.stringify(json), 'fit.json');
          assert.deepEqual(choiceOf(loaded.law), choiceOf(law));
          assert.equal(loaded.law.formula, law.formula);
          for (const point of points)
            assert.equal(predictLoss(loaded.law, loaded.params, point), predictLoss(law, result.params, point));
        });

        await t.test('a bootstrap in two worker threads gives the serial replicates', async () => {
          // 64 replicates: below that, bootstrapParallel stays in the main thread.
          const serial = await bootstrapParallel(result, {}, 64, 7, { threads: 1 });
          const threaded = await bootstrapParallel(result, {}, 64, 7, { threads: 2 });
          assert.equal(
            serial.converged.reduce((a, b) => a + b, 0),
            64,
            'every serial replicate converged',
          );
          assert.deepEqual(Array.from(threaded.values), Array.from(serial.values));
          assert.deepEqual(Array.from(threaded.converged), Array.from(serial.converged));
        });
      });
    }
  }

  test('every preset names a registered law, gives exactly its parameters, and counts N as the law does', () => {
    for (const preset of lawPresets) {
      const law = getLaw(preset.law);
      assert.deepEqual(Object.keys(preset.params).sort(), law.params.map((p) => p.name).sort(), `preset ${preset.id}`);
      for (const [name, v] of Object.entries(preset.params))
        assert.ok(Number.isFinite(v), `preset ${preset.id}: ${name} = ${v}`);
      const nonEmbedding = /non-embedding/.test(preset.note);
      assert.equal(
        law.nConvention === 'non-embedding',
        nonEmbedding,
        `preset ${preset.id} (${preset.note}) and law ${law.id} (N convention ${law.nConvention ?? 'all'})`,
      );
    }
  });
}
