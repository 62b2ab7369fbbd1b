/**
 * The planner's numbers as people type them: "10,000" GPUs, "40%" MFU, "2T" tokens, "1e24" FLOPs.
 * A value that cannot be read yet ("1e" on the way to "1e24") gives a message for that field with an
 * example that fits it; the planner keeps showing the last plan meanwhile. (The app's own parser:
 * the CLI's parseQuantity speaks of parameter counts and flags.)
 */

export type PlannerField = 'gpus' | 'days' | 'mfu' | 'flops' | 'inferenceTokens' | 'uniqueTokens';

interface FieldRule {
  label: string;
  /** What a value looks like, as an example. */
  example: string;
  /** Suffixes k, M, B, T (×10³ … ×10¹²) accepted. */
  suffixes: boolean;
  percent?: boolean;
  integer?: boolean;
  max?: number;
}

export const plannerFields: Record<PlannerField, FieldRule> = {
  gpus: { label: 'GPUs', example: 'a whole number of GPUs such as 1024 or 10,000', suffixes: true, integer: true },
  days: { label: 'Days', example: 'a number of days such as 30 or 7.5', suffixes: false },
  mfu: {
    label: 'MFU',
    example: "a fraction of the GPUs' peak such as 0.4 or 40%",
    suffixes: false,
    percent: true,
    max: 1,
  },
  flops: { label: 'Training FLOPs', example: 'a number of FLOPs such as 1e24 or 3.8e25', suffixes: true },
  inferenceTokens: {
    label: 'Inference tokens',
    example: 'a number of tokens such as 1e13, 2T or 500B',
    suffixes: true,
  },
  uniqueTokens: {
    label: 'Unique tokens',
    example: 'a number of tokens such as 4e11, 400B or 4T',
    suffixes: true,
  },
};

const suffixes: Record<string, number> = {
  k: 1e3,
  K: 1e3,
  m: 1e6,
  M: 1e6,
  b: 1e9,
  B: 1e9,
  g: 1e9,
  G: 1e9,
  t: 1e12,
  T: 1e12,
};

export class PlannerInputError extends Error {
  override name = 'PlannerInputError';
  constructor(
    readonly field: PlannerField,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A field's value. Thousands separators (",", "_", thin spaces) are dropped when they separate groups
 * of three digits; "40%" is 0.4 where a fraction is asked for.
 * @throws PlannerInputError with the field's own example
 */
export function plannerNumber(field: PlannerField, text: string): number {
  const rule = plannerFields[field];
  const fail = (why: string): never => {
    throw new PlannerInputError(field, `${rule.label}: ${why}; expected ${rule.example}`);
  };
  let t = text.trim();
  if (t === '') fail('empty');
  let scale = 1;
  if (rule.percent && t.endsWith('%')) {
    scale = 0.01;
    t = t.slice(0, -1).trim();
  }
  if (rule.suffixes && /[kKmMbBgGtT]$/.test(t)) {
    scale *= suffixes[t.slice(-1)];
    t = t.slice(0, -1).trim();
  }
  // Group separators only between groups of three digits: "10,000" and "1_000_000", not "1,5".
  if (/^[+-]?\d{1,3}([,_\u2009\u202f ]\d{3})+(\.\d*)?([eE][+-]?\d+)?$/.test(t)) t = t.replace(/[,_\u2009\u202f ]/g, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?$/.test(t))
    fail(`"${text.trim()}" is not finished (an exponent such as 1e24 needs its digits)`);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) fail(`cannot read "${text.trim()}"`);
  const value = Number(t) * scale;
  if (!Number.isFinite(value) || value <= 0) fail(`"${text.trim()}" is not a positive number`);
  if (rule.integer && !Number.isInteger(value)) fail(`"${text.trim()}" is not a whole number`);
  if (rule.max !== undefined && value > rule.max) fail(`"${text.trim()}" is more than the whole peak (1, or 100%)`);
  return value;
}
