/**
 * The library's advice is written for the command line ("map one with --columns loss=NAME", "run with
 * --bootstrap N"). In the browser it is said in the app's own words: where the control is and what to
 * choose. Messages may name a flag (`--bootstrap`) or, once errors carry it, an option name
 * (`bootstrap`, an OptionError's `option`): both map through `optionWords`.
 */

/** Where each command-line option the library's messages mention is found in the web app. */
export const optionControls: Record<string, string> = {
  bootstrap: '"Bootstrap replicates" in the Fit settings',
  columns: "the upload's column step",
  group: '"Runs to fit" in the Fit settings',
  procedure: '"Procedure" in the Fit settings',
  law: '"Law" (Procedure: custom law and loss)',
  loss: '"Loss" (Procedure: custom law and loss)',
  x: '"Variable" (Procedure: custom law and loss)',
  breaks: '"Breaks" (Procedure: custom law and loss)',
  tie: '"Procedure" in the Fit settings (tied-huber, tied-ls and gadre tie the exponents)',
  init: '"Procedure" in the Fit settings',
  target: '"Target compute" in the Fit settings',
  approach: '"Frontier approach" in the Fit settings',
  gpus: '"GPUs" in the planner',
  gpu: '"GPU type" in the planner',
  days: '"Days" in the planner',
  mfu: '"MFU" in the planner',
  compute: '"FLOPs" as the planner\'s budget',
  'inference-tokens': '"Inference tokens" in the planner',
  'batch-tokens': '"tokens per step" in the Downstream accuracy panel',
};

/**
 * Where the data came from: an upload has a column step, but bundled data and a study's runs do not, so
 * advice to "choose which column is U in the upload's column step" is one they cannot follow.
 */
export type DataOrigin = 'bundled' | 'upload' | 'study';

const originWords: Record<Exclude<DataOrigin, 'upload'>, string> = {
  bundled: 'this bundled data set',
  study: "the study's runs",
};

/**
 * A panel that reads a file of its own (compare, muP transfer) has no column step and its own controls:
 * what it says instead of the Fit settings' words. `columns` says how a missing column is given there.
 */
export interface PanelAdvice {
  columns?: (field: string) => string;
  controls?: Record<string, string>;
}

/** What to do about a column the data lack, for data of this origin. */
function missingColumnAdvice(field: string, origin: DataOrigin, panel: PanelAdvice = {}): string {
  if (panel.columns) return panel.columns(field);
  if (origin === 'upload') return `choose which column is ${field} in the upload's column step`;
  const has = `${originWords[origin]} ${origin === 'study' ? 'have' : 'has'} no ${field} column`;
  // A run column is wanted by Approach 1 (training curves), not by a law: another law would not help.
  return field === 'run'
    ? `${has}: upload a file of training curves with a run column`
    : `${has}: choose another law in the Fit settings, or upload a file with a ${field} column`;
}

/** Whole phrases first: they read better than a flag replaced on its own. */
const phrases = (origin: DataOrigin, panel: PanelAdvice): [RegExp, string | ((...m: string[]) => string)][] => {
  const control = (name: string) => panel.controls?.[name] ?? optionControls[name];
  return [
    // In parentheses it stays in parentheses: "no run column (map one …)" must not run on into "column choose …".
    [
      /(\()?map one with --columns ([A-Za-z]+)=NAME(\))?/g,
      (_m, open?: string, field?: string, close?: string) =>
        `${open && close ? '(' : ''}${missingColumnAdvice(field!, origin, panel)}${open && close ? ')' : ''}`,
    ],
    [
      /map one with --columns/g,
      () =>
        panel.columns
          ? panel.columns('each field')
          : origin === 'upload'
            ? "choose which column is which in the upload's column step"
            : `${originWords[origin]} cannot be given another column: upload a file with it`,
    ],
    [/\(or --columns run=NAME\)/g, () => `(or ${missingColumnAdvice('run', origin, panel)})`],
    [/\(?(?:re)?run with --bootstrap N\)?/g, () => `(choose ${control('bootstrap')})`],
    [/\(fit with bootstrap replicates\)/g, () => `(choose ${control('bootstrap')})`],
    [/no interval without --bootstrap/g, () => `no interval without a bootstrap (choose ${control('bootstrap')})`],
    [
      /\(filter with --group\)/g,
      () => '(choose one group under "Runs to fit" in the Fit settings, or a study\'s groups in the run store)',
    ],
    [
      /set --budgets or --tolerance/g,
      () => 'an IsoFLOP sweep has runs at a few fixed compute budgets, several model sizes each',
    ],
    [/(?:try|use) --init grid( or auto)?/g, () => `try another ${control('init')}`],
    // The downstream panel has no N of its own: each file names its runs' parameters.
    [
      /\(a column N, config\.model_num_parameters in an lm-eval results file, a ladder manifest's "N", or --N when importing\)/g,
      () =>
        `(a column N, config.model_num_parameters in an lm-eval results file or a ladder manifest's "N": the panel reads N from the files only)`,
    ],
  ];
};

/** `--name VALUE` or `--name=VALUE` or `--name`, for the generic replacement. */
const flag = /`?--([a-z][a-z-]*)(?:[ =]([A-Za-z0-9.=_<>-]+))?`?/g;

/** The library names an option as `option "inferenceTokens"`; read it as the flag it stands for. */
const libraryOptionName = /option "([A-Za-z]+)"/g;
const optionAsFlag = (name: string) =>
  `--${name === 'groups' ? 'group' : /^[A-Z]$/.test(name) ? name : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * A message of the library, with its command-line advice said in the web app's words, for data of this
 * origin (an upload's, unless told: the downstream and curve-law panels read uploads of their own).
 */
export function webAdvice(message: string, origin: DataOrigin = 'upload', panel: PanelAdvice = {}): string {
  let out = message.replace(libraryOptionName, (_m, name: string) => optionAsFlag(name));
  for (const [pattern, replacement] of phrases(origin, panel))
    out = out.replace(pattern, replacement as (...m: string[]) => string);
  out = out.replace(flag, (whole, name: string, value?: string) => {
    const control = panel.controls?.[name] ?? optionControls[name];
    if (!control) return whole;
    return value && !/^[A-Z]+$/.test(value) ? `${name} ${value} (${control})` : control;
  });
  return out;
}

/** Where to change an option an error names (an OptionError's `option`), if the app has it. */
export function optionAdvice(option: string | undefined): string | undefined {
  const control = option === undefined ? undefined : optionControls[option.replace(/^--/, '')];
  return control && `Change ${control}.`;
}
