import type { Command } from 'commander';
import { loadWorld } from '../../lab/loadWorld.js';
import { optimum, simulate, truth } from '../../lab/simulate.js';
import { createLabServer } from '../../server/labServer.js';
import { readText } from '../../io/readRuns.js';
import { InputError, UsageError } from '../../errors/index.js';
import { formatNumber } from '../../core/format.js';
import { parseInteger, parseQuantity } from '../options.js';
import { printJson } from '../output.js';

type Run = (fn: () => Promise<void>, json?: boolean) => Promise<void>;

/** A configuration from a file or inline JSON. */
function readConfig(value: string): Record<string, unknown> {
  const text = value.trim().startsWith('{') ? value : readText(value);
  const source = value.trim().startsWith('{') ? '--config' : value;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InputError({ file: source }, `malformed JSON: expected a training config such as {"n_layer": 4, "d_model": 256, "n_heads": 4, "tokens": 5e8, "batch_tokens": 65536, "learning_rate": 0.003} (${(e as Error).message})`);
  }
}

export function registerLab(program: Command, run: Run): void {
  const lab = program.command('lab').description('the simulated training lab: its ground truth, its optimum, and its training API');
  lab
    .command('truth')
    .description('noise-free final loss of a configuration in a world, and the quantities behind it')
    .requiredOption('--config <json|file>', 'training config: n_layer, d_model, n_heads, tokens, batch_tokens, learning_rate [, parametrization, seed, n_evals]')
    .option('--world <file>', 'world file (default: worlds/default.json)')
    .option('--json', 'print JSON')
    .action(async (f: { config: string; world?: string; json?: boolean }) =>
      run(async () => {
        const world = loadWorld(f.world);
        const config = readConfig(f.config);
        const t = truth(world, config as never);
        const sim = simulate(world, config as never);
        const out = { world: world.name, config: sim.config, truth: t, observed: { status: sim.status, finalLoss: sim.finalLoss, reason: sim.reason }, cost: { seconds: sim.seconds, hours: sim.seconds / 3600, flops: sim.flops, mfu: sim.mfu } };
        if (f.json) return printJson(out);
        process.stdout.write(
          [
            `world "${world.name}": N = ${formatNumber(t.N, 4)} non-embedding parameters, D = ${formatNumber(sim.D, 4)} tokens`,
            `true final loss ${formatNumber(t.loss, 6)}${t.diverged ? ' — but the run diverges (learning rate too high)' : ''}`,
            `  learning-rate optimum ${formatNumber(t.lrOptimum, 4)} (factor ${formatNumber(t.lrFactor, 5)}), critical batch ${formatNumber(t.criticalBatch, 4)} tokens (effective tokens ${formatNumber(t.effectiveTokens, 4)}), shape factor ${formatNumber(t.shapeFactor, 5)}`,
            `observed (with seed noise): ${sim.status === 'completed' ? formatNumber(sim.finalLoss, 6) : sim.reason}`,
            `cost: ${(sim.seconds / 3600).toFixed(3)} h on ${world.hardware.name} at MFU ${sim.mfu.toFixed(3)} (${formatNumber(sim.flops, 4)} FLOPs)`,
          ].join('\n') + '\n',
        );
      }, f.json),
    );
  lab
    .command('optimum')
    .description('the true best configuration for a time budget on the world\'s hardware (searched over the world\'s own law)')
    .option('--budget-hours <h>', 'accelerator hours')
    .option('--budget <h>', 'the same: accelerator hours')
    .option('--world <file>', 'world file (default: worlds/default.json)')
    .option('--json', 'print JSON')
    .action(async (f: { budgetHours?: string; budget?: string; world?: string; json?: boolean }) =>
      run(async () => {
        if ((f.budgetHours === undefined) === (f.budget === undefined)) throw new UsageError('lab optimum needs the budget in accelerator hours: --budget-hours H (or --budget H), once');
        const hours = f.budgetHours ?? f.budget!;
        const world = loadWorld(f.world);
        const o = optimum(world, parseQuantity(hours, f.budgetHours !== undefined ? '--budget-hours' : '--budget') * 3600);
        if (f.json) return printJson({ world: world.name, ...o });
        process.stdout.write(
          `world "${world.name}", ${hours} h: best loss ${formatNumber(o.loss, 6)} with ${o.config.n_layer} layers × d_model ${o.config.d_model} (N = ${formatNumber(o.N, 4)}), ${formatNumber(o.D, 4)} tokens (${formatNumber(o.D / o.N, 3)} per parameter), batch ${o.config.batch_tokens} tokens, learning rate ${o.config.learning_rate} (muP)\n`,
        );
      }, f.json),
    );
  lab
    .command('serve')
    .description('serve the simulated lab over HTTP with the CS336 training API (POST /submit, GET /budget, …)')
    .option('--world <file>', 'world file (default: worlds/default.json)')
    .option('--budget-hours <h>', 'accelerator-hour budget of the API', '12')
    .option('--port <port>', 'port (0 picks a free one)', '8000')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--api-key <key>', 'API key clients must send in x-api-key (default: $SCALELAB_API_KEY or a random one, printed)')
    .option('--speed <x>', 'simulated seconds per real second', '3600')
    .option('--slots <n>', 'experiments that run at once', '8')
    .option('--json', 'print the address and key as JSON when listening')
    .action(async (f: { world?: string; budgetHours: string; port: string; host: string; apiKey?: string; speed: string; slots: string; json?: boolean }) =>
      run(async () => {
        const world = loadWorld(f.world);
        const lab = createLabServer({
          world,
          budgetSeconds: parseQuantity(f.budgetHours, '--budget-hours') * 3600,
          apiKey: f.apiKey ?? process.env.SCALELAB_API_KEY,
          speed: parseQuantity(f.speed, '--speed'),
          slots: parseInteger(f.slots, '--slots', 1),
        });
        const { port, host } = await lab.listen(parseInteger(f.port, '--port', 0), f.host);
        const url = `http://${host}:${port}`;
        if (f.json) printJson({ url, apiKey: lab.apiKey, world: world.name, budgetHours: Number(f.budgetHours) });
        else process.stderr.write(`lab API for world "${world.name}" at ${url} (budget ${f.budgetHours} h, speed ×${f.speed}); API key: ${lab.apiKey}\n`);
        await new Promise<void>((resolve) => {
          for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => void lab.close().then(resolve));
        });
      }, f.json),
    );
}
