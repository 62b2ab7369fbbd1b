import type { Command } from 'commander';
import { atProbeLearningRate, designSweep, designSweepInFlops, type SweepDesign } from '../../experiments/design.js';
import { sweepPlanReport } from '../../report/text/sweep.js';
import { recommendConfig } from '../../experiments/study.js';
import { lawPreset } from '../../presets/laws.js';
import { divergedProbeNote, hoursSpent, isDivergedProbe, sweepOutcome } from '../../experiments/outcome.js';
import {
  endedAs,
  FAIL_FAST_RUNS,
  failingAlike,
  plannedKey,
  runSweep,
  type SweepProgress,
} from '../../experiments/runner.js';
import type { Backend, BackendStatus } from '../../experiments/backends/backend.js';
import { defaultStorePath, RunStore, type StoredRun } from '../../store/store.js';
import { hashKey } from '../../store/hashKey.js';
import { readText } from '../../io/readRuns.js';
import { exitCodes, UsageError } from '../../errors/index.js';
import { parsePlan } from '../../experiments/parsePlan.js';
import { CANCELLED_REASON } from '../../experiments/backends/process.js';
import { counted, formatNumber, shortReason } from '../../core/format.js';
import { parseQuantity, plainNumber } from '../options.js';
import { checkOutput, printJson, writeOutput, writeStdout } from '../output.js';
import { claimStudyOrClose, openExisting, openStore, requireStudy } from '../storeAccess.js';
import { flag } from '../flags.js';
import {
  addBackendFlags,
  designFlags,
  makeBackend,
  openStudy,
  interruptedSweep,
  storeBusyNotice,
  unreachableWait,
  warnBudgetShort,
  type BackendFlags,
} from '../backendFlags.js';
import cliProgress from 'cli-progress';
import type { Run } from '../output.js';

/**
 * The progress line's run states. Running and queued apart: a cluster's 64 runs "in flight" may be
 * 2 training and 62 waiting for nodes, which reads as a stuck sweep when counted together.
 */
export function progressStates(p: Pick<SweepProgress, 'failed' | 'running' | 'queued'>): string {
  return `failed ${p.failed} | running ${p.running} | queued ${p.queued}`;
}

/**
 * A study taken for one sweep (sweep run, study run): the store opened (or created), the study claimed
 * (a second sweep of it at once is refused), the progress bar, and on Ctrl-C the line saying what became
 * of the runs in flight. `release` undoes them all once the sweep is over, however it ended.
 */
export function takeStudyForSweep(db: string, study: string, backend: Backend, json?: boolean) {
  const store = openStore(db);
  const claim = claimStudyOrClose(store, study);
  const bar = sweepProgressBar(json);
  const withdraw = interruptedSweep(store, study, backend, () => {
    bar.stop();
    claim.release();
  });
  return {
    store,
    bar,
    release: () => {
      withdraw();
      bar.stop();
      claim.release();
      store.close();
    },
  };
}

/** Terminal progress for a sweep; silent off a terminal or with --json. */
function sweepProgressBar(json?: boolean): { update: (p: SweepProgress) => void; stop: () => void } {
  if (json || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: 'runs [{bar}] {value}/{total} | {states} | {spent}/{planned} h | best {best}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = {
        states: progressStates(p),
        spent: (p.spentSeconds / 3600).toFixed(2),
        planned: (p.plannedSeconds / 3600).toFixed(2),
        best: p.bestLoss === null ? '–' : p.bestLoss.toFixed(4),
      };
      if (!started) {
        bar.start(p.total, p.done + p.failed, payload);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done + p.failed, payload);
      }
    },
    stop: () => started && bar.stop(),
  };
}

/**
 * How many of a `sweep run`'s plan are not in the store yet (its IsoFLOP runs, stored once the probe has
 * given their learning rate), from the plan's size that the study recorded ("19 runs (#…)"); undefined
 * for a study run (whose stages are planned as it goes) or once every run is stored.
 */
function planRunsNotStored(config: unknown, stored: number): { runs: number; of: number } | undefined {
  const c = config as { command?: unknown; flags?: Record<string, unknown> } | null;
  const m = c?.command === 'sweep run' ? /^(\d+) runs /.exec(String(c.flags?.['the plan'] ?? '')) : null;
  const of = m ? Number(m[1]) : 0;
  return of > stored ? { runs: of - stored, of } : undefined;
}

/** A note placed after the design's warnings, which come first. */
function afterWarnings(notes: string[], note: string): void {
  const at = notes.findIndex((n) => !n.startsWith('warning:'));
  notes.splice(at < 0 ? notes.length : at, 0, note);
}

export function registerSweep(program: Command, run: Run): void {
  const sweep = program
    .command('sweep')
    .description('plan an IsoFLOP sweep within an experiment budget, and run it on a backend');
  addBackendFlags(
    sweep
      .command('plan')
      .description(
        'design an IsoFLOP sweep (budgets, sizes bracketing the expected optimum, shapes, learning rate, batch) that fits the experiment budget',
      )
      .addOption(flag('target-hours'))
      .addOption(flag('experiment-hours'))
      .option('--target-flops <C>', 'or: compute of the target run, C = 6·N·D FLOPs (N non-embedding), e.g. 1e19')
      .option('--experiment-flops <C>', 'or: compute for all experiments, the sum of their 6·N·D FLOPs, e.g. 2e18')
      .option('--learning-rate <lr>', 'learning rate for the sweep (default: plan a probe to find it)')
      .addOption(flag('out', { detail: 'the plan as JSON, for "sweep run"' }))
      .addOption(flag('json'))
      .addHelpText(
        'after',
        `
Examples:
  scalelab sweep plan --target-hours 48 --experiment-hours 12 --out plan.json       # on the simulated lab
  scalelab sweep plan --target-hours 48 --experiment-hours 12 --backend local --gpu h100 --mfu 0.4   # your hardware
  scalelab sweep plan --target-flops 1e19 --experiment-flops 2e18 --json     # budgets in FLOPs (CS336 2025 style)`,
      ),
  ).action(
    async (
      f: BackendFlags & {
        targetHours?: string;
        experimentHours?: string;
        targetFlops?: string;
        experimentFlops?: string;
        learningRate?: string;
        out?: string;
        json?: boolean;
      },
      cmd: Command,
    ) =>
      run(async () => {
        // The world the plan is made for is read: --out naming it would replace it with the plan.
        if (f.out)
          checkOutput(
            f.out,
            '--out',
            { what: 'the sweep plan', format: 'JSON', extensions: ['.json'] },
            [f.world].filter((p) => p !== undefined),
          );
        const hours = f.targetHours !== undefined || f.experimentHours !== undefined;
        const flops = f.targetFlops !== undefined || f.experimentFlops !== undefined;
        if (
          hours === flops ||
          (hours && (f.targetHours === undefined || f.experimentHours === undefined)) ||
          (flops && (f.targetFlops === undefined || f.experimentFlops === undefined))
        ) {
          throw new UsageError(
            'give the budgets in hours (--target-hours H --experiment-hours H) or in FLOPs (--target-flops C --experiment-flops C), both of one kind',
          );
        }
        const setup = makeBackend(
          {
            ...f,
            backend: f.backend === 'sim' || f.world ? 'sim' : 'local',
            command: f.command ?? 'true',
          },
          cmd,
        );
        const common = {
          architecture: setup.architecture,
          learningRate: f.learningRate
            ? parseQuantity(f.learningRate, '--learning-rate', { plain: plainNumber.learningRate })
            : undefined,
          ...designFlags(f),
        };
        let plan: Record<string, unknown> & SweepDesign;
        let budget: Parameters<typeof sweepPlanReport>[1];
        if (flops) {
          const targetFlops = parseQuantity(f.targetFlops!, '--target-flops');
          const experimentFlops = parseQuantity(f.experimentFlops!, '--experiment-flops');
          budget = { targetFlops, experimentFlops };
          plan = {
            kind: 'scalelab-sweep-plan',
            unit: 'flops',
            targetFlops,
            experimentFlops,
            ...designSweepInFlops({ ...common, targetFlops, experimentFlops, hardware: setup.cost }),
          };
        } else {
          budget = {
            targetHours: parseQuantity(f.targetHours!, '--target-hours', { unit: 'hours' }),
            experimentHours: parseQuantity(f.experimentHours!, '--experiment-hours', { unit: 'hours' }),
          };
          plan = {
            kind: 'scalelab-sweep-plan',
            ...budget,
            ...designSweep({
              ...common,
              experimentSeconds: budget.experimentHours * 3600,
              targetSeconds: budget.targetHours * 3600,
              cost: setup.cost,
            }),
          };
        }
        // What the plan assumed without being told, and the target it is for, said beside its notes.
        const typed = (attribute: string) => cmd.getOptionValueSource(attribute) === 'cli';
        const defaults: string[] = [];
        if (setup.world) {
          if (!f.world)
            defaults.push(
              `the simulated world "${setup.world.name}" (default; --world), whose hardware costs the runs`,
            );
        } else {
          if (!typed('gpu') && !typed('peakFlops')) defaults.push(`GPU ${f.gpu} (default; --gpu)`);
          if (!typed('mfu')) defaults.push(`MFU ${f.mfu} (default; --mfu)`);
        }
        if (f.priorRatio === undefined)
          defaults.push(
            'sizes centred by the prior law preset epoch-2024 (default; --prior-ratio for a tokens-per-parameter prior)',
          );
        if (!f.learningRate) defaults.push('learning rate from a probe (default; --learning-rate)');
        if (flops) {
          plan.targetC = (budget as { targetFlops: number }).targetFlops;
          afterWarnings(
            plan.notes,
            `target: C = ${formatNumber(plan.targetC as number, 3)} FLOPs (6·N·D, N non-embedding, as given)`,
          );
        } else {
          // The target's C under the prior law, for scale: the shape whose tokens in the target's hours give the
          // lowest loss under it (study run's rule, with its own fit in place of the prior).
          const t = recommendConfig(
            lawPreset('epoch-2024').params,
            (budget as { targetHours: number }).targetHours * 3600,
            setup.cost,
            setup.architecture,
            3e-3,
          );
          plan.targetC = 6 * t.N * t.D;
          afterWarnings(
            plan.notes,
            `target: C ≈ ${formatNumber(plan.targetC as number, 3)} FLOPs (6·N·D, N non-embedding): N = ${formatNumber(t.N, 3)} on ${formatNumber(t.D, 3)} tokens, the shape whose tokens in ${(budget as { targetHours: number }).targetHours} h give the lowest loss under the prior law (preset epoch-2024) and this cost model; study run sizes it with its own fit`,
          );
        }
        plan.notes.push(`defaults not typed: ${defaults.join(', ')}`);
        plan.defaults = defaults;
        if (f.out) writeOutput(f.out, JSON.stringify(plan, null, 2) + '\n', f);
        if (f.json) return printJson(plan);
        writeStdout(sweepPlanReport(plan, budget));
      }, f.json),
  );
  addBackendFlags(
    sweep
      .command('run')
      .description(
        'run a planned sweep on a backend; resumable: run it again after a crash to continue. Exits 1 when a run failed or was cancelled (the counts on stderr), except learning-rate probe runs that diverged; 0 when the sweep is whole',
      )
      .argument('<plan>', 'plan JSON from "sweep plan --out"')
      .addOption(flag('study', { detail: 'rerun with the same name and plan to resume', required: true }))
      .addOption(flag('extend'))
      .addOption(flag('db', { default: defaultStorePath }))
      .addOption(flag('json')),
    { waitsForRuns: true },
  ).action(
    async (
      planFile: string,
      f: BackendFlags & { study: string; db: string; extend?: boolean; json?: boolean },
      cmd: Command,
    ) =>
      run(async () => {
        const plan = parsePlan(
          readText(planFile, 'a sweep plan (JSON written by "scalelab sweep plan --out FILE")'),
          planFile,
        );
        const setup = makeBackend(f, cmd);
        const { store, bar, release } = takeStudyForSweep(f.db, f.study, setup.backend, f.json);
        try {
          const runs = [...plan.probe, ...plan.isoflop];
          // The plan's content, not its file name, is the plan: a copy of plan.json resumes the study.
          const keys = runs.map(plannedKey).sort();
          // Another process's long write (an import) is waited out, here as during the sweep.
          const onBusy = storeBusyNotice(f.db);
          await warnBudgetShort(
            setup.backend,
            runs.reduce((total, r) => total + r.seconds, 0),
            store,
            f.study,
          );
          await store.whenFree(
            () =>
              openStudy(store, f, {
                command: 'sweep run',
                flags: { 'the plan': `${runs.length} runs (#${hashKey(keys).slice(0, 8)})` },
              }),
            { onWait: onBusy },
          );
          const planRuns = (these: typeof runs) =>
            store.whenFree(
              () =>
                store.plan(
                  f.study,
                  these.map((r) => ({
                    key: plannedKey(r),
                    name: `${r.phase}-${plannedKey(r).slice(-8)}`,
                    phase: r.phase,
                    config: r.config,
                    N: r.N,
                    D: r.config.tokens,
                    C: r.C,
                    estimatedSeconds: r.seconds,
                  })),
                ),
              { onWait: onBusy },
            );
          // The plan's runs only: a study may also hold runs imported into it (runs import --study), which
          // are not this sweep's to count, submit or call failed.
          const sweepOver = (planned: Set<string>) =>
            runSweep(store, f.study, setup.backend, {
              keys: planned,
              pollMs: parseQuantity(f.poll, '--poll', { unit: 'seconds' }) * 1000,
              keepGoing: f.keepGoing === true,
              onProgress: bar.update,
              onBusy,
              ...unreachableWait(setup),
            });
          // A plan with a probe trains its IsoFLOP runs at the probe's best rate, as study run does: the
          // probe first, then the IsoFLOP runs at the rate its results give (the same again on a resume).
          let isoflop = plan.isoflop;
          let learningRate: { value: number; method: string } | undefined;
          let probeUnfinished = 0;
          let p: SweepProgress | undefined;
          // A study whose IsoFLOP runs were stored at the plan's own rate (by a sweep run from before the
          // probe's rate was carried over) resumes them as they are, not trained a second time at another rate.
          const placeholderKeys = new Set(plan.isoflop.map(plannedKey));
          const startedAtPlanRate = store.runs({ study: f.study }).some((r) => placeholderKeys.has(r.key));
          if (plan.probe.length > 0 && plan.isoflop.length > 0 && !startedAtPlanRate) {
            const probeKeys = new Set(plan.probe.map(plannedKey));
            await planRuns(plan.probe);
            p = await sweepOver(probeKeys);
            const probeRuns = store.runs({ study: f.study }).filter((r) => probeKeys.has(r.key));
            // The rate waits for the whole probe: one found from part of it could change once the rest
            // is retried, and with it every IsoFLOP run's key.
            probeUnfinished = probeRuns.filter((r) => r.status !== 'completed' && !isDivergedProbe(r)).length;
            if (probeUnfinished === 0) {
              const found = atProbeLearningRate(
                plan.isoflop,
                probeRuns.map((r) => ({
                  learning_rate: Number((r.config as { learning_rate?: unknown } | null)?.learning_rate),
                  loss: r.status === 'completed' && r.loss !== null && Number.isFinite(r.loss) ? r.loss : null,
                })),
              );
              isoflop = found.runs;
              learningRate = found.learningRate;
            }
          }
          const swept = probeUnfinished ? plan.probe : [...plan.probe, ...isoflop];
          const planned = new Set(swept.map(plannedKey));
          if (!probeUnfinished) {
            await planRuns(swept);
            p = await sweepOver(planned);
          }
          p = p!;
          bar.stop();
          const cancelled = p.total - p.done - p.failed - p.running - p.queued;
          const outcome = sweepOutcome(
            store.runs({ study: f.study }).filter((r) => r.key !== null && planned.has(r.key)),
          );
          // The IsoFLOP runs' rate, said: the plan's table shows a placeholder for it.
          const rateLine = learningRate
            ? `IsoFLOP runs trained at the probe's learning rate ${formatNumber(learningRate.value, 3)} (${learningRate.method}), not the plan's placeholder\n`
            : startedAtPlanRate && plan.probe.length > 0
              ? `IsoFLOP runs at the plan's learning rate, not the probe's: study "${f.study}" holds them so from an earlier sweep run\n`
              : probeUnfinished
                ? `IsoFLOP runs not started: ${probeUnfinished} learning-rate probe run${probeUnfinished === 1 ? '' : 's'} did not complete, and the IsoFLOP runs train at the rate the whole probe finds\n`
                : '';
          if (f.json)
            printJson({
              study: f.study,
              ...p,
              cancelled,
              probeDiverged: outcome.probeDiverged,
              ...(plan.probe.length > 0 && plan.isoflop.length > 0
                ? {
                    isoflopLearningRate: learningRate
                      ? { ...learningRate, source: 'the probe' }
                      : startedAtPlanRate
                        ? { value: null, source: 'the plan (its runs were stored so by an earlier sweep run)' }
                        : { value: null, source: `waiting for ${probeUnfinished} probe runs` },
                  }
                : {}),
            });
          else {
            // A diverged probe is not retried (it would diverge again): the retry hint is for other failures.
            writeStdout(
              `${rateLine}study "${f.study}": ${p.done} completed, ${p.failed} failed${divergedProbeNote(outcome.probeDiverged, p.failed)}${cancelled ? `, ${cancelled} cancelled` : ''} of ${p.total}; ${setup.backend.name === 'sim' ? `${(p.spentSeconds / 3600).toFixed(2)} simulated h (the sim backend's cost model)` : `${(p.spentSeconds / 3600).toFixed(2)} h`} spent; best loss ${p.bestLoss === null ? '–' : formatNumber(p.bestLoss, 5)}\n${p.failed > outcome.probeDiverged ? 'failed runs: "scalelab runs ls --status failed", retry with "scalelab sweep retry"\n' : ''}`,
            );
          }
          // A diverged learning-rate probe is the probe doing its job; any other failed or cancelled
          // run leaves the sweep incomplete: exit 1 and say how many, so a script does not fit a sweep
          // with holes as if it were whole.
          if (outcome.isFailure) {
            const what =
              outcome.completed === 0 ? `no run of study "${f.study}" completed` : `study "${f.study}" is incomplete`;
            // The first failure's reason, shortened: often every run failed alike (no PyTorch, a typo in --command).
            const first = store
              .runs({ study: f.study, status: 'failed' })
              .find((r) => r.reason && !(r.phase === 'lr-probe' && /diverge/i.test(r.reason)));
            const stopped =
              !f.keepGoing && failingAlike(store.runs({ study: f.study })) !== undefined
                ? `; stopped after the first ${FAIL_FAST_RUNS} failed alike (--keep-going submits them all)`
                : '';
            process.stderr.write(
              `scalelab: error: ${what}: ${outcome.failed} of ${outcome.total} failed${cancelled ? `, ${cancelled} cancelled` : ''}${first?.reason ? `; the first: ${shortReason(first.reason, 100)}` : ''}${stopped} (reasons: "scalelab runs ls --study ${f.study} --status failed"; queue them again with "scalelab sweep retry --study ${f.study}")\n`,
            );
            process.exitCode = exitCodes.failed;
          }
        } finally {
          release();
        }
      }, f.json),
  );
  sweep
    .command('status')
    .description("where a study's runs stand")
    .addOption(flag('study', { required: true }))
    .addOption(flag('db', { default: defaultStorePath }))
    .addOption(flag('json'))
    .action(async (f: { study: string; db: string; json?: boolean }) =>
      run(async () => {
        const store = openExisting(f.db);
        try {
          requireStudy(store, f.study, f.db);
          const runs = store.runs({ study: f.study });
          // The plan's runs (those with a training config) are counted apart from runs imported into the
          // study (runs import --study): a sweep neither trains nor judges those, so their failures are not its.
          const countStates = (rs: typeof runs) => {
            const c: Record<string, number> = {};
            for (const r of rs) c[r.status] = (c[r.status] ?? 0) + 1;
            return c;
          };
          const counts = countStates(runs.filter((r) => r.config !== null));
          const importedRuns = runs.filter((r) => r.config === null);
          const imported = countStates(importedRuns);
          const spent = hoursSpent(runs);
          // A diverged probe run is the probe doing its job (sweep run does not count it as a failure): said so.
          const { probeDiverged } = sweepOutcome(runs.filter((r) => r.config !== null));
          // Only a sweep asks the backend where its runs stand: with none following them (stopped by
          // Ctrl-C, or crashed), their states are the last it recorded, which a job may have left long ago.
          const inFlight = runs.filter((r) => ['submitting', 'queued', 'running'].includes(r.status)).length;
          const unfollowed = inFlight > 0 && !store.studyHasSweep(f.study);
          // A sweep stores its IsoFLOP runs once the probe has given their learning rate: until then the
          // counts above are the probe's alone, which read as the whole plan unless the rest is said.
          const notYetStored = planRunsNotStored(
            store.studyConfig(f.study),
            runs.filter((r) => r.config !== null).length,
          );
          if (f.json)
            return printJson({
              study: f.study,
              counts,
              ...(importedRuns.length > 0 ? { imported } : {}),
              probeDiverged,
              spentHours: spent.hours,
              ...(spent.simulatedHours > 0 ? { simulatedHours: spent.simulatedHours } : {}),
              ...(inFlight > 0 ? { followedBySweep: !unfollowed } : {}),
              ...(notYetStored ? { notYetStored: notYetStored.runs } : {}),
            });
          const planned = Object.entries(counts)
            .map(([k, v]) => `${v} ${k}${k === 'failed' ? divergedProbeNote(probeDiverged, v) : ''}`)
            .join(', ');
          const importedText = `${importedRuns.length} imported (${Object.entries(imported)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')})`;
          writeStdout(
            `study "${f.study}": ${
              planned === '' && importedRuns.length === 0
                ? 'no runs'
                : planned === ''
                  ? `no planned runs; ${importedText}`
                  : `${planned}${importedRuns.length > 0 ? `; and ${importedText}, not the sweep's to train or retry` : ''}`
            }; ${spent.text} spent\n${
              notYetStored
                ? `the plan's other ${counted(notYetStored.runs, 'run')} (of ${notYetStored.of}: its IsoFLOP runs) ${notYetStored.runs === 1 ? 'is' : 'are'} stored once the learning-rate probe has run, at the probe's rate\n`
                : ''
            }${
              unfollowed
                ? `no sweep is following its ${inFlight} run${inFlight === 1 ? '' : 's'} in flight: ${inFlight === 1 ? 'its state is' : 'their states are'} as a sweep last recorded ${inFlight === 1 ? 'it' : 'them'}; the same "scalelab sweep run" (or "scalelab study run --study ${f.study}") again collects what ended\n`
                : ''
            }`,
          );
        } finally {
          store.close();
        }
      }, f.json),
    );
  addBackendFlags(
    sweep
      .command('cancel')
      .description(
        "cancel a study's runs in flight on its backend (scancel for Slurm; for local, SIGTERM to each run's process group, SIGKILL 10 s later) and mark them cancelled",
      )
      .addOption(flag('study', { required: true }))
      .addOption(flag('db', { default: defaultStorePath }))
      .addOption(flag('json')),
  ).action(async (f: BackendFlags & { study: string; db: string; json?: boolean }) =>
    run(async () => {
      // Cancelling goes by the run folders (--runs-dir), never runs the command: none is needed.
      const setup = makeBackend({ ...f, command: f.command ?? 'true {run_dir}' });
      const store = openExisting(f.db);
      try {
        requireStudy(store, f.study, f.db);
        const active = store.runs({ study: f.study, status: ['submitting', 'queued', 'running'] });
        // Runs that another backend started would be marked cancelled and go on running (a local
        // sweep's trainers, a Slurm array), the store then saying otherwise: refused before any is marked.
        const elsewhere = [
          ...new Set(active.flatMap((r) => (r.backend && r.backend !== setup.backend.name ? [r.backend] : []))),
        ];
        if (elsewhere.length)
          throw new UsageError(
            `--backend: study "${f.study}" has runs in flight on the ${elsewhere.join(' and ')} backend${elsewhere.length > 1 ? 's' : ''}, not ${setup.backend.name}; give --backend ${elsewhere[0]}${elsewhere[0] === 'local' || elsewhere[0] === 'slurm' ? " (and the sweep's --runs-dir)" : ''} so that they are stopped, not only marked`,
          );
        let cancelled = 0,
          endedBefore = 0;
        for (const r of active) {
          // A run being submitted has no id in the store yet, though its trainer may be started: its sweep
          // stopped (Ctrl-C, a crash) after the submit and before recording the id. It is looked up as a
          // sweep run again does, and stopped by what the backend finds; found nowhere, nothing of it runs
          // (or its sweep, still submitting it, stops it once it has the id and reads it cancelled).
          const externalId =
            r.externalId ?? (r.status === 'submitting' && setup.backend.find ? await setup.backend.find(r) : undefined);
          // Recorded only where the store has none yet: its sweep may have recorded the id meanwhile.
          if (externalId && externalId !== r.externalId) store.setExternalId(r.id, externalId, { ifUnset: true });
          // One still being submitted is cancelled even when nothing was found: the backend leaves its marker
          // (a wrapper or job that starts later sees it and does not run the command), and a scheduler that does
          // not answer is an error here rather than a run marked cancelled while its job may go on.
          if (setup.backend.cancel && (externalId || r.status === 'submitting'))
            await setup.backend.cancel({ ...r, ...(externalId ? { externalId } : {}) });
          // A run that had ended before the cancel reached it — completed, or failed on its own — and that no
          // sweep has polled since (between polls, or its sweep gone) is recorded as it ended: its result is
          // kept. Asked after the signal, so one that completed meanwhile is seen too.
          const ended = externalId ? await endedBeforeCancel(setup.backend, { ...r, externalId }) : undefined;
          if (ended) {
            if (store.finish(r.id, ended, ['submitting', 'queued', 'running'])) endedBefore++;
            continue;
          }
          // Unless its sweep recorded it ended meanwhile (a run that completed just before stays completed).
          if (
            store.finish(r.id, { status: 'cancelled', reason: CANCELLED_REASON }, ['submitting', 'queued', 'running'])
          )
            cancelled++;
        }
        if (f.json) return printJson({ study: f.study, cancelled, endedBefore });
        writeStdout(
          `${cancelled} runs of "${f.study}" cancelled${setup.backend.cancel ? '' : ` (the ${setup.backend.name} backend cannot stop runs; they are only marked)`}${endedBefore ? `; ${endedBefore} had ended before the cancel reached them and are recorded as they ended` : ''}\n`,
        );
      } finally {
        store.close();
      }
    }, f.json),
  );
  sweep
    .command('retry')
    .description('put a study\'s failed runs back in the queue (then "sweep run" again)')
    .addOption(flag('study', { required: true }))
    .addOption(flag('db', { default: defaultStorePath }))
    .addOption(flag('json'))
    .action(async (f: { study: string; db: string; json?: boolean }) =>
      run(async () => {
        const store = openExisting(f.db);
        try {
          requireStudy(store, f.study, f.db);
          // Cancelled runs (those a stopped sweep never started, or sweep cancel ended) are queued again
          // with the failed ones: said by state, not all called failed.
          const byState = { failed: 0, cancelled: 0 };
          for (const r of store.runs({ study: f.study, status: ['failed', 'cancelled'] }))
            byState[r.status as keyof typeof byState]++;
          const n = store.retry(f.study);
          if (f.json) return printJson({ study: f.study, requeued: n, ...byState });
          const states = Object.entries(byState)
            .filter(([, k]) => k > 0)
            .map(([state, k]) => `${k} ${state}`);
          writeStdout(
            n
              ? `${states.join(' and ')} run${n === 1 ? '' : 's'} of "${f.study}" ${n === 1 ? 'is' : 'are'} planned again: the same "scalelab sweep run" (or "scalelab study run --study ${f.study}") again trains ${n === 1 ? 'it' : 'them'}\n`
              : `no failed or cancelled runs in "${f.study}": nothing to plan again\n`,
          );
        } finally {
          store.close();
        }
      }, f.json),
    );
}

/**
 * What a run being cancelled had already ended as, by its backend's answer: completed, or failed on its own
 * (a failure after the cancel's marker the backend answers as cancelled). Undefined while it runs, or when the
 * backend cannot say (its answer is then the cancel).
 */
async function endedBeforeCancel(
  backend: Backend,
  run: StoredRun,
): Promise<Parameters<RunStore['finish']>[1] | undefined> {
  let s: BackendStatus;
  try {
    s = await backend.status(run);
  } catch {
    return undefined;
  }
  return s.state === 'completed' || s.state === 'failed' ? endedAs({ ...s, state: s.state }) : undefined;
}
