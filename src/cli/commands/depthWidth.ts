import type { Command } from 'commander';
import { readRuns } from '../../io/readRuns.js';
import { parseColumnMapping } from '../../io/parseRuns.js';
import { runsRecording } from '../../io/dataset.js';
import { aspectSpread } from '../../analyses/groups.js';
import { aspectSpreadReport } from '../../report/text/data.js';
import { parseQuantity, plainNumber } from '../options.js';
import { printResult, writeResult } from '../output.js';
import { flag } from '../flags.js';
import { noteSmallSizes } from '../sizeNote.js';
import type { Run } from '../output.js';

export function registerDepthWidth(program: Command, run: Run): void {
  program
    .command('depth-width')
    .description('depth versus width at fixed size: the loss spread across aspect ratios d_model/n_layer')
    .argument('<file>', 'runs with N, width (d_model), layers (n_layer) and loss')
    .addOption(flag('tolerance', { detail: 'here, model sizes N', default: '0.05' }))
    .addOption(flag('columns', { detail: 'e.g. width=d_model,layers=n_layer' }))
    .addOption(flag('json'))
    .action(async (file: string, f: { tolerance: string; columns?: string; json?: boolean }, cmd: Command) =>
      run(async () => {
        const ds = readRuns(file, { columns: f.columns ? parseColumnMapping(f.columns) : undefined });
        // Sizes in millions (125, 350) group and spread alike, but the report's "N 125" reads as 125 parameters.
        noteSmallSizes(
          file,
          ds.runs.map((r) => ({ N: r.N })),
          'depth-width',
        );
        const decades = parseQuantity(f.tolerance, '--tolerance', { plain: plainNumber.decades });
        // A run that did not record its shape (a study export's imported runs) is left out, counted.
        let data = ds;
        if (ds.columns.width !== undefined && ds.columns.layers !== undefined) {
          const recorded = runsRecording(ds, ['width', 'layers'], 'depth versus width');
          if (recorded.warning) process.stderr.write(`scalelab: warning: ${file}: ${recorded.warning}\n`);
          data = recorded.dataset;
        }
        const r = aspectSpread(data, decades);
        if (f.json) return printResult(r, file);
        const typed = cmd.getOptionValueSource('tolerance') === 'cli';
        writeResult(
          aspectSpreadReport(r, { decades, ...(typed ? {} : { defaultMark: '(default, --tolerance)' }) }),
          file,
        );
      }, f.json),
    );
}
