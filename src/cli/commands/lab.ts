import type { Command } from 'commander';
import { loadWorld } from '../../lab/loadWorld.js';
import { optimum, simulate, truth } from '../../lab/simulate.js';
import { join } from 'node:path';
import { createLabServer } from '../../server/labServer.js';
import { defaultLabBudgetHours, LabState } from '../../server/labState.js';
import { readText } from '../../io/readRuns.js';
import { parseJsonText } from '../../io/parseJson.js';
import { trainingConfigSchema } from '../../lab/world.js';
import { unknownName } from '../../core/names.js';
import { InputError, UsageError } from '../../errors/index.js';
import { parseInteger, parseQuantity } from '../options.js';
import { flag } from '../flags.js';
import { exposedServerWarning, listenError, printJson, writeStdout } from '../output.js';
import { labOptimumReport, labTruthReport } from '../../report/text/lab.js';
import { stopServerOnInterrupt } from '../interrupt.js';
import type { Run } from '../output.js';

/**
 * A configuration from a file or inline JSON. A field the lab does not know is refused: the lab would
 * otherwise answer for the default in its place ("parametrisation": "mup" gave standard
 * parametrisation's loss, with nothing said).
 */
function readConfig(value: string): Record<string, unknown> {
  const text = value.trim().startsWith('{') ? value : readText(value, 'a training config: inline JSON or a JSON file');
  const source = value.trim().startsWith('{') ? '--config' : value;
  const config = parseJsonText(
    text,
    source,
    'a training config such as {"n_layer": 4, "d_model": 256, "n_heads": 4, "tokens": 5e8, "batch_tokens": 65536, "learning_rate": 0.003}',
  ) as Record<string, unknown>;
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new InputError({ file: source }, 'expected a training config: a JSON object of fields');
  const fields = Object.keys(trainingConfigSchema.shape);
  for (const key of Object.keys(config))
    if (!fields.includes(key))
      throw new InputError(
        { file: source },
        `unknown field "${key}" in the training config; ${unknownName(key, fields, fields.length, 'its fields are')}`,
      );
  return config;
}

export function registerLab(program: Command, run: Run): void {
  const lab = program
    .command('lab')
    .description('the simulated training lab: its ground truth, its optimum, and its training API');
  lab
    .command('truth')
    .description('noise-free final loss of a configuration in a world, and the quantities behind it')
    .requiredOption(
      '--config <json|file>',
      'training config: n_layer, d_model, n_heads, tokens, batch_tokens, learning_rate [, parametrization, seed, n_evals]',
    )
    .addOption(flag('world', { detail: 'default: worlds/default.json' }))
    .addOption(flag('json'))
    .action(async (f: { config: string; world?: string; json?: boolean }) =>
      run(async () => {
        const world = loadWorld(f.world);
        const config = readConfig(f.config);
        const t = truth(world, config as never);
        const sim = simulate(world, config as never);
        const out = {
          world: world.name,
          config: sim.config,
          truth: t,
          observed: { status: sim.status, finalLoss: sim.finalLoss, reason: sim.reason },
          cost: { seconds: sim.seconds, hours: sim.seconds / 3600, flops: sim.flops, mfu: sim.mfu },
        };
        if (f.json) return printJson(out);
        writeStdout(labTruthReport(world, t, sim));
      }, f.json),
    );
  lab
    .command('optimum')
    .description(
      "the true best configuration for a time budget on the world's hardware (searched over the world's own law)",
    )
    .addOption(flag('budget-hours'))
    .option('--budget <h>', 'the same: accelerator hours')
    .addOption(flag('world', { detail: 'default: worlds/default.json' }))
    .addOption(flag('json'))
    .action(async (f: { budgetHours?: string; budget?: string; world?: string; json?: boolean }) =>
      run(async () => {
        if ((f.budgetHours === undefined) === (f.budget === undefined))
          throw new UsageError(
            'lab optimum needs the budget in accelerator hours: --budget-hours H (or --budget H), once',
          );
        const hours = f.budgetHours ?? f.budget!;
        const world = loadWorld(f.world);
        const o = optimum(
          world,
          parseQuantity(hours, f.budgetHours !== undefined ? '--budget-hours' : '--budget', { unit: 'hours' }) * 3600,
        );
        if (f.json) return printJson({ world: world.name, ...o });
        writeStdout(labOptimumReport(world, hours, o));
      }, f.json),
    );
  lab
    .command('serve')
    .description(
      'serve the simulated lab over HTTP with the CS336 training API (POST /submit, GET /budget, …); it resumes after a restart',
    )
    .addOption(flag('world', { detail: "default: a resumed lab's own, else worlds/default.json" }))
    .addOption(
      flag('budget-hours', { detail: `of the API (default: a resumed lab's own, else ${defaultLabBudgetHours})` }),
    )
    .addOption(flag('port', { default: '8000' }))
    .addOption(flag('host', { default: '127.0.0.1' }))
    .addOption(
      flag('api-key', {
        detail: "clients must send it (default: $SCALELAB_API_KEY, a resumed lab's own, or a random one, printed)",
      }),
    )
    .option('--speed <x>', 'simulated seconds per real second', '3600')
    .option('--slots <n>', 'experiments that run at once', '8')
    .option(
      '--state <file>',
      'file that keeps the lab (budget spent, experiments, final submission) across restarts (default: .scalelab/lab-PORT.db; with --port 0, none unless given)',
    )
    .option(
      '--reset',
      'start a new lab on the state file, forgetting its experiments and budget spent (ids keep counting up)',
    )
    .addOption(flag('json', { detail: 'here the address, key, state file and what was resumed, when listening' }))
    .addHelpText(
      'after',
      `
The lab is kept in a state file (SQLite), written in one transaction per change, so a server that
is stopped or killed (even kill -9) and started again on the same file resumes it: the same budget
spent, the same experiments with their ids (a new one never reuses an id), the same final
submission, and a configuration already submitted is still a 409. The lab's clock kept running
while no server was up, so experiments in flight finish when they would have, charged once.
On resume:
  --world, --budget-hours  must be the lab's own (or left out): a lab is one world and one budget;
                           anything else is refused, unless --reset starts a new lab on the file
  --api-key                replaces the stored key (left out, clients keep using the old one)
  --speed, --slots         apply from now on (experiments already scheduled keep their times)
One server per state file: a second is refused while the first runs.
Examples:
  scalelab lab serve --budget-hours 12 --port 8000     # state in .scalelab/lab-8000.db
  scalelab lab serve --port 8000                       # after a restart: carries on
  scalelab lab serve --port 8000 --reset --budget-hours 24 --world worlds/default.json`,
    )
    .action(
      async (f: {
        world?: string;
        budgetHours?: string;
        port: string;
        host: string;
        apiKey?: string;
        speed: string;
        slots: string;
        state?: string;
        reset?: boolean;
        json?: boolean;
      }) =>
        run(async () => {
          const port = parseInteger(f.port, '--port', 0);
          if (port > 65535) throw new UsageError(`--port: expected at most 65535, got ${port}`);
          const speed = parseQuantity(f.speed, '--speed');
          const slots = parseInteger(f.slots, '--slots', 1);
          // A server on a port picked at random cannot be found again after a restart: it keeps nothing unless asked to.
          const statePath = f.state ?? (port === 0 ? ':memory:' : join('.scalelab', `lab-${port}.db`));
          const state = LabState.open(statePath, {
            world: f.world !== undefined ? loadWorld(f.world) : undefined,
            worldSource: f.world,
            budgetSeconds:
              f.budgetHours !== undefined
                ? parseQuantity(f.budgetHours, '--budget-hours', { unit: 'hours' }) * 3600
                : undefined,
            apiKey: f.apiKey ?? (process.env.SCALELAB_API_KEY || undefined),
            reset: f.reset,
          });
          let address: { port: number; host: string };
          const lab = createLabServer({ state, speed, slots });
          try {
            address = await lab.listen(port, f.host);
          } catch (e) {
            state.close();
            throw listenError(f.host, port, e);
          }
          const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
          const exposed = exposedServerWarning(
            f.host,
            address.port,
            "anyone who can reach it and has the API key spends the lab's budget (plain HTTP: the key crosses the network unencrypted)",
          );
          if (exposed) process.stderr.write(exposed);
          const world = state.world;
          const budgetHours = state.budgetSeconds / 3600;
          const kept = statePath === ':memory:' ? null : statePath;
          const resumed = state.resumed
            ? { experiments: state.resumed.experiments, finalSubmission: state.resumed.finalSubmission }
            : null;
          if (f.json) printJson({ url, apiKey: lab.apiKey, world: world.name, budgetHours, state: kept, resumed });
          else {
            const where =
              kept === null
                ? 'state kept in memory only'
                : resumed
                  ? `resumed from ${kept}: ${resumed.experiments} experiment${resumed.experiments === 1 ? '' : 's'}${resumed.finalSubmission ? ', a final submission' : ''}`
                  : `state in ${kept}`;
            process.stderr.write(
              `lab API for world "${world.name}" at ${url} (budget ${budgetHours} h, speed ×${f.speed}; ${where}); API key: ${lab.apiKey}\n`,
            );
          }
          await new Promise<void>((resolve) => {
            // Ctrl-C or SIGTERM closes the server and the command returns; a second one ends it at once.
            stopServerOnInterrupt(() => void lab.close().then(resolve));
          });
        }, f.json),
    );
}
