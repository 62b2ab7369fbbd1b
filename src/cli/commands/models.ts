import type { Command } from 'commander';
import { loadCatalog } from '../../catalog/load.js';
import { describe } from '../../catalog/models.js';
import { formatNumber } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import { UsageError } from '../../errors/index.js';
import { flag } from '../flags.js';
import { printJson, writeStdout } from '../output.js';
import type { Run } from '../output.js';

export function registerModels(program: Command, run: Run): void {
  program
    .command('models')
    .description(
      'published model configurations (67, with sources and verification status): sizes recounted, tokens per parameter, shape ratios, FLOPs',
    )
    .option('--family <name>', 'only this family (e.g. llama, gpt-3, pythia)')
    .addOption(flag('json'))
    .addHelpText(
      'after',
      '\nSource: examples/published-models.csv; provenance per family in examples/published-models.PROVENANCE.md (licences in examples/README.md).\nExamples:\n  scalelab models --family llama\n  scalelab models --json',
    )
    .action(async (f: { family?: string; json?: boolean }) =>
      run(async () => {
        let rows = loadCatalog().map(describe);
        if (f.family) {
          const q = f.family.toLowerCase().replace(/[^a-z0-9]/g, '');
          rows = rows.filter((r) =>
            r.family
              .toLowerCase()
              .replace(/[^a-z0-9]/g, '')
              .startsWith(q),
          );
          if (rows.length === 0)
            throw new UsageError(
              `no family matches "${f.family}" (families: ${[...new Set(loadCatalog().map((m) => m.family))].join(', ')})`,
            );
        }
        if (f.json) return printJson(rows);
        const n = (v: number | undefined, d = 3) => (v === undefined ? '–' : formatNumber(v, d));
        writeStdout(
          textTable(
            [
              'model',
              'reported',
              'recounted',
              'non-emb',
              'embed',
              'tokens',
              'D/N',
              'd/L',
              'head',
              'GQA',
              'FFN',
              '6ND',
              'App. F',
              'source',
              'status',
              'note',
            ],
            rows.map((r) => [
              r.name,
              n(r.reported),
              `${n(r.recomputed.total)} (${r.sizeError >= 0 ? '+' : ''}${(r.sizeError * 100).toFixed(1)} %)`,
              n(r.recomputed.nonEmbedding),
              n(r.recomputed.embedding + r.recomputed.unembedding),
              n(r.tokens),
              n(r.tokensPerParameter, 3),
              r.aspectRatio.toFixed(0),
              String(r.headDim),
              r.gqaRatio === 1 ? '–' : `${r.gqaRatio}:1`,
              r.ffnRatio.toFixed(2),
              n(r.flops6ND),
              n(r.flopsDetailed),
              r.cite,
              r.status,
              r.mismatch ? `FLAG: ${r.mismatch}` : (r.tyingNote ?? ''),
            ]),
          ) +
            `\n${rows.length} models. recounted: ScaleLab's count (± vs reported, without norms as the catalog's own counts). 6ND: reported N × tokens.` +
            `\nApp. F: Hoffmann et al. 2022 App. F at the pretraining context (train_seq_len; Llama 3.1: 8192, not its 131072 release context),` +
            `\n  K/V projections at the KV heads; T5: encoder and decoder stacks (with cross-attention), each token through both.` +
            `\nsource: short citation; each row's full source, status and notes: scalelab models --json;` +
            `\n  per-family provenance: examples/published-models.PROVENANCE.md\n`,
        );
      }, f.json),
    );
}
