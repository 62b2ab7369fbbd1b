/**
 * Read a sweep plan (the JSON `scalelab sweep plan --out` writes, or one written by hand) and check
 * every run in it before anything is stored or launched. Pure (text in, plan out). A problem is an
 * InputError at the line and column of the field (or, for a missing one, of the object that lacks it),
 * naming its path: `plan.json:14:12: isoflop[0].config.tokens: expected a positive number, got null`.
 */
import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { malformedJson } from '../io/jsonSyntax.js';
import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { trainingConfigSchema } from '../lab/world.js';
import type { PlannedRun } from './design.js';
import { lineColumn, lineStartsOf } from '../io/textPosition.js';

const plannedRunSchema = z.object({
  phase: z.enum(['lr-probe', 'isoflop', 'scale-up', 'verify']),
  C: z.number().positive(),
  N: z.number().positive(),
  config: trainingConfigSchema,
  seconds: z.number().nonnegative(),
});

const planSchema = z.object({
  kind: z.literal('scalelab-sweep-plan'),
  probe: z.array(plannedRunSchema),
  isoflop: z.array(plannedRunSchema),
});

export interface SweepPlan {
  kind: 'scalelab-sweep-plan';
  probe: PlannedRun[];
  isoflop: PlannedRun[];
  [more: string]: unknown;
}

/** `isoflop[0].config.tokens` */
function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

/** What a zod issue expected, in words. */
function expected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int'
        ? 'a whole number'
        : issue.expected === 'object'
          ? 'an object'
          : issue.expected === 'array'
            ? 'an array'
            : `a ${issue.expected}`;
    case 'too_small':
      return issue.minimum === 0 && !issue.inclusive
        ? 'a positive number'
        : `a number ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `a number ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * Parse and check a sweep plan. The runs are returned as written (not with defaults filled in): a
 * run's key is a hash of its configuration, so a resumed study must see the same configuration.
 * @throws InputError at the first problem
 */
export function parsePlan(text: string, source: string): SweepPlan {
  const starts = lineStartsOf(text);
  const at = (offset: number) => lineColumn(starts, offset);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0) {
    const pos = at(errors[0].offset);
    throw new InputError(
      { file: source, ...pos },
      `${malformedJson(errors[0].error)}; expected a plan from "scalelab sweep plan --out"`,
    );
  }
  const value = JSON.parse(text) as unknown;
  if (!root || root.type !== 'object' || (value as { kind?: unknown }).kind !== 'scalelab-sweep-plan') {
    throw new InputError(
      { file: source, line: 1 },
      'not a sweep plan: expected the output of "scalelab sweep plan --out FILE"',
    );
  }
  const r = planSchema.safeParse(value);
  if (r.success) return value as SweepPlan;
  const issue = r.error.issues[0];
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  // The field's own place in the text, or (missing) the nearest object or array around it.
  let node: JsonNode | undefined;
  for (let depth = path.length; depth >= 0 && !node; depth--) node = findNodeAtLocation(root, path.slice(0, depth));
  let got: unknown = value;
  for (const p of path)
    got = got === null || got === undefined ? undefined : (got as Record<string | number, unknown>)[p];
  const pos = node ? at(node.offset) : { line: 1, column: 1 };
  const detail =
    got === undefined
      ? `missing field "${pathText(path)}" (expected ${expected(issue)})`
      : `${pathText(path)}: expected ${expected(issue)}, got ${describe(got)}`;
  throw new InputError(
    { file: source, ...pos },
    `${detail}; a plan's runs need phase, C, N, seconds and a config with n_layer, d_model, n_heads, tokens, batch_tokens, learning_rate`,
  );
}
