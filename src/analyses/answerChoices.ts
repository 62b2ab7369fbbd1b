/**
 * The random-guess accuracy of the common multiple-choice benchmarks, from each one's number of answer
 * choices (1 / choices), so that a ladder evaluated on hellaswag or piqa is checked for "near chance" and its
 * sigmoid floored at chance without a manifest or an option saying so. A task whose name is not recognised
 * gets no level: a wrong one would call a task near chance, or floor its sigmoid, on a guess. Pure.
 *
 * The choice counts are the datasets' own, as their papers describe them (and as the lm-evaluation-harness
 * and OLMES task definitions score them, one log-likelihood per choice):
 *   HellaSwag 4 endings (Zellers et al. 2019); PIQA 2 solutions (Bisk et al. 2020); ARC-Easy and
 *   ARC-Challenge 4 options, a few questions 3 or 5 (Clark et al. 2018); WinoGrande 2 options (Sakaguchi et
 *   al. 2020); BoolQ yes/no (Clark et al. 2019); OpenBookQA 4 (Mihaylov et al. 2018); SciQ 4 (Welbl et al.
 *   2017); CommonsenseQA 5 (Talmor et al. 2019); Social IQa 3 (Sap et al. 2019); MMLU 4, every subject
 *   (Hendrycks et al. 2021); COPA 2 alternatives (Roemmele et al. 2011); LogiQA 4 (Liu et al. 2020);
 *   the Winograd schema challenge 2 candidates (Levesque et al. 2012; SuperGLUE's WSC, a yes/no, 2 too).
 * Random guessing is not the majority class: BoolQ's "yes" alone scores about 0.62 (Clark et al. 2019).
 */
import type { TaskDefinition } from '../io/parseTaskMetrics.js';

interface Benchmark {
  /** The benchmark's usual name, as the output says it. */
  name: string;
  choices: number;
  /** Where not every question has that many choices: what the count is of. */
  mixed?: string;
}

const arcMixed = 'most questions; a few have 3 or 5';
/** Each benchmark under the names its common task definitions give it (lm-evaluation-harness, OLMES, the OLMo ladder). */
const BENCHMARKS: [names: string[], benchmark: Benchmark][] = [
  [['hellaswag'], { name: 'HellaSwag', choices: 4 }],
  [['piqa'], { name: 'PIQA', choices: 2 }],
  [['arc_easy', 'arc_e'], { name: 'ARC-Easy', choices: 4, mixed: arcMixed }],
  [['arc_challenge', 'arc_c'], { name: 'ARC-Challenge', choices: 4, mixed: arcMixed }],
  [['ai2_arc'], { name: 'ARC', choices: 4, mixed: arcMixed }],
  [['winogrande'], { name: 'WinoGrande', choices: 2 }],
  [['boolq'], { name: 'BoolQ', choices: 2 }],
  [['openbookqa', 'obqa'], { name: 'OpenBookQA', choices: 4 }],
  [['sciq'], { name: 'SciQ', choices: 4 }],
  [['commonsense_qa', 'commonsenseqa', 'csqa'], { name: 'CommonsenseQA', choices: 5 }],
  [['social_iqa', 'socialiqa', 'siqa'], { name: 'Social IQa', choices: 3 }],
  [['copa'], { name: 'COPA', choices: 2 }],
  [['logiqa'], { name: 'LogiQA', choices: 4 }],
  [['wsc', 'wsc273'], { name: 'WSC', choices: 2 }],
];

const MMLU: Benchmark = { name: 'MMLU', choices: 4 };
/** MMLU's 57 subjects, its four categories and OLMo's mean over them: lm-eval names each `mmlu_<subject>`. */
const MMLU_PARTS = new Set(
  (
    'abstract_algebra anatomy astronomy business_ethics clinical_knowledge college_biology college_chemistry ' +
    'college_computer_science college_mathematics college_medicine college_physics computer_security ' +
    'conceptual_physics econometrics electrical_engineering elementary_mathematics formal_logic global_facts ' +
    'high_school_biology high_school_chemistry high_school_computer_science high_school_european_history ' +
    'high_school_geography high_school_government_and_politics high_school_macroeconomics ' +
    'high_school_mathematics high_school_microeconomics high_school_physics high_school_psychology ' +
    'high_school_statistics high_school_us_history high_school_world_history human_aging human_sexuality ' +
    'international_law jurisprudence logical_fallacies machine_learning management marketing medical_genetics ' +
    'miscellaneous moral_disputes moral_scenarios nutrition philosophy prehistory professional_accounting ' +
    'professional_law professional_medicine professional_psychology public_relations security_studies ' +
    'sociology us_foreign_policy virology world_religions ' +
    'stem humanities social_sciences other avg'
  ).split(' '),
);

const byName = new Map(BENCHMARKS.flatMap(([names, b]) => names.map((n) => [n, b] as const)));

/**
 * Words a task name carries besides the benchmark's: the split (test, val), the format (rc: ranked
 * completions, mc: lettered choices, var: OLMo's variant prompt), the suite (olmes) and the shots. None
 * changes how many answers a question has.
 */
const VARIANT = /^(test|val|validation|dev|rc|mc|var|olmes|full|\d+shot|zeroshot|fewshot)$/;

/** The benchmark a task name is a variant of (hellaswag_val_5shot, arc_challenge:mc::olmes, mmlu_anatomy), if known. */
function benchmarkOf(task: string): Benchmark | undefined {
  const words = task
    .toLowerCase()
    .replace(/(\d+)[\s_-]?shots?\b/g, '$1shot')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  // Only trailing words are dropped: a word inside the name may tell another benchmark (mmlu_pro, arc_challenge_mt).
  while (words.length > 1 && VARIANT.test(words[words.length - 1])) words.pop();
  const known = byName.get(words.join('_'));
  if (known) return known;
  if (words[0] === 'mmlu' && (words.length === 1 || MMLU_PARTS.has(words.slice(1).join('_')))) return MMLU;
  return undefined;
}

/**
 * Where a task's chance level came from: given for the analysis (every task's, or this one's by name), the
 * ladder's manifest (a study keeps its manifest's), the mean of an average's tasks' levels, or the
 * benchmark's number of answer choices.
 */
export type ChanceSource =
  | { from: 'option' }
  | { from: 'manifest' }
  | { from: 'parts' }
  | { from: 'answer choices'; benchmark: string; choices: number; mixed?: string };

/** A task's random-guess accuracy and where it came from: its definition's, else its benchmark's 1 / choices; none for an unknown task. */
export function taskChance(def: TaskDefinition): { level: number; source: ChanceSource } | undefined {
  if (def.chance !== undefined) return { level: def.chance, source: { from: def.chanceFrom ?? 'manifest' } };
  // A mean over parts is not one benchmark unless its own name says which (mmlu_avg): its parts may differ.
  const b = benchmarkOf(def.task);
  if (!b) return undefined;
  return {
    level: 1 / b.choices,
    source: { from: 'answer choices', benchmark: b.name, choices: b.choices, ...(b.mixed ? { mixed: b.mixed } : {}) },
  };
}
