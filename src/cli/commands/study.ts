import type { Command } from 'commander';
import { runStudy } from '../../experiments/study.js';
import { storeExecutor } from '../../experiments/runner.js';
import { studyJson, studyReport, studySummary, type StudySummary } from '../../experiments/studyReport.js';
import { studyHtml } from '../../report/studyHtml.js';
import { provenance, provenanceLines } from '../provenance.js';
import { defaultStorePath } from '../../store/store.js';
import { fitToJson } from '../../fit/summary.js';
import { parseInteger, parseQuantity, parseReplicates } from '../options.js';
import { checkOutput, printJson, writeOutput, writeStdout } from '../output.js';
import { flag } from '../flags.js';
import { commandFlagNamer } from '../optionFlags.js';
import {
  addBackendFlags,
  designFlags,
  makeBackend,
  openStudy,
  storeBusyNotice,
  unreachableWait,
  warnBudgetShort,
  studyPlanFlags,
  type BackendFlags,
} from '../backendFlags.js';
import { takeStudyForSweep } from './sweep.js';
import { betweenSteps } from '../interrupt.js';
import type { Run } from '../output.js';

export function registerStudy(program: Command, run: Run): void {
  const study = program.command('study').description('the whole loop: plan, run, fit, recommend, report');
  addBackendFlags(
    study
      .command('run')
      .description(
        'plan small experiments within a budget, run them, fit (Approaches 2 and 3) and recommend the target run',
      )
      .addOption(flag('target-hours', { default: '48' }))
      .addOption(flag('experiment-hours', { default: '12' }))
      .option('--progressive', "scale up in two stages, the second centred on the first stage's fit")
      .option('--verify', 'also train the recommended configuration and compare its loss with the prediction')
      .addOption(flag('study', { detail: 'rerun with the same name and flags to resume', default: 'default' }))
      .addOption(flag('extend'))
      .addOption(flag('db', { default: defaultStorePath }))
      .addOption(flag('bootstrap', { default: '200' }))
      .addOption(flag('seed', { default: '0' }))
      .addOption(flag('out', { detail: 'the report: .html (self-contained, with figures) or Markdown' }))
      .addOption(flag('json')),
    { waitsForRuns: true },
  )
    .addHelpText(
      'after',
      `
Examples:
  scalelab study run --backend sim --target-hours 48 --experiment-hours 12
  scalelab study run --backend api --url http://127.0.0.1:8000 --api-key KEY --gpu b200
  scalelab study run --backend local --command "python examples/trainers/train.py --layers {n_layer} --d-model {d_model} --tokens {tokens} --lr {lr} --out {run_dir}"`,
    )
    .action(
      async (
        f: BackendFlags & {
          targetHours: string;
          experimentHours: string;
          progressive?: boolean;
          verify?: boolean;
          extend?: boolean;
          study: string;
          db: string;
          bootstrap: string;
          seed: string;
          out?: string;
          json?: boolean;
        },
        cmd: Command,
      ) =>
        run(async () => {
          // .html writes the page with its figures, any other name Markdown; a name that says another format is refused.
          if (f.out)
            checkOutput(
              f.out,
              '--out',
              {
                what: 'the report',
                format: 'Markdown (HTML for a .html name)',
                extensions: ['.md', '.markdown', '.html', '.htm'],
              },
              [f.db, ...[f.world].filter((p) => p !== undefined)],
            );
          const setup = makeBackend(f, cmd);
          const targetHours = parseQuantity(f.targetHours, '--target-hours', { unit: 'hours' });
          const experimentHours = parseQuantity(f.experimentHours, '--experiment-hours', { unit: 'hours' });
          const { store, bar, release } = takeStudyForSweep(f.db, f.study, setup.backend, f.json);
          let summary: StudySummary;
          try {
            // --verify adds one run after the fit: a verified study is the same plan.
            // Another process's long write (an import) is waited out, here as during the sweep.
            const onBusy = storeBusyNotice(f.db);
            await warnBudgetShort(setup.backend, experimentHours * 3600, store, f.study);
            await store.whenFree(
              () =>
                openStudy(store, f, {
                  command: 'study run',
                  flags: {
                    ...studyPlanFlags(f),
                    '--target-hours': f.targetHours,
                    '--experiment-hours': f.experimentHours,
                    '--progressive': f.progressive ?? false,
                  },
                }),
              { onWait: onBusy },
            );
            const executor = storeExecutor(store, f.study, setup.backend, {
              pollMs: parseQuantity(f.poll, '--poll', { unit: 'seconds' }) * 1000,
              keepGoing: f.keepGoing === true,
              onProgress: bar.update,
              onBusy,
              ...unreachableWait(setup),
            });
            const result = await runStudy(executor, {
              targetSeconds: targetHours * 3600,
              experimentSeconds: experimentHours * 3600,
              cost: setup.cost,
              architecture: setup.architecture,
              progressive: f.progressive,
              verify: f.verify,
              design: designFlags(f),
              bootstrap: parseReplicates(f.bootstrap, '--bootstrap'),
              seed: parseInteger(f.seed, '--seed', 0),
            });
            // The fit after the sweep computes for seconds on this thread: a Ctrl-C or SIGTERM that came
            // meanwhile is heard here, while its listener is on, rather than lost when it is withdrawn
            // (before: the study printed its result and ended exit 0, the signal dropped).
            await betweenSteps();
            bar.stop();
            summary = studySummary(result, {
              study: f.study,
              backend: setup.backend.name,
              targetHours,
              experimentHours,
              costModel: setup.cost.description,
              world: setup.world,
            });
            // Hours of runs lead here: a busy store is waited for, not a reason to lose the report.
            const fitJson = fitToJson(result.fit),
              recommendation = studyJson(summary);
            await store.whenFree(
              () =>
                store.db
                  .transaction(() => {
                    store.saveFit(f.study, 'chinchilla', fitJson);
                    store.saveRecommendation(f.study, recommendation);
                  })
                  .immediate(),
              { onWait: onBusy },
            );
          } finally {
            release();
          }
          // A fit warning's advice names the command with the flag (scalelab fit --init grid): study run has none of fit's.
          const optionName = commandFlagNamer(cmd);
          const report = studyReport(summary, optionName);
          if (f.out && /\.html?$/i.test(f.out)) {
            const { renderSvg } = await import('../../render/render.js');
            // The page says how to make it again: version, date, command line, the world file's hash.
            const made = provenance([f.world].filter((p) => p !== undefined));
            writeOutput(
              f.out,
              await studyHtml(summary, renderSvg, optionName, provenanceLines(made, `study "${summary.study}"`)),
              f,
            );
          } else if (f.out) writeOutput(f.out, report, f);
          if (f.json) printJson(studyJson(summary));
          else writeStdout(report);
        }, f.json),
    );
}
