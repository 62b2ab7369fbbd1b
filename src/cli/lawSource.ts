/**
 * Where a command's law comes from: a saved fit (--fit), a published preset (--preset), or
 * parameters on the command line (--law … --params …). Whichever it is, the output names it.
 */
import { readText } from '../io/readRuns.js';
import { loadFit } from '../fit/summary.js';
import { rowsOfRuns } from '../fit/report.js';
import type { PredictiveMember } from '../fit/candidate.js';
import type { TrustWarning } from '../fit/warnings.js';
import { getLaw, lawIdsWithOption, paramsWithRole, type Law } from '../laws/index.js';
import { nonFallingExponents, unvariedInputs } from '../analyses/predictFit.js';
import { lawPreset, lawPresets } from '../presets/laws.js';
import { nCountOfColumn, splitNotIdentified, type PlanInput } from '../analyses/plan.js';
import { InputError, renameOptions, UsageError, type ScaleLabError } from '../errors/index.js';
import { fitCommandFlag } from './optionFlags.js';
import { smallSizeNotes } from './sizeNote.js';
import { parseAssignments } from './options.js';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { lineColumn, lineStartsOf } from '../io/textPosition.js';
import { plain } from '../core/format.js';
import { exponentSlip } from '../core/slips.js';
import { parseSuffixedNumber } from '../core/quantity.js';

export interface LawSource {
  law: Law;
  params: Record<string, number>;
  replicates: Record<string, number>[];
  /** One line for reports: which law and where its numbers come from. */
  provenance: string;
  /** Bootstrap level of the replicates. */
  level: number;
  /** From a fit: what each bootstrap replicate drew (lineages, runs or rows). */
  unit?: 'lineage' | 'run' | 'row';
  /** Data ranges the fit saw, when from a fit; a preset's runs' N and D, when from a preset. */
  ranges?: Record<string, [number, number]>;
  /** Whose data the ranges are, for warnings ("the fit's data", "preset hoffmann-2022's runs"). */
  rangesOf?: string;
  /** Where a preset's ranges come from (its paper). */
  rangesSource?: string;
  /** From a fit: the predictive ensemble (auto's weighted candidates, or the fit alone). */
  members?: PredictiveMember[];
  /** From a fit: the procedure whose law is reported (for `auto`, one of `members`). */
  chosen?: string;
  /** From a fit: how it was fitted (`auto`, a recipe, or custom flags). */
  procedure?: string;
  /** From a fit: its trust warnings of severity warning or severe, to repeat wherever it is used. */
  fitWarnings?: TrustWarning[];
  /** From a fit: why its split of a budget between N and D is not the data's (splitNotIdentified). */
  split?: Pick<PlanInput, 'splitUnidentified' | 'splitUnidentifiedCode'>;
  /** From a preset: its note, which says what its N counts and what its loss is on. */
  note?: string;
  /** From a fit whose data's N column says so (non_embedding_params): the law's N is non-embedding. */
  nCount?: 'nonEmbedding';
  /** Where the numbers were read: a fit file (to locate a field in it) or a flag. */
  origin?: { file: string; text: string } | { flag: string };
}

export interface LawFlags {
  fit?: string;
  preset?: string;
  law?: string;
  params?: string;
  /** Variable of power laws. */
  x?: string;
  /** Breaks of a law given by --law and --params (bnsl); a fit and a preset bring their own. */
  breaks?: number;
}

/** The laws whose breaks --breaks gives (bnsl), for the messages that name them. */
function breakLaws(): string {
  return lawIdsWithOption('breaks').join(', ');
}

export const lawFlagsHelp = `--fit FILE (from "scalelab fit --out FILE"), --preset NAME (${lawPresets.map((p) => p.id).join(', ')}) or --law NAME --params A=…,B=…`;

export function resolveLaw(flags: LawFlags, fallbackPreset?: string): LawSource {
  const given = [flags.fit && '--fit', flags.preset && '--preset', flags.law && '--law'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give one of --fit, --preset or --law, not ${given.join(' and ')}`);
  // A model's parameter count typed as --params (predict FIT --params 1.3B): said as what it is.
  if (flags.params !== undefined && !flags.params.includes('=') && Number.isFinite(parseSuffixedNumber(flags.params)))
    throw new UsageError(
      `--params takes a law's parameters as NAME=VALUE pairs (e.g. --law chinchilla --params E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28), not a model size: a model of ${flags.params.trim()} parameters is --N ${flags.params.trim()} (scalelab predict FIT --N ${flags.params.trim()} --D TOKENS)`,
    );
  // --params without --law was silently unused: the fit's or the preset's constants were printed as if it held.
  if (flags.params !== undefined && !flags.law) {
    const source = flags.fit
      ? '--fit brings its own, so it would not be used'
      : flags.preset
        ? '--preset brings its own, so it would not be used'
        : fallbackPreset
          ? `the default preset (${fallbackPreset}) brings its own, so it would not be used`
          : 'no --law is given';
    throw new UsageError(
      `--params gives the parameters of --law NAME; ${source}: give --law NAME --params … (e.g. --law chinchilla --params E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28), or leave --params out`,
    );
  }
  // --breaks sets the law built from --params: beside a fit or a preset it was silently unused.
  if (flags.breaks !== undefined && !flags.law && !flags.fit)
    throw new UsageError(
      `--breaks is read with --law ${breakLaws()} and --params (how many breaks those parameters describe)${flags.preset ? `; preset ${flags.preset} brings its own law` : ''}`,
    );
  if (flags.fit) {
    const text = readText(flags.fit, 'a fit (JSON written by "scalelab fit --out FILE")');
    // A file of runs given where a fit belongs (predict runs.csv): said as that, with the fit to make first,
    // not as malformed JSON.
    const start = text.replace(/^\uFEFF/, '').trimStart();
    if (!start.startsWith('{') || /\.(csv|tsv|jsonl|ndjson)$/i.test(flags.fit)) {
      const runs = /\.(csv|tsv|jsonl|ndjson)$/i.test(flags.fit) || start.startsWith('[');
      if (runs)
        throw new InputError(
          { file: flags.fit },
          `a file of runs, not a fit: fit it first ("scalelab fit ${flags.fit} --out fit.json"), then give the fit (fit.json)`,
        );
    }
    const f = loadFit(text, flags.fit);
    // Sizes fitted in millions or billions (fit said so while the file was at hand): said again where the
    // fit is used, since a plan from it allocates in those units and reads as one in parameters.
    const { N: rangeN, D: rangeD } = f.json.data.ranges;
    for (const note of smallSizeNotes(`the data of fit ${flags.fit} (${f.json.data.source})`, {
      ...(rangeN ? { N: rangeN[1] } : {}),
      ...(rangeD ? { D: rangeD[1] } : {}),
    }))
      process.stderr.write(`${note.replace('or scale the column', 'or scale the column, and fit again')}\n`);
    if (flags.breaks !== undefined)
      throw new UsageError(
        `--breaks: the fit brings its own (law ${f.law.id}${f.law.options?.breaks !== undefined ? ` with ${f.law.options.breaks} break${f.law.options.breaks === 1 ? '' : 's'}` : ', which has no breaks'}); --breaks is read with --law ${breakLaws()} and --params`,
      );
    return {
      origin: { file: flags.fit, text },
      law: f.law,
      params: f.params,
      replicates: f.replicates,
      provenance: `law ${f.law.id} fitted to ${f.json.data.source} (${rowsOfRuns({ runs: f.json.points, ...(f.json.data.trainingRuns !== undefined ? { trainingRuns: f.json.data.trainingRuns } : {}) })}; fit ${flags.fit}${f.replicates.length ? `, ${f.replicates.length} bootstrap replicates` : ''})`,
      level: f.json.bootstrap?.level ?? 0.95,
      unit: f.json.bootstrap?.unit,
      ranges: f.json.data.ranges,
      ...(nCountOfColumn(f.json.data.columns?.N) ? { nCount: 'nonEmbedding' as const } : {}),
      members: f.members,
      chosen: f.json.procedure?.chosen,
      procedure: f.json.procedure?.id,
      split: splitNotIdentified(f.json),
      fitWarnings: f.json.warnings
        .filter((w) => w.severity !== 'info')
        // The fit's advice names `fit`'s flags with the command (`scalelab fit --init grid`): the
        // command reading the fit takes none of them.
        .map((w) => ({ ...w, message: `the fit: ${renameOptions(w.message, fitCommandFlag)}` })),
    };
  }
  if (flags.law) {
    const readsBreaks = lawIdsWithOption('breaks').includes(flags.law);
    if (flags.breaks !== undefined && !readsBreaks)
      throw new UsageError(`--breaks is read with --law ${breakLaws()} (law ${flags.law} has no breaks)`);
    const law = getLaw({
      law: flags.law,
      x: (flags.x ?? 'N') as 'N' | 'D' | 'C',
      ...(flags.breaks !== undefined ? { breaks: flags.breaks } : {}),
    });
    if (!flags.params)
      throw new UsageError(`--law ${law.id} needs --params with ${law.params.map((p) => p.name).join(', ')}`);
    const params = parseAssignments(flags.params, '--params');
    for (const p of law.params)
      if (params[p.name] === undefined)
        throw new UsageError(
          `--params: missing ${p.name} (law ${law.id} has ${law.params.map((q) => q.name).join(', ')})${readsBreaks ? breaksHint(law, params) : ''}`,
        );
    // A name the law does not have is a typo or the wrong law: ignoring it would print it as if used.
    const extra = Object.keys(params).filter((k) => !law.params.some((p) => p.name === k));
    if (extra.length)
      throw new UsageError(
        `--params: ${extra.join(', ')} ${extra.length === 1 ? 'is not a parameter' : 'are not parameters'} of law ${law.id} (its parameters: ${law.params.map((q) => q.name).join(', ')})${readsBreaks ? breaksHint(law, params) : ''}`,
      );
    for (const p of paramsWithRole(law, 'exponent')) {
      const slip = exponentSlip(params[p.name]);
      if (slip) throw new UsageError(`--params ${p.name}: ${slip}`);
    }
    return {
      law,
      params,
      replicates: [],
      provenance: `law ${law.id} with parameters given on the command line`,
      level: 0.95,
      origin: { flag: '--params' },
    };
  }
  const id = flags.preset ?? fallbackPreset;
  if (!id) throw new UsageError(`give the law: ${lawFlagsHelp}`);
  const preset = lawPreset(id);
  return {
    law: getLaw(preset.law),
    params: preset.params,
    replicates: [],
    provenance: `law ${preset.law}, preset ${preset.id}${flags.preset ? '' : ' (the default; choose with --fit or --preset)'}: ${preset.citation}`,
    level: 0.95,
    ranges: preset.ranges,
    rangesOf: `the runs of preset ${preset.id}`,
    rangesSource: preset.rangesSource,
    note: preset.note,
  };
}

/**
 * For a broken power law whose --params name more (or fewer) breaks than it was built with: the
 * --breaks they describe (the highest i of c_i, d_i, f_i), so the user need not count.
 */
function breaksHint(law: Law, params: Record<string, number>): string {
  const described = Math.max(0, ...Object.keys(params).map((k) => Number(/^[cdf]([1-9]\d*)$/.exec(k)?.[1] ?? 0)));
  const built = law.options?.breaks ?? 0;
  if (described === built) return '';
  return `: give --breaks ${described} for a law with ${described} break${described === 1 ? '' : 's'} (this one has ${built})`;
}

/**
 * An error about one field of where the law came from: in a fit file, located at the field's line
 * and column (`fit.json:9:14`); from --params, naming the flag.
 */
export function lawSourceError(source: LawSource, path: (string | number)[], detail: string): ScaleLabError {
  const origin = source.origin;
  if (origin && 'file' in origin) {
    const root = parseTree(origin.text);
    const node = root ? findNodeAtLocation(root, path) : undefined;
    const at = node ? lineColumn(lineStartsOf(origin.text), node.offset) : undefined;
    return new InputError({ file: origin.file, ...at, columnName: path.join('.') }, detail);
  }
  return new UsageError(
    origin ? `${origin.flag}${path.length > 1 ? ` ${path[path.length - 1]}` : ''}: ${detail}` : detail,
  );
}

/**
 * A law that is to allocate a compute budget between N and D needs loss to fall with both, and
 * (from a fit) runs that varied both.
 * @throws a located error (fit file) or a usage error (--params) naming the field
 */
export function checkAllocatable(source: LawSource): void {
  const [bad] = nonFallingExponents(source);
  if (bad) {
    throw lawSourceError(
      source,
      ['params', bad.name],
      `the law's ${bad.name} = ${plain(bad.value)} is not positive: loss does not fall with ${bad.variable === 'N' ? 'model size' : bad.variable === 'D' ? 'data' : bad.variable}, so there is no compute-optimal allocation`,
    );
  }
  const [flat] = unvariedInputs(source).filter((u) => u.variable === 'N' || u.variable === 'D');
  if (flat) {
    throw lawSourceError(
      source,
      ['data', 'ranges', flat.variable],
      `the fit's runs all had ${flat.variable} = ${plain(flat.value)}: its ${flat.variable} term is not determined by them, so it cannot allocate compute between N and D (refit on runs that vary ${flat.variable})`,
    );
  }
}
