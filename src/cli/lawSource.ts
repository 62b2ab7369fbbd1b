/**
 * Where a command's law comes from: a saved fit (--fit), a published preset (--preset), or
 * parameters on the command line (--law … --params …). Whichever it is, the output names it.
 */
import { readText } from '../io/readRuns.js';
import { loadFit } from '../fit/summary.js';
import type { PredictiveMember } from '../fit/candidate.js';
import type { TrustWarning } from '../fit/warnings.js';
import { getLaw, type Law } from '../laws/index.js';
import { lawPreset, lawPresets } from '../presets/laws.js';
import { UsageError } from '../errors/index.js';
import { parseAssignments } from './options.js';

export interface LawSource {
  law: Law;
  params: Record<string, number>;
  replicates: Record<string, number>[];
  /** One line for reports: which law and where its numbers come from. */
  provenance: string;
  /** Bootstrap level of the replicates. */
  level: number;
  /** Data ranges the fit saw, when from a fit. */
  ranges?: Record<string, [number, number]>;
  /** From a fit: the predictive ensemble (auto's weighted candidates, or the fit alone). */
  members?: PredictiveMember[];
  /** From a fit: how it was fitted (`auto`, a recipe, or custom flags). */
  procedure?: string;
  /** From a fit: its trust warnings of severity warning or severe, to repeat wherever it is used. */
  fitWarnings?: TrustWarning[];
}

export interface LawFlags {
  fit?: string;
  preset?: string;
  law?: string;
  params?: string;
  /** Variable of power laws. */
  x?: string;
}

export const lawFlagsHelp = `--fit FILE (from "scalelab fit --out FILE"), --preset NAME (${lawPresets.map((p) => p.id).join(', ')}) or --law NAME --params A=…,B=…`;

export function resolveLaw(flags: LawFlags, fallbackPreset?: string): LawSource {
  const given = [flags.fit && '--fit', flags.preset && '--preset', flags.law && '--law'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give one of --fit, --preset or --law, not ${given.join(' and ')}`);
  if (flags.fit) {
    const f = loadFit(readText(flags.fit), flags.fit);
    return {
      law: f.law,
      params: f.params,
      replicates: f.replicates,
      provenance: `law ${f.law.id} fitted to ${f.json.data.source} (${f.json.points} runs; fit ${flags.fit}${f.replicates.length ? `, ${f.replicates.length} bootstrap replicates` : ''})`,
      level: f.json.bootstrap?.level ?? 0.95,
      ranges: f.json.data.ranges,
      members: f.members,
      procedure: f.json.procedure?.id,
      fitWarnings: f.json.warnings.filter((w) => w.severity !== 'info').map((w) => ({ ...w, message: `the fit: ${w.message}` })),
    };
  }
  if (flags.law) {
    const law = getLaw({ law: flags.law, x: (flags.x ?? 'N') as 'N' | 'D' | 'C' });
    if (!flags.params) throw new UsageError(`--law ${law.id} needs --params with ${law.params.map((p) => p.name).join(', ')}`);
    const params = parseAssignments(flags.params, '--params');
    for (const p of law.params) if (params[p.name] === undefined) throw new UsageError(`--params: missing ${p.name} (law ${law.id} has ${law.params.map((q) => q.name).join(', ')})`);
    return { law, params, replicates: [], provenance: `law ${law.id} with parameters given on the command line`, level: 0.95 };
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
  };
}
