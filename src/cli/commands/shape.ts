import type { Command } from 'commander';
import { shapeSearch } from '../../model/shapeSearch.js';
import { kaplanNonEmbedding, type ModelShape, parameterCount } from '../../model/shape.js';
import { chinchillaFlopsPerToken, deepseekM, kaplanFlopsPerToken } from '../../model/flops.js';
import { formatNumber } from '../../core/format.js';
import { textTable } from '../../core/table.js';
import { ScaleLabError, UsageError } from '../../errors/index.js';
import { sizeSuffixOf } from '../../core/quantity.js';
import { keyword, parseInteger, parseQuantity } from '../options.js';
import { printJson, writeStdout } from '../output.js';
import { deprecatedAlias, flag } from '../flags.js';
import { commandFlagNamer } from '../optionFlags.js';
import { loadCatalog } from '../../catalog/load.js';
import { nearestPublishedText, shapeTableHeader, shapeTableRows } from '../../report/text/plan.js';
import { describe, findModel, nearestPublished } from '../../catalog/models.js';
import type { Run } from '../output.js';

interface ShapeFlags {
  N?: string;
  layers?: string;
  dModel?: string;
  heads?: string;
  kvHeads?: string;
  dFf?: string;
  count: string;
  countTolerance: string;
  aspect: string;
  mlp: string;
  gqa: string;
  headsMultiple: string;
  vocab: string;
  seqLen: string;
  tied?: boolean;
  limit: string;
  like?: string;
  json?: boolean;
}

function accounting(shape: ModelShape) {
  const p = parameterCount(shape);
  return {
    shape,
    parameters: p,
    flopsPerToken: {
      sixN: 6 * p.total,
      sixNonEmbedding: 6 * p.nonEmbedding,
      kaplan: kaplanFlopsPerToken(shape),
      chinchilla: chinchillaFlopsPerToken(shape).training,
      deepseekM: deepseekM(shape.nLayer, shape.dModel, shape.seqLen),
    },
  };
}

/**
 * A parameter count in full with thousands separators while a double holds it exactly (up to 2^53);
 * beyond, its last digits are rounding, so it is written in the reports' e-notation.
 */
function exactCount(n: number): string {
  return Number.isSafeInteger(n) ? n.toLocaleString('en-US') : formatNumber(n);
}

/** Up to 4 divisors of n nearest to `near` (in ratio), ascending: the valid choices to suggest. */
function divisorsNear(n: number, near: number): number[] {
  const divisors: number[] = [];
  for (let k = 1; k * k <= n; k++) if (n % k === 0) divisors.push(k, n / k);
  return [...new Set(divisors)]
    .sort((a, b) => Math.abs(Math.log(a / near)) - Math.abs(Math.log(b / near)))
    .slice(0, 4)
    .sort((a, b) => a - b);
}

/** The divisor of n nearest `near` (in ratio; the larger on a tie). */
function nearestDivisor(n: number, near: number): number {
  let best = 1;
  for (let k = 1; k <= n; k++)
    if (n % k === 0 && Math.abs(Math.log(k / near)) <= Math.abs(Math.log(best / near))) best = k;
  return best;
}

/**
 * The search, with a size typed without its suffix (`--N 7` for 7B) said as that where the search finds no
 * shape: read as 7 parameters it is below every shape, and the advice about vocabularies misleads.
 */
function sizeSlip<T>(typed: string, target: number, search: () => T): T {
  try {
    return search();
  } catch (e) {
    const n = typed.trim();
    if (!(e instanceof ScaleLabError) || target >= 1e4 || sizeSuffixOf(n) !== undefined || !/^\d+(\.\d+)?$/.test(n))
      throw e;
    throw new UsageError(
      `--N ${n} reads ${n} parameters, below any model shape: did you mean ${n}B or ${n}M? (sizes take a suffix: 7B = 7e9)`,
    );
  }
}

export function registerShape(program: Command, run: Run): void {
  const shape = program
    .command('shape')
    .description('propose transformer shapes for a parameter target, or count the parameters and FLOPs of a shape')
    .addOption(flag('N', { detail: 'the target to find shapes for (a total or non-embedding count: --count)' }))
    .option('--layers <n>', 'count mode: n_layer of a given shape')
    .option('--d-model <n>', 'count mode: d_model')
    .option('--heads <n>', 'count mode: attention heads (default d_model/64)')
    .option('--kv-heads <n>', 'count mode: key/value heads (GQA)')
    .option('--d-ff <n>', 'count mode: FFN width (default 4·d_model plain, 8/3·d_model gated)')
    .option('--count <which>', 'which count must hit --N: total or non-embedding', 'total')
    .option('--count-tolerance <fraction>', 'how far the count may miss --N, as a fraction of it', '0.05')
    .option('--aspect <ratio>', 'preferred d_model/n_layer', '100')
    .addOption(flag('mlp', { default: 'gated' }))
    .option('--gqa <ratio>', 'query heads per KV head (1 = multi-head attention)', '1')
    .option(
      '--heads-multiple <k>',
      'search: n_heads a multiple of k (tensor parallelism over k GPUs splits whole heads)',
      '1',
    )
    .addOption(flag('vocab', { default: '32000' }))
    .addOption(flag('seq-len', { detail: 'the context, for FLOPs per token', default: '4096' }))
    .option('--tied', 'tie input and output embeddings')
    .option('--limit <n>', 'how many shapes to list', '5')
    .option(
      '--like <model>',
      'in the style of a published model (its MLP, FFN ratio, GQA, vocabulary, tying), e.g. llama-2-70b',
    )
    .addOption(flag('json'))
    .addHelpText(
      'after',
      `
Examples:
  scalelab shape --N 7e9
  scalelab shape --N 1.3e9 --mlp plain --vocab 50257 --gqa 1
  scalelab shape --layers 12 --d-model 768 --mlp plain --vocab 50257 --seq-len 1024 --tied`,
    );
  deprecatedAlias(shape, '--params <n>', '--N');
  deprecatedAlias(shape, '--tolerance <fraction>', '--count-tolerance');
  shape.action(async (flags: ShapeFlags) =>
    run(async () => {
      const typed = (...keys: (keyof ShapeFlags)[]) => keys.filter((k) => shape.getOptionValueSource(k) === 'cli');
      const named = (keys: (keyof ShapeFlags)[]) => keys.map((k) => commandFlagNamer(shape)(k)).join(', ');
      // Each mode's own flags typed in the other would go unused in silence: refused, naming the mode they belong to.
      const countMode = Boolean(flags.layers || flags.dModel);
      const searchOnly = typed('like', 'count', 'countTolerance', 'aspect', 'gqa', 'headsMultiple', 'limit');
      if (countMode && searchOnly.length)
        throw new UsageError(
          `${named(searchOnly)}: read when searching shapes for --N; --layers and --d-model count one shape (use --kv-heads for GQA there)`,
        );
      const countOnly = typed('heads', 'kvHeads', 'dFf');
      if (!countMode && countOnly.length)
        throw new UsageError(
          `${named(countOnly)}: read when counting one shape (--layers and --d-model); a search for --N chooses them (--gqa sets the KV heads' ratio)`,
        );
      const mlp = keyword(flags.mlp, '--mlp', ['gated', 'plain'] as const);
      const vocab = parseInteger(flags.vocab, '--vocab', 1);
      const seqLen = parseInteger(flags.seqLen, '--seq-len', 1);
      if (countMode) {
        if (!flags.layers || !flags.dModel) throw new UsageError('count mode needs both --layers and --d-model');
        // --N is the target of a search; counting a given shape has no use for it (it was ignored in silence).
        if (flags.N !== undefined)
          throw new UsageError(
            '--N searches shapes for a parameter target, --layers and --d-model count the parameters of one shape: give one or the other',
          );
        const nLayer = parseInteger(flags.layers, '--layers', 1),
          dModel = parseInteger(flags.dModel, '--d-model', 1);
        // Each head takes a whole slice of d_model, and each KV head serves a whole group of query heads.
        // Only a head count the user gave is refused: the default (heads of 64) is ours to choose, and with
        // multi-head attention the parameter count does not depend on it.
        const rounded = Math.max(1, Math.round(dModel / 64));
        const nHeads = flags.heads
          ? parseInteger(flags.heads, '--heads', 1)
          : dModel % rounded === 0
            ? rounded
            : nearestDivisor(dModel, dModel / 64);
        if (dModel % nHeads !== 0)
          throw new UsageError(
            `--d-model ${dModel} is not a multiple of --heads ${nHeads}: each head takes d_model/heads dimensions, a whole number; give --heads dividing ${dModel} (${divisorsNear(dModel, nHeads).join(', ')})`,
          );
        if (nHeads !== rounded && !flags.heads)
          process.stderr.write(
            `note: d_model ${dModel} is not a multiple of ${rounded} heads (d_model/64 rounded, the default): counted with ${nHeads} heads of ${dModel / nHeads}, the head count nearest it that divides d_model (with multi-head attention the parameter count is the same for any; give --heads to choose)\n`,
          );
        const nKvHeads = flags.kvHeads ? parseInteger(flags.kvHeads, '--kv-heads', 1) : nHeads;
        if (nKvHeads > nHeads || nHeads % nKvHeads !== 0)
          throw new UsageError(
            `--kv-heads ${nKvHeads} does not divide ${nHeads} heads: each key/value head serves a whole group of query heads, so --kv-heads must divide --heads (${divisorsNear(nHeads, nKvHeads).join(', ')})`,
          );
        const shape: ModelShape = {
          nLayer,
          dModel,
          nHeads,
          nKvHeads,
          headDim: dModel / nHeads,
          dFf: flags.dFf
            ? parseInteger(flags.dFf, '--d-ff', 1)
            : mlp === 'gated'
              ? Math.round((8 / 3) * dModel)
              : 4 * dModel,
          vocab,
          seqLen,
          mlp,
          tiedEmbeddings: flags.tied ?? false,
        };
        const a = accounting(shape);
        if (flags.json) return printJson(a);
        const p = a.parameters,
          f = a.flopsPerToken;
        writeStdout(
          [
            `Shape: ${nLayer} layers × d_model ${dModel}, ${nHeads} heads of ${dModel / nHeads}${nKvHeads !== nHeads ? ` (${nKvHeads} key/value heads)` : ''}, d_ff ${shape.dFf} (${mlp}), vocab ${vocab}, context ${seqLen}${shape.tiedEmbeddings ? ', tied embeddings' : ''}`,
            `Parameters: total ${exactCount(p.total)}; non-embedding ${exactCount(p.nonEmbedding)} (attention ${exactCount(p.attention)}, MLP ${exactCount(p.mlp)}); embeddings ${exactCount(p.embedding)}; output head ${exactCount(p.unembedding)}; norms ${exactCount(p.norms)}`,
            `Kaplan's 12·n_layer·d_model² = ${exactCount(kaplanNonEmbedding(nLayer, dModel))}`,
            `Training FLOPs per token: 6N ${formatNumber(f.sixN, 4)}; 6N non-embedding ${formatNumber(f.sixNonEmbedding, 4)}; Kaplan with attention ${formatNumber(f.kaplan.training, 4)} (context share ${(f.kaplan.contextShare * 100).toFixed(1)} %); Chinchilla App. F ${formatNumber(f.chinchilla, 4)}; DeepSeek M ${formatNumber(f.deepseekM, 4)}`,
          ].join('\n') + '\n',
        );
        return;
      }
      if (!flags.N) throw new UsageError('give --N to search shapes, or --layers and --d-model to count one');
      const target = parseQuantity(flags.N, '--N');
      const catalog = loadCatalog();
      const style = flags.like ? describe(findModel(catalog, flags.like)) : undefined;
      // In a family's style, what the user typed still wins: "like llama-2-7b with our 100k vocabulary" kept
      // Llama's 32,000 in silence before. `own(k)` is true where the flag, not the style, decides.
      const own = (k: keyof ShapeFlags) => !style || typed(k).length > 0;
      const aspect = own('aspect') ? parseQuantity(flags.aspect, '--aspect') : style!.aspectRatio;
      const candidates = sizeSlip(flags.N, target, () =>
        shapeSearch(target, {
          count:
            keyword(flags.count, '--count', ['total', 'non-embedding'] as const) === 'total' ? 'total' : 'nonEmbedding',
          tolerance: parseQuantity(flags.countTolerance, '--count-tolerance'),
          aspect,
          mlp: own('mlp') ? mlp : (style!.shape.mlp ?? 'plain'),
          ...(style ? { headDims: [style.headDim] } : {}),
          ...(style && !own('mlp') ? { ffnRatio: style.ffnRatio } : {}),
          gqa: own('gqa') ? parseInteger(flags.gqa, '--gqa', 1) : style!.gqaRatio,
          vocab: own('vocab') ? vocab : style!.shape.vocab || vocab,
          seqLen: own('seqLen') ? seqLen : style!.shape.seqLen,
          tiedEmbeddings: own('tied') ? (flags.tied ?? false) : style!.shape.tiedEmbeddings,
          limit: parseInteger(flags.limit, '--limit', 1),
          headsMultipleOf: parseInteger(flags.headsMultiple, '--heads-multiple', 1),
        }),
      );
      const yours = typed('aspect', 'mlp', 'gqa', 'vocab', 'seqLen', 'tied')
        .map((k) => (k === 'tied' ? named([k]) : `${named([k])} ${String(flags[k])}`))
        .join(', ');
      const styleNote = style ? `In the style of ${style.name}${yours ? `, with your ${yours}` : ''}.\n` : '';
      // Without --like the search's style is ours: its MLP, vocabulary, tying, context and GQA change the
      // params column (an untied 32000-token embedding is in it), so each says whether it was typed.
      const settings: [keyof ShapeFlags, string][] = [
        ['mlp', `${mlp} MLP`],
        ['vocab', `vocabulary ${vocab}`],
        ['tied', flags.tied ? 'tied embeddings' : 'untied embeddings'],
        ['seqLen', `context ${seqLen}`],
        ['gqa', `GQA ${flags.gqa}:1`],
      ];
      const untyped = settings.filter(([k]) => typed(k).length === 0).map(([k]) => k);
      const settingsLine = style
        ? ''
        : `with ${settings.map(([k, text]) => `${text}${untyped.includes(k) ? ` (default, ${named([k])})` : ''}`).join(', ')}\n`;
      // Tensor parallelism splits whole heads: a first choice of 29 heads does not go over 8 GPUs.
      const headsMultiple = parseInteger(flags.headsMultiple, '--heads-multiple', 1);
      const tpNote =
        headsMultiple === 1 && candidates[0].shape.nHeads % 8 !== 0
          ? `note: rank 1 has ${candidates[0].shape.nHeads} heads, which do not split evenly over 8 GPUs of tensor parallelism; ${named(['headsMultiple'])} 8 keeps only shapes that do\n`
          : '';
      // The published models nearest to the target in size (and, among those, in aspect ratio).
      const nearest = nearestPublished(catalog, target, candidates[0].aspectRatio);
      if (flags.json)
        return printJson({
          target,
          like: style?.id,
          ...(style
            ? {
                yourFlags: typed('aspect', 'mlp', 'gqa', 'vocab', 'seqLen', 'tied').map((k) =>
                  commandFlagNamer(shape)(k),
                ),
              }
            : {}),
          aspect,
          // The flags of the search's style left at their defaults (without --like: --mlp, --vocab, …).
          ...(style ? {} : { defaults: untyped.map((k) => commandFlagNamer(shape)(k)) }),
          candidates: candidates.map((c) => ({ ...accounting(c.shape), error: c.error, aspectRatio: c.aspectRatio })),
          nearestPublished: nearest,
        });
      writeStdout(
        styleNote +
          `Shapes for ${formatNumber(target, 4)} parameters (${flags.count}), ranked by aspect ratio near ${formatNumber(aspect, 3)} and size error${settingsLine ? ',' : ':'}\n` +
          settingsLine +
          textTable([...shapeTableHeader], shapeTableRows(candidates)) +
          `\n${nearestPublishedText(nearest)}${style ? `\nin the style of ${style.name}: ${style.shape.mlp} MLP, FFN ratio ${style.ffnRatio.toFixed(2)}, GQA ${style.gqaRatio}:1, vocabulary ${style.shape.vocab}, head_dim ${style.headDim}${yours ? ` (yours instead: ${yours})` : ''}` : ''}\n` +
          tpNote,
      );
    }, flags.json),
  );
}
