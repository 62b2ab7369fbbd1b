import type { Command } from 'commander';
import { forEachRun, inputSize } from '../../io/readRuns.js';
import { runFormatNames, type DatasetInfo, type Field } from '../../io/parseRuns.js';
import { defaultStorePath, type ImportCounts, type RunStatus, type RunStore } from '../../store/store.js';
import { distinctRunNames, leftOutByStudy } from '../../store/storeDataset.js';
import { importStopped, importWait, interruptedImport, openExisting, openStore, requireStudy } from '../storeAccess.js';
import { betweenSteps, onInterrupt } from '../interrupt.js';
import { runStatuses } from '../../store/runStatus.js';
import { counted, formatNumber, shortReason } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import { keyword, parseQuantity, runSelection } from '../options.js';
import { flag } from '../flags.js';
import {
  checkOutput,
  formatOfName,
  printJson,
  progress,
  statusLine,
  writeOutputInSteps,
  writeStdout,
} from '../output.js';
import { noteSmallSizes } from '../sizeNote.js';
import type { Run } from '../output.js';

/**
 * Which column of a file became which field, what was derived, and the columns read as nothing: an
 * import says it, as fit does, so a guessed column (params over model_size) is seen before it is stored.
 */
function describeRead(info: DatasetInfo): string {
  // A size read in its header's unit (params (M)) says the factor, as what is stored is in parameters.
  const scaled = info.scaled as Record<string, string> | undefined;
  const read = Object.entries(info.columns).map(([field, column]) =>
    column === field ? column : `${column} (${field}${scaled?.[field] ? ` ${scaled[field]}` : ''})`,
  );
  const derived = Object.entries(info.derived).map(([field, how]) => `${field} = ${how}`);
  // A column left unread because no run has a number there (an empty total_flops) says so, and what it would feed.
  const names = (info.unread ?? []).map((c) => (info.unreadWhy?.[c] ? `${c} (${info.unreadWhy[c]})` : c));
  const unread = names.length ? `; not read: ${names.join(', ')}` : '';
  return [...read, ...derived].join(', ') + unread;
}

/**
 * The file's columns that were read but that the store does not keep (it keeps N, D, C, U, loss, group,
 * the run's name, step, lineage and state, and a named run's learning rate per checkpoint): said, since
 * `runs export` does not write them back, and an analysis that needs them (hparams, depth-width) reads
 * the file itself.
 */
function notStored(info: DatasetInfo): string[] {
  const fields = ['batch', 'width', 'layers', 'gradSq', ...(info.columns.run === undefined ? ['lr'] : [])] as const;
  return fields.flatMap((f) => {
    const column = info.columns[f as keyof DatasetInfo['columns']];
    return column === undefined ? [] : [column === f ? column : `${column} (${f})`];
  });
}

function derivedAndUnread(info: DatasetInfo): {
  scaled?: DatasetInfo['scaled'];
  derived?: DatasetInfo['derived'];
  unread?: string[];
  unreadWhy?: Record<string, string>;
  notRecorded?: DatasetInfo['notRecorded'];
} {
  return {
    ...(info.scaled ? { scaled: info.scaled } : {}),
    ...(Object.keys(info.derived).length ? { derived: info.derived } : {}),
    ...(info.unread?.length ? { unread: info.unread } : {}),
    ...(info.unreadWhy ? { unreadWhy: info.unreadWhy } : {}),
    ...(info.notRecorded ? { notRecorded: info.notRecorded } : {}),
  };
}

/** A stored run needs its size and tokens (C is derived): without them it could feed no fit. */
const importRequires: Field[] = ['N', 'D', 'loss'];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The configuration a sweep's run was planned with that runs export writes, in this order. */
const exportedConfig = ['n_layer', 'd_model', 'n_heads', 'batch_tokens', 'learning_rate', 'parametrization', 'seed'];

/** The training configuration of a planned run as columns (d_model, n_layer, learning_rate, …). */
function configColumns(config: Record<string, unknown> | null): Record<string, unknown> {
  if (!config) return {};
  return Object.fromEntries(exportedConfig.filter((k) => k in config).map((k) => [k, config[k]]));
}

/**
 * Every column of an export's rows, each at its place in the order a full row has (exportedRuns): the CSV's
 * columns stay in one order whichever run comes first (one without a `parametrization`, say), for a script
 * that reads them by position.
 */
const exportOrder = [
  'study',
  'run',
  'lineage',
  'N',
  'D',
  'C',
  'loss',
  'group',
  'status',
  'step',
  'lr',
  ...exportedConfig,
];

/**
 * What an import says of its rows that repeat stored runs with rounded values (store.ts, ImportCounts.copies):
 * which, so the user can check them, and how to add them when they are replicates by design.
 */
function copiesNote(file: string, counts: ImportCounts): string | undefined {
  if (counts.copies === 0) return undefined;
  const named = counts.copiesFirst.map((c) => `line ${c.line} (stored from ${c.stored})`).join(', ');
  const more = counts.copies - counts.copiesFirst.length;
  return `note: ${file}: ${counted(counts.copies, 'row')} repeat${counts.copies === 1 ? 's' : ''} a run already in the study in N, D, C and loss to the digits the file printed (the stored values rounded to them are the file's: the same runs written by another format, their values rounded): not added, as copies would weigh twice in a fit and narrow its intervals: ${named}${more > 0 ? ` and ${more} more` : ''}; if they are replicates by design, import again with --keep-copies`;
}

/** What an import says of the columns it read but did not store (notStored). */
function storedNote(columns: string[]): string {
  if (columns.length === 0) return '';
  return `; not kept in the store: ${columns.join(', ')} (it keeps N, D, C, loss, group, run, step, lineage and state), so runs export does not write ${columns.length === 1 ? 'it' : 'them'} back: hparams and depth-width read ${columns.length === 1 ? 'it' : 'them'} from this file`;
}

/** What an import says of the runs its tracker had not finished (stored as failed, see importedStatus). */
function unfinishedNote(n: number): string {
  if (n === 0) return '';
  return `; ${counted(n, 'run')} had not finished in the tracker (running, pending or scheduled when exported): stored as failed with the reason "tracker state: … when exported", left out of fits and of any sweep; import ${n === 1 ? 'it' : 'them'} again when finished`;
}

/**
 * The rows of runs export (a completed run each, or a checkpoint each), and the runs left out by state:
 * read from one snapshot of the store, so that an import or a sweep committing meanwhile is in all of
 * them or in none (the counts said beside the rows agree with them).
 */
export function exportedRuns(
  store: RunStore,
  o: { study?: string; checkpoints?: boolean },
): { rows: Record<string, unknown>[]; leftOut: Record<string, number>; completed: number } {
  return store.readSnapshot(() => {
    // Runs not completed are not exported; how many, by state, is said, so that a sweep whose runs
    // all failed does not export an empty file as if the study had none.
    const leftOut: Record<string, number> = {};
    // A completed run its study left out of the fit (a diverged loss) is left out here too, so that
    // `fit` on the export fits what the study fitted; counted with the runs not completed.
    for (const r of store.runs({ study: o.study })) {
      const state = leftOutByStudy(r) ? "completed but left out of the study's fit" : r.status;
      if (state !== 'completed') leftOut[state] = (leftOut[state] ?? 0) + 1;
    }
    const list = store.runs({ study: o.study, status: 'completed' }).filter((r) => !leftOutByStudy(r));
    const names = distinctRunNames(list);
    const rows = o.checkpoints
      ? list.flatMap((r) =>
          store.checkpoints(r.id).map((c) => ({
            study: r.study,
            run: names.get(r.id)!,
            lineage: r.lineage,
            N: r.N,
            D: c.tokens,
            C: r.N === null ? null : 6 * r.N * c.tokens,
            U: r.U,
            loss: c.loss,
            // Which experiment the run was (lr-probe, isoflop, …), as the final-loss export says:
            // fit --group isoflop keeps a study's IsoFLOP curves apart from its probes.
            group: r.group ?? r.phase ?? null,
            step: c.step ?? null,
            lr: c.lr ?? null,
          })),
        )
      : list.map((r) => ({
          study: r.study,
          run: names.get(r.id)!,
          lineage: r.lineage,
          N: r.N,
          D: r.D,
          C: r.C ?? (r.N !== null && r.D !== null ? 6 * r.N * r.D : null),
          U: r.U,
          loss: r.loss,
          group: r.group ?? r.phase,
          status: r.status,
          ...configColumns(r.config),
        }));
    return { rows, leftOut, completed: list.length };
  });
}

export function registerRuns(program: Command, run: Run): void {
  const runs = program
    .command('runs')
    .description('the run store: import, list and export runs (SQLite, .scalelab/runs.db)');
  runs
    .command('import')
    .description(`import runs from ${runFormatNames} files (one transaction per file; importing twice adds nothing)`)
    .argument('<files...>', 'files of runs: columns N, D (or C), loss; run and step make checkpoints of a run')
    .addOption(flag('study', { detail: 'to import into', default: 'imported' }))
    .addOption(flag('columns', { detail: 'e.g. N="Model Size"' }))
    .addOption(
      flag('lineage', {
        detail: "the store keeps each run's lineage, for fits from the store (curve-law fit --db) and runs export",
      }),
    )
    .option(
      '--keep-copies',
      'add rows that repeat a stored run in N, D, C and loss to the digits the file printed (replicates by design), rather than skip them',
    )
    .option('--wait <seconds>', 'how long to wait for another process writing to the store', '60')
    .addOption(flag('db', { default: defaultStorePath }))
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Every file is read and checked before the store is opened (or created): a file that is missing
or malformed stops the import with its location, and nothing is written. Each file is then one
transaction. A run is identified by its name (the run column) and N, so two files that both call
their runs "a" make two runs; a row that gives a stored checkpoint another loss is refused, naming
both files and lines. CSV and JSONL are streamed (JSON arrays are read whole, up to 256 MiB).

A run's lineage (--lineage COLUMN, or a column named lineage or trunk: the trunk of WSD cooldown
branches) is stored with it: a fit from the store then draws a lineage's runs together, and runs
export writes it back. A run stored without one takes it from a later import; another one is refused.

A row without a run name whose N, D, C, U and loss are a stored run's rounded to the digits the file
printed (the same table exported again with 6 significant digits, or as CSV beside a JSONL) is that
run again: it is not added, and the import counts and names those copies (--json: copies, copiesFirst).
A value printed with more digits than the rounding explains is another run's. Copies would weigh twice
in a fit and narrow its intervals; --keep-copies adds them all the same.`,
    )
    .action(
      async (
        files: string[],
        f: {
          study: string;
          columns?: string;
          lineage?: string;
          keepCopies?: boolean;
          wait: string;
          db: string;
          json?: boolean;
        },
      ) =>
        run(async () => {
          const waitSeconds = parseQuantity(f.wait, '--wait', { positive: false, unit: 'seconds' });
          const options = {
            ...runSelection({ columns: f.columns, lineage: f.lineage }),
            require: importRequires,
          };
          // Check every file before the store is opened, so a typo or a bad file creates and changes nothing.
          const sizes = files.map((file) => inputSize(file));
          const check = progress(
            'check ',
            sizes.reduce((a, b) => a + b, 0),
            f,
          );
          // The columns each file was read by: said with its import (which column became N, D, loss, and
          // those read as nothing), and its lineage column named in a conflict with the store.
          const infos: DatasetInfo[] = [];
          // Each file's largest N and D, for the note on sizes that look like millions (760 for 760M).
          const largest: { N: number; D: number }[] = [];
          const results: ({ file: string; columns: DatasetInfo['columns'] } & ImportCounts)[] = [];
          // A Ctrl-C from here on says what was stored: while the files are checked, nothing (heard after the
          // file being checked: its check is synchronous); then the files imported whole, one transaction each.
          const withdraw = onInterrupt(() =>
            interruptedImport(
              files,
              results.map((r) => r.file),
              f.db,
            ),
          );
          let opened: ReturnType<typeof openStore> | undefined;
          try {
            try {
              for (const file of files) {
                await betweenSteps();
                const top = { N: 0, D: 0 };
                infos.push(
                  forEachRun(
                    file,
                    options,
                    (r) => {
                      top.N = Math.max(top.N, r.N ?? 0);
                      top.D = Math.max(top.D, r.D ?? 0);
                    },
                    (n) => check.tick(n),
                  ),
                );
                largest.push(top);
              }
            } finally {
              check.stop();
            }
            // A Ctrl-C during the last file's check is heard before the store is opened (or created).
            await betweenSteps();
            const store = (opened = openStore(f.db));
            for (const [i, file] of files.entries()) {
              // A Ctrl-C during a file's import (one synchronous transaction) is handled here, before the next.
              await betweenSteps();
              const waiting = statusLine(f);
              let bar: ReturnType<typeof progress> | undefined;
              try {
                const counts = await store.importStream(
                  f.study,
                  file,
                  (add) => {
                    waiting.done();
                    bar = progress('import', sizes[i], f);
                    forEachRun(file, options, add, (n) => bar!.tick(n));
                  },
                  importWait(f.db, waitSeconds, waiting),
                  infos[i].columns.lineage,
                  infos[i].columns.state,
                  { keepCopies: f.keepCopies },
                );
                const dropped = notStored(infos[i]);
                results.push({
                  file,
                  ...counts,
                  columns: infos[i].columns,
                  ...derivedAndUnread(infos[i]),
                  ...(dropped.length ? { notStored: dropped } : {}),
                });
              } catch (e) {
                throw importStopped(
                  e,
                  file,
                  results.map((r) => r.file),
                );
              } finally {
                waiting.done();
                bar?.stop();
              }
              const top = { N: largest[i].N || undefined, D: largest[i].D || undefined };
              noteSmallSizes(file, top);
              const copyNote = copiesNote(file, results[i]);
              if (copyNote) process.stderr.write(`${copyNote}\n`);
              if (!f.json)
                writeStdout(
                  `${file}: ${counted(results[i].runs, 'run')} and ${counted(results[i].checkpoints, 'checkpoint')} added, ${results[i].skipped} already in the store${results[i].copies ? `, ${results[i].copies} ${results[i].copies === 1 ? 'copy' : 'copies'} of stored runs not added` : ''} (study "${f.study}", ${f.db}); read ${describeRead(infos[i])}${unfinishedNote(results[i].unfinished)}${storedNote(notStored(infos[i]))}\n`,
                );
            }
            // A Ctrl-C during the last file's transaction is heard here, not lost with the listener: the line
            // then says the import had finished.
            await betweenSteps();
          } finally {
            withdraw();
            opened?.close();
          }
          if (f.json) printJson({ study: f.study, db: f.db, files: results });
        }, f.json),
    );
  runs
    .command('ls')
    .description('list runs (or studies with --studies)')
    .addOption(flag('study', { detail: 'only its runs' }))
    .option('--status <status>', `only runs in this state: ${runStatuses.join(', ')}`)
    .option('--studies', 'list studies with run counts')
    .option(
      '--full',
      'show each failure reason (and why a study left a run out of its fit) whole (the table cuts them at a word after 60 characters; --json has them whole too, as reason and leftOut)',
    )
    .addOption(flag('db', { default: defaultStorePath }))
    .addOption(flag('json'))
    .action(
      async (f: { study?: string; status?: string; studies?: boolean; full?: boolean; db: string; json?: boolean }) =>
        run(async () => {
          const store = openExisting(f.db);
          try {
            if (f.studies) {
              const s = store.studies();
              if (f.json) return printJson(s);
              writeStdout(
                textTable(
                  ['study', 'runs', 'completed', 'created'],
                  s.map((x) => [x.name, String(x.runs), String(x.completed ?? 0), x.createdAt]),
                ) + '\n',
              );
              return;
            }
            if (f.study !== undefined) requireStudy(store, f.study, f.db);
            const list = store.runs({
              study: f.study,
              status: f.status ? (keyword(f.status, '--status', runStatuses) as RunStatus) : undefined,
            });
            if (f.json) return printJson(list);
            const said = (text: string | null) =>
              f.full ? (text ?? '').replace(/\s+/g, ' ').trim() : shortReason(text ?? '', 60);
            // Why the study left a completed run out of its fit, beside the run's own reason: a column
            // only when a listed run has one.
            const leftOut = list.some(leftOutByStudy);
            const cut = !f.full && list.some((r) => [r.reason, r.leftOut].some((t) => said(t).endsWith('…')));
            // The sim backend's hours are its cost model's, not time spent: said in the header when every
            // listed run's are, else by a * on theirs.
            const timed = list.filter((r) => r.seconds !== null);
            const simulated = timed.filter((r) => r.backend === 'sim').length;
            const allSimulated = simulated > 0 && simulated === timed.length;
            writeStdout(
              textTable(
                [
                  'id',
                  'study',
                  'name',
                  'status',
                  'N',
                  'D',
                  'loss',
                  allSimulated ? 'simulated hours' : 'hours',
                  'reason',
                  ...(leftOut ? ["left out of the study's fit"] : []),
                ],
                list.map((r) => [
                  String(r.id),
                  r.study,
                  r.name ?? '',
                  r.status,
                  r.N === null ? '' : formatNumber(r.N, 4),
                  r.D === null ? '' : formatNumber(r.D, 4),
                  r.loss === null ? '' : formatNumber(r.loss, 5),
                  r.seconds === null
                    ? ''
                    : `${(r.seconds / 3600).toFixed(3)}${simulated && !allSimulated && r.backend === 'sim' ? '*' : ''}`,
                  said(r.reason),
                  ...(leftOut ? [said(leftOutByStudy(r) ? r.leftOut : null)] : []),
                ]),
              ) +
                `\n${counted(list.length, 'run')}${cut ? ' (reasons cut at a word, …: --full or --json shows them whole)' : ''}${allSimulated ? "; hours simulated by the sim backend's cost model" : simulated ? "; * hours simulated by the sim backend's cost model" : ''}\n`,
            );
          } finally {
            store.close();
          }
        }, f.json),
    );
  runs
    .command('export')
    .description('export completed runs (or every checkpoint) as CSV or JSONL that "scalelab fit" reads')
    .option('--format <format>', "csv or jsonl (default: as --out's name says, .jsonl or .csv; else csv)")
    .addOption(flag('study', { detail: 'only its runs' }))
    .option('--checkpoints', 'one row per checkpoint (training curves, for frontier --approach 1)')
    .addOption(flag('out', { detail: 'instead of stdout' }))
    .addOption(flag('db', { default: defaultStorePath }))
    .addOption(flag('json', { detail: 'with --out, a summary instead of the data' }))
    .action(
      async (f: { format?: string; study?: string; checkpoints?: boolean; out?: string; db: string; json?: boolean }) =>
        run(async () => {
          // Without --format, the --out name says which (runs.jsonl: JSONL); a name saying another format is refused.
          const named = f.out ? formatOfName(f.out)?.format : undefined;
          const format = keyword(f.format ?? (named === 'JSONL' ? 'jsonl' : 'csv'), '--format', [
            'csv',
            'jsonl',
          ] as const);
          if (f.out)
            checkOutput(
              f.out,
              '--out',
              format === 'csv'
                ? { what: 'the export (--format csv)', format: 'CSV', extensions: ['.csv'] }
                : { what: 'the export (--format jsonl)', format: 'JSONL', extensions: ['.jsonl', '.ndjson'] },
              [f.db],
            );
          const store = openExisting(f.db);
          let exported: ReturnType<typeof exportedRuns>;
          try {
            if (f.study !== undefined) requireStudy(store, f.study, f.db);
            exported = exportedRuns(store, f);
          } finally {
            store.close();
          }
          const { rows, leftOut, completed } = exported;
          // The learning rate at each checkpoint (curve laws read it) only when every checkpoint has one:
          // an empty lr cell would not import again.
          if (f.checkpoints && rows.some((r) => r.lr === null)) for (const r of rows) delete r.lr;
          // Unique tokens (U) only when every run has them: U is a coordinate of a fit (the data-constrained
          // law's), and a blank U is refused on import rather than read as D; a mix is said, not written blank.
          const withU = rows.filter((r) => r.U !== null).length;
          if (withU < rows.length) for (const r of rows) delete r.U;
          if (withU > 0 && withU < rows.length)
            process.stderr.write(
              `note: the U column (unique tokens) is not written: ${withU} of the ${counted(rows.length, 'row')} have it and the others none, and a file of runs needs it in every row or none (export the runs with U alone, e.g. --study, to keep it)\n`,
            );
          // The lineage column only when a run has one (fit reads it back as the bootstrap's unit).
          if (rows.every((r) => r.lineage === null)) for (const r of rows) delete r.lineage;
          // The group column of checkpoints only when a run has one (runs imported from files may not).
          if (f.checkpoints && rows.every((r) => r.group === null)) for (const r of rows) delete r.group;
          // Every row's columns, not the first row's: a run imported beside a sweep's has no configuration,
          // and one first in the study dropped every sweep run's n_layer, d_model, … from the CSV unsaid
          // (their cells are empty for the runs without one; the reader says how to read such a file).
          const rank = (c: string) => (exportOrder.includes(c) ? exportOrder.indexOf(c) : exportOrder.length);
          const columns = rows.length
            ? [...new Set(rows.flatMap((r) => Object.keys(r)))].sort((a, b) => rank(a) - rank(b))
            : ['study', 'run', 'N', 'D', 'C', 'loss'];
          const line =
            format === 'csv'
              ? (r: Record<string, unknown>) => columns.map((c) => csvCell(r[c])).join(',') + '\n'
              : (r: Record<string, unknown>) => JSON.stringify(r) + '\n';
          // The text in pieces of a few thousand rows: an export of every run is written as it is made
          // (a Ctrl-C heard between two pieces), not built whole first.
          const pieces = function* () {
            if (format === 'csv') yield columns.join(',') + '\n';
            for (let i = 0; i < rows.length; i += 4096)
              yield rows
                .slice(i, i + 4096)
                .map(line)
                .join('');
          };
          const states = Object.entries(leftOut).map(([state, n]) => `${n} ${state}`);
          // Completed runs imported as final losses have no checkpoints: --checkpoints then has no row for them.
          const noCheckpoints =
            f.checkpoints && completed && !rows.length
              ? `; the ${completed} completed run${completed === 1 ? ' has' : 's have'} no checkpoints (final losses only): export them without --checkpoints`
              : '';
          const notExported =
            noCheckpoints +
            (states.length
              ? `; runs not completed are left out: ${states.join(', ')} ("scalelab runs ls${f.study !== undefined ? ` --study ${f.study}` : ''}" shows them)`
              : '');
          if (f.out) {
            await writeOutputInSteps(f.out, pieces(), f, `${counted(rows.length, 'row')}${notExported}`);
            if (f.json) printJson({ out: f.out, rows: rows.length, format, ...(states.length ? { leftOut } : {}) });
          } else {
            for (const piece of pieces()) writeStdout(piece);
            if (!rows.length && notExported && !f.json) process.stderr.write(`nothing to export${notExported}\n`);
          }
        }, f.json),
    );
}
