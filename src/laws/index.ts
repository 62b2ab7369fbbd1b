/**
 * The law registry: every law `--law` accepts, and the one place that knows them. To add a law,
 * write one file like chinchilla.ts and add it to `builtIn` below (laws/README.md walks through it);
 * `lawIds`, `getLaw`, the CLI's help, the web app's form, saved fits and worker threads follow from
 * the registry. Code outside src/laws reads what a law says of itself (its options, its parameters'
 * roles, its hooks), never its id.
 */
import type { Law, LawChoice, LawDefinition, LawOptionKey, LawOptions, LawVariable } from './law.js';
import { chinchilla } from './chinchilla.js';
import { kaplanNd } from './kaplanNd.js';
import { powerDefinition, power0Definition } from './power.js';
import { dataConstrained } from './dataConstrained.js';
import { bnslDefinition } from './bnsl.js';
import { UsageError } from '../errors/index.js';

export * from './law.js';
export { chinchilla } from './chinchilla.js';
export { kaplanNd } from './kaplanNd.js';
export { powerLaw, power0Law } from './power.js';
export { dataConstrained } from './dataConstrained.js';
export { bnslLaw } from './bnsl.js';

/** A law's choice as a fit's JSON saves it: the id and each option under its `json` field. */
export interface LawChoiceJson {
  law: string;
  /** The single variable of a one-variable law (N, D or C). */
  variable?: LawVariable;
  /** Breaks of `bnsl`. */
  breaks?: number;
}

const definitions = new Map<string, LawDefinition>();

/** Identifiers of the registered laws, in registration order (a live list: registerLaw adds to it). */
export const lawIds: string[] = [];

/** The law `fit`, `report` and the procedures use when none is named. */
export const defaultLawId = 'chinchilla';

function definitionOf(law: Law | LawDefinition): LawDefinition {
  if ('make' in law) return law;
  return { id: law.id, title: law.title, make: () => law };
}

/**
 * Add a law to the registry: a Law without options as it is, or a LawDefinition that builds one
 * from a choice. A law registered outside this file gives `module` (its file's import.meta.url) so
 * that worker threads can rebuild it.
 * @throws Error when the id is taken
 */
export function registerLaw(law: Law | LawDefinition): void {
  const definition = definitionOf(law);
  if (definitions.has(definition.id)) throw new Error(`law ${definition.id} is already registered`);
  definitions.set(definition.id, definition);
  lawIds.push(definition.id);
}

/** The registry's definition of a law id, undefined when none is registered. */
export function lawDefinition(id: string): LawDefinition | undefined {
  return definitions.get(id);
}

/** Every registered law's definition, in registration order. */
export function lawDefinitions(): LawDefinition[] {
  return [...definitions.values()];
}

function optionEntries(definition: LawDefinition) {
  return Object.entries(definition.options ?? {}) as [
    LawOptionKey,
    NonNullable<LawDefinition['options']>[LawOptionKey] & {},
  ][];
}

/** The law for a choice (or an id), with a clear error listing the known ones or the allowed option values. */
export function getLaw(choice: LawChoice | string): Law {
  const c: LawChoice = typeof choice === 'string' ? { law: choice } : choice;
  const definition = definitions.get(c.law);
  if (!definition) throw new UsageError(`unknown law: ${c.law} (expected one of ${lawIds.join(', ')})`);
  const options: Record<string, unknown> = {};
  for (const [key, spec] of optionEntries(definition)) {
    const value = c[key] ?? spec.default;
    if (!(spec.values as readonly unknown[]).includes(value)) {
      throw new UsageError(
        `invalid ${key} for law ${c.law}: ${String(value)} (expected ${spec.description}: ${spec.values.join(', ')})`,
      );
    }
    options[key] = value;
  }
  const law = definition.make(options as LawOptions);
  // A law that does not carry its options cannot be rebuilt (worker threads, saved fits): say so here,
  // where the author of the law will see it, not as a wrong prediction later.
  const carried = choiceOf(law);
  if (law.id !== definition.id || Object.keys(options).some((k) => carried[k as LawOptionKey] !== options[k])) {
    throw new Error(
      `law ${definition.id}: make() must return a law with id ${definition.id} and options ${JSON.stringify(options)}, got ${JSON.stringify(carried)}`,
    );
  }
  return law;
}

/** The choice that rebuilds a law: its id and the options it was built with. */
export function choiceOf(law: Law): LawChoice {
  return { law: law.id, ...law.options };
}

/**
 * Whether `getLaw(choiceOf(law))` rebuilds this very law (same id, options, inputs and parameters):
 * false for laws built outside the registry (per-group laws, a test's variant of a law), which a
 * worker thread therefore cannot rebuild.
 */
export function rebuildable(law: Law): boolean {
  const definition = definitions.get(law.id);
  if (!definition) return false;
  let rebuilt: Law;
  try {
    rebuilt = getLaw(choiceOf(law));
  } catch {
    return false;
  }
  const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  return (
    same(rebuilt.inputs, law.inputs) &&
    same(
      rebuilt.params.map((p) => p.name),
      law.params.map((p) => p.name),
    ) &&
    rebuilt.logPredict.toString() === law.logPredict.toString()
  );
}

/** Modules a worker thread must import before it can rebuild the law (none for built-in laws). */
export function lawModules(law: Law): string[] {
  const module = definitions.get(law.id)?.module;
  return module ? [module] : [];
}

/** A law's choice as a fit's JSON saves it, so that the saved fit reloads exactly this law. */
export function lawChoiceToJson(law: Law): LawChoiceJson {
  const out: Record<string, unknown> = { law: law.id };
  const definition = definitions.get(law.id);
  if (definition)
    for (const [key, spec] of optionEntries(definition))
      if (law.options?.[key] !== undefined) out[spec.json] = law.options[key];
  return out as unknown as LawChoiceJson;
}

/** The choice saved in a fit's JSON (or one of its candidates): options the law does not read are ignored. */
export function lawChoiceFromJson(json: Partial<LawChoiceJson>): LawChoice {
  const fields = json as Record<string, unknown>;
  const choice: Record<string, unknown> = { law: String(json.law) };
  const definition = definitions.get(String(json.law));
  if (definition)
    for (const [key, spec] of optionEntries(definition))
      if (fields[spec.json] !== undefined) choice[key] = fields[spec.json];
  return choice as unknown as LawChoice;
}

/** The laws that read an option (`x`: the one-variable laws), in registration order: for help that names them. */
export function lawIdsWithOption(key: LawOptionKey): string[] {
  return lawDefinitions()
    .filter((d) => d.options?.[key] !== undefined)
    .map((d) => d.id);
}

/** The laws that read every variable of `variables` (and nothing else when `only`), e.g. those that can allocate C between N and D. */
export function lawIdsReading(variables: readonly string[], only = false): string[] {
  return lawIds.filter((id) => {
    const law = getLaw(id);
    return variables.every((v) => law.inputs.includes(v as 'N')) && (!only || law.inputs.length === variables.length);
  });
}

const builtIn: (Law | LawDefinition)[] = [
  chinchilla,
  kaplanNd,
  powerDefinition,
  power0Definition,
  dataConstrained,
  bnslDefinition,
];
for (const law of builtIn) registerLaw(law);
