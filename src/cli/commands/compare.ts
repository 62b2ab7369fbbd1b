import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import { compareGroupsSteps } from '../../analyses/groups.js';
import { handleToTheEnd, stepwise } from '../interrupt.js';
import { compareGroupsReport } from '../../report/text/data.js';
import { keyword, parseInteger, parseLevel, parseReplicates, runSelection } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { deprecatedAlias, flag } from '../flags.js';
import { InputError, UsageError } from '../../errors/index.js';
import { flagFor } from '../optionFlags.js';
import type { Run } from '../output.js';

export function registerCompare(program: Command, run: Run): void {
  const compare = program
    .command('compare')
    .description(
      'compare groups (architectures, optimizers, data sources) by their scaling curves: slopes, offsets, crossovers',
    )
    .argument('<file>', 'runs with a group column and N, D or C and loss')
    .option('--group-column <column>', "the column naming each run's group", 'group')
    .addOption(flag('x', { default: 'C' }))
    .addOption(
      flag('bootstrap', {
        detail: 'resampling runs within groups (whole lineages when the data name them)',
        default: '200',
      }),
    )
    .addOption(flag('lineage'))
    .addOption(flag('seed', { default: '0' }))
    .addOption(flag('level', { default: '0.95' }))
    .addOption(flag('columns', { detail: 'e.g. N=size,D=train_tokens' }));
  deprecatedAlias(compare, '--by <column>', '--group-column');
  compare.addOption(flag('json')).action(
    async (
      file: string,
      f: {
        groupColumn: string;
        x: string;
        bootstrap: string;
        seed: string;
        level: string;
        lineage?: string;
        columns?: string;
        json?: boolean;
      },
      cmd: Command,
    ) =>
      run(async () => {
        // The fits and their bootstrap run on the main thread, a replicate at a time with turns for the
        // event loop (stepwise): a Ctrl-C stops it within a replicate, saying so, where Node's default
        // ended it silently.
        handleToTheEnd();
        const x = keyword(f.x, '--x', ['N', 'D', 'C'] as const);
        // runSelection checks the column name (a blank one is refused).
        const { lineage, columns } = runSelection({ lineage: f.lineage, columns: f.columns });
        // --group-column names the group column; a group= in --columns too must name the same one.
        if (
          columns?.group !== undefined &&
          cmd.getOptionValueSource('groupColumn') === 'cli' &&
          columns.group !== f.groupColumn
        )
          throw new UsageError(
            `--columns group=${columns.group} and --group-column ${f.groupColumn} name two group columns: give one`,
          );
        const groupColumn = columns?.group ?? f.groupColumn;
        let ds;
        try {
          ds = readRuns(file, {
            columns: { ...columns, group: groupColumn },
            ...(lineage !== undefined ? { lineage } : {}),
          });
        } catch (e) {
          // The default column is missing: the user has not yet said which column holds the groups.
          const fileColumns = /the file has columns: (.*)$/.exec((e as Error).message)?.[1];
          if (
            e instanceof InputError &&
            cmd.getOptionValueSource('groupColumn') !== 'cli' &&
            columns?.group === undefined &&
            fileColumns
          )
            throw new UsageError(
              `${file}: compare reads each run's group from a column, "group" unless --group-column COLUMN names another; the file has no "group" column (its columns: ${fileColumns})`,
            );
          throw e;
        }
        const c = await stepwise(
          compareGroupsSteps(ds, x, {
            bootstrap: parseReplicates(f.bootstrap, '--bootstrap'),
            seed: parseInteger(f.seed, '--seed', 0),
            level: parseLevel(f.level),
          }),
        );
        // The level and replicates nobody typed, marked in the text and listed in the JSON.
        const untyped = (k: string) => cmd.getOptionValueSource(k) !== 'cli';
        const defaults = { level: untyped('level'), replicates: untyped('bootstrap') };
        const defaultFlags = [...(defaults.level ? ['--level'] : []), ...(defaults.replicates ? ['--bootstrap'] : [])];
        if (f.json) return printResult({ ...c, defaults: defaultFlags }, file);
        writeResult(compareGroupsReport(c, x, flagFor, defaults), file);
      }, f.json),
  );
}
