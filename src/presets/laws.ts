/**
 * Published law fits, as presets with their citation. A number that comes from a preset says so
 * in every output ("law chinchilla, preset epoch-2024: Besiroglu et al. 2024 …"); none is a silent
 * default. Values and their sources: docs/methods.md §4, §9, §11 and §12.
 */
import { UsageError } from '../errors/index.js';
import { didYouMean } from '../core/names.js';
import { dataConstrained } from '../laws/dataConstrained.js';

export interface LawPreset {
  id: string;
  law: string;
  params: Record<string, number>;
  citation: string;
  /** What the parameters count (a preset is valid only with its own N definition). */
  note: string;
  /**
   * The N and D (tokens) of the runs it was fitted to, as the source states them: a prediction or plan
   * beyond them is an extrapolation of the preset, warned as one of a fit's own data is.
   */
  ranges: { N: [number, number]; D: [number, number] };
  /** Where the ranges come from. */
  rangesSource: string;
}

/** Hoffmann et al. 2022's runs, as their abstract states them; shared by the presets refitted or reused from them. */
const CHINCHILLA_RUNS = {
  ranges: { N: [7e7, 1.6e10], D: [5e9, 5e11] } as LawPreset['ranges'],
  rangesSource:
    'Hoffmann et al. 2022, abstract: "over 400 language models ranging from 70 million to over 16 billion parameters on 5 to 500 billion tokens"',
};

export const lawPresets: readonly LawPreset[] = [
  {
    id: 'hoffmann-2022',
    law: 'chinchilla',
    params: { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 },
    citation: 'Hoffmann et al. 2022, arXiv:2203.15556, Eq. 10 (printed, rounded constants)',
    note: 'N counts all parameters; loss on MassiveText. The rounded β = 0.28 (TeX 0.2849) shifts N_opt noticeably.',
    ...CHINCHILLA_RUNS,
  },
  {
    id: 'hoffmann-2022-tex',
    law: 'chinchilla',
    params: { E: 1.6934, A: Math.exp(6.0073404), B: Math.exp(6.0179186), alpha: 0.3392, beta: 0.2849 },
    citation:
      "Hoffmann et al. 2022, arXiv:2203.15556, Eq. 10 as in the TeX source (E = 1.6934, α = 0.3392, β = 0.2849; ln A, ln B from Epoch's notebook)",
    note: 'N counts all parameters. Reproduces the paper\'s "40B at the Gopher budget".',
    ...CHINCHILLA_RUNS,
  },
  {
    id: 'epoch-2024',
    law: 'chinchilla',
    params: { E: 1.8172, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 },
    citation:
      'Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt", arXiv:2404.10102 (refit of Hoffmann et al.\'s Fig. 4 data)',
    note: 'N counts all parameters; 240 digitised Chinchilla runs.',
    ranges: { N: [5.73e7, 1.62e10], D: [8.19e8, 3.18e11] },
    rangesSource: 'the 240 digitised runs it was fitted to, examples/chinchilla.csv',
  },
  {
    id: 'sardana-2024',
    law: 'chinchilla',
    params: { E: 1.69, A: 406.4, B: 410.7, alpha: 0.336, beta: 0.283 },
    citation:
      'Sardana et al. 2024, "Beyond Chinchilla-Optimal", arXiv:2401.00448, App. A (Chinchilla fit as they use it)',
    note: "N counts all parameters. Use these exponents to reproduce Sardana's inference-aware examples.",
    ...CHINCHILLA_RUNS,
  },
  {
    id: 'muennighoff-2023',
    law: 'data-constrained',
    // The law's own example is this fit (src/laws/dataConstrained.ts): one copy of the constants.
    params: { ...dataConstrained.example!.params },
    citation:
      'Muennighoff et al. 2023, "Scaling Data-Constrained Language Models", arXiv:2305.16264 (C4 fit with α = β; R*_D = 15.387756, R*_N = 5.309743; huggingface/datablations)',
    note: 'N counts all parameters; loss on C4 with the GPT-2 tokenizer; every run used dropout 0.1 and weight decay 0.1.',
    // The abstract gives the largest only; no smaller bound is stated, so none is warned.
    ranges: { N: [0, 9e9], D: [0, 9e11] },
    rangesSource:
      'Muennighoff et al. 2023, abstract: "ranging up to 900 billion training tokens and 9 billion parameter models"',
  },
  {
    id: 'kaplan-2020',
    law: 'kaplan-nd',
    params: { N_c: 6.4e13, D_c: 1.8e13, alpha_N: 0.076, alpha_D: 0.103 },
    citation: 'Kaplan et al. 2020, arXiv:2001.08361, Eq. 1.5 with the Table-2 fit',
    note: 'N is non-embedding parameters; loss on WebText2 with GPT-2 BPE; early-stopped.',
    ranges: { N: [768, 1.5e9], D: [2.2e7, 2.3e10] },
    rangesSource:
      'Kaplan et al. 2020, arXiv:2001.08361: models of 768 to 1.5 billion non-embedding parameters, datasets of 22 million to 23 billion tokens',
  },
];

export function lawPreset(id: string): LawPreset {
  const p = lawPresets.find((x) => x.id === id);
  if (!p) {
    const ids = lawPresets.map((x) => x.id);
    throw new UsageError(`unknown preset "${id}" (${didYouMean(id, ids)}known: ${ids.join(', ')})`);
  }
  return p;
}

/**
 * The parameters a fit from preset `id` holds fixed: all of the preset's but `free`, then `fix` (which
 * overrides the preset's value). The preset must be a fit of `lawId`, and `free` must name its parameters.
 */
export function presetFix(
  id: string,
  lawId: string,
  free: readonly string[],
  fix: Record<string, number> = {},
): Record<string, number> {
  const preset = lawPreset(id);
  if (preset.law !== lawId)
    throw new UsageError(
      (name) => `${name('preset')} ${preset.id} is a ${preset.law} fit; use it with ${name('law')} ${preset.law}`,
    );
  for (const p of free)
    if (!(p in preset.params))
      throw new UsageError(
        (name) =>
          `${name('free')}: law ${lawId} has no parameter "${p}" (its parameters: ${Object.keys(preset.params).join(', ')})`,
      );
  return { ...Object.fromEntries(Object.entries(preset.params).filter(([k]) => !free.includes(k))), ...fix };
}
