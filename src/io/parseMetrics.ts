/**
 * Read what a training command reports: JSON lines with the tokens seen and the validation loss at
 * each evaluation (RUN_DIR/metrics.jsonl, or the command's stdout). Pure (text in, evaluations out).
 *
 * A trainer's numbers are checked where they enter ScaleLab: a loss that is not a positive finite
 * number, tokens that are not positive or do not increase, would be stored as a completed run that
 * no fit can use and that an export cannot re-import. Such a record makes the run fail, with the
 * line and what was wrong, instead.
 */
import { InputError } from '../errors/index.js';
import { parseSchedule, type Schedule } from '../core/schedule.js';
import { jsonSyntaxError, tagNonFinite } from './parseJson.js';
import { stripBom } from './parseRuns.js';
import { quoteForMessage } from './textPosition.js';

/** One evaluation of a run: the validation loss after `tokens` tokens (and `step` steps). */
export interface Checkpoint {
  tokens: number;
  loss: number;
  step?: number | null;
  /** The learning rate of the step just taken at this checkpoint, when recorded. */
  lr?: number | null;
}

export interface MetricsRead {
  /** Evaluations up to the first bad record (every one checked). */
  evals: Checkpoint[];
  /** The first bad record, located ("metrics.jsonl line 3: val_loss -1.5 is not a positive number"). */
  problem?: string;
  /** The same problem as a place in the file and what is wrong there, for a located error. */
  problemAt?: { line: number; column?: number; detail: string };
  /** An evaluation said it was the last one ("final": true or "done": true). */
  final: boolean;
  /** The learning-rate schedule the records carry ("schedule", the last one read). */
  schedule?: Schedule;
  /** The line of an evaluation at step 0 left out (`leaveOutStepZero`). */
  stepZeroLine?: number;
}

/** How a value reads in a message: numbers as numbers (NaN, -Infinity), anything else as JSON. */
function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : v === undefined ? 'missing' : JSON.stringify(v);
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * What is wrong with one evaluation, or undefined: the loss must be a positive finite number, the
 * tokens too and above the previous evaluation's. `names` are the fields as the trainer or API calls
 * them, for the message.
 */
export function evaluationProblem(
  loss: unknown,
  tokens: unknown,
  names: { loss: string; tokens: string },
  previousTokens?: number,
): string | undefined {
  if (!positive(loss)) return `${names.loss} ${show(loss)} is not a positive number`;
  if (tokens === undefined)
    return `${names.loss} without ${names.tokens} (expected the tokens seen at this evaluation)`;
  if (!positive(tokens)) return `${names.tokens} ${show(tokens)} is not a positive number`;
  if (previousTokens !== undefined && tokens <= previousTokens)
    return `${names.tokens} ${show(tokens)} does not increase (the evaluation before was at ${show(previousTokens)})`;
  return undefined;
}

/**
 * One JSON line. Python's json.dumps writes NaN, Infinity and -Infinity bare, which JSON.parse refuses:
 * they are read as the numbers they stand for, so the message can say "val_loss NaN" rather than "not JSON".
 */
function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const tagged = tagNonFinite(text);
    if (tagged === text) throw e;
    const value = JSON.parse(tagged) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(record))
        if (typeof v === 'string' && v.startsWith('\u0000')) record[k] = Number(v.slice(1));
    }
    return value;
  }
}

/** A problem at a line (and column) of the metrics, as text and as a place. */
function located(
  source: string,
  line: number,
  column: number | undefined,
  detail: string,
): Pick<MetricsRead, 'problem' | 'problemAt'> {
  return {
    problem: `${source} line ${line}${column !== undefined ? `, column ${column}` : ''}: ${detail}`,
    problemAt: { line, ...(column !== undefined ? { column } : {}), detail },
  };
}

/**
 * Evaluations in a trainer's JSON lines: `tokens` (or `tokens_seen`), `val_loss` (or `loss`), and
 * optionally `step` and `final`. Lines without a loss (training progress) are not evaluations.
 * `strict` (a metrics file, every line a record): a line that is not a JSON object is a problem;
 * otherwise (stdout, mixed with logs) only lines that parse as objects are read.
 */
export function parseMetrics(text: string, source: string, strict: boolean, leaveOutStepZero = false): MetricsRead {
  const evals: Checkpoint[] = [];
  let stepZeroLine: number | undefined;
  const lines = stripBom(text).split('\n');
  let final = false;
  let schedule: Schedule | undefined;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (!t) continue;
    const where = `${source} line ${i + 1}`;
    let m: unknown;
    try {
      if (!t.startsWith('{')) throw new Error('not an object');
      m = parseLine(t);
    } catch (e) {
      if (!strict) continue;
      const expected = 'expected a JSON object {"tokens": …, "val_loss": …}';
      if (!t.startsWith('{'))
        return { evals, final, ...located(source, i + 1, undefined, `${expected}, got ${quoteForMessage(t, 80)}`) };
      const { offset, detail } = jsonSyntaxError(t, e, { nonFinite: 'tag' });
      const indent = lines[i].length - lines[i].trimStart().length;
      return { evals, final, ...located(source, i + 1, indent + offset + 1, `${detail}; ${expected}`) };
    }
    if (!m || typeof m !== 'object' || Array.isArray(m)) continue;
    const r = m as Record<string, unknown>;
    // A record's schedule, when it has one, is read into `schedule`; what is wrong with it otherwise.
    const readSchedule = (rec: Record<string, unknown>): string | undefined => {
      if (rec.schedule === undefined) return undefined;
      try {
        schedule = parseSchedule(rec.schedule, { file: where });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        return e.detail;
      }
      return undefined;
    };
    const lossName = 'val_loss' in r ? 'val_loss' : 'loss' in r ? 'loss' : undefined;
    if (!lossName) continue;
    const tokensName = 'tokens' in r ? 'tokens' : 'tokens_seen' in r ? 'tokens_seen' : 'tokens';
    // A curve's reader leaves out the evaluation before any update (step 0, 0 tokens), as it does in a
    // table or an event file: its loss is checked, its schedule read, its tokens not required above 0.
    // A run store's import does not (`leaveOutStepZero` false): a stored checkpoint needs tokens > 0.
    if (leaveOutStepZero && r.step === 0 && stepZeroLine === undefined && evals.length === 0) {
      const tokens = r[tokensName];
      const problem = !positive(r[lossName])
        ? `${lossName} ${show(r[lossName])} is not a positive number`
        : tokens !== undefined && tokens !== 0 && !positive(tokens)
          ? `${tokensName} ${show(tokens)} is not a number ≥ 0`
          : undefined;
      if (problem) return { evals, final, ...located(source, i + 1, undefined, problem) };
      const bad = readSchedule(r);
      if (bad !== undefined) return { evals, final, ...located(source, i + 1, undefined, bad) };
      stepZeroLine = i + 1;
      continue;
    }
    const problem = evaluationProblem(
      r[lossName],
      r[tokensName],
      { loss: lossName, tokens: tokensName },
      evals.at(-1)?.tokens,
    );
    if (problem)
      return { evals, final, ...located(source, i + 1, undefined, problem), ...(schedule ? { schedule } : {}) };
    const step = r.step;
    if (step !== undefined && step !== null && !(typeof step === 'number' && Number.isInteger(step) && step >= 0)) {
      return { evals, final, ...located(source, i + 1, undefined, `step ${show(step)} is not a whole number ≥ 0`) };
    }
    const lr = r.lr;
    if (lr !== undefined && lr !== null && !positive(lr))
      return { evals, final, ...located(source, i + 1, undefined, `lr ${show(lr)} is not a positive number`) };
    const badSchedule = readSchedule(r);
    if (badSchedule !== undefined) return { evals, final, ...located(source, i + 1, undefined, badSchedule) };
    evals.push({
      tokens: r[tokensName] as number,
      loss: r[lossName] as number,
      step: (step as number | undefined) ?? null,
      ...(positive(lr) ? { lr } : {}),
    });
    if (r.final === true || r.done === true) {
      final = true;
      break;
    }
  }
  return {
    evals,
    final,
    ...(schedule ? { schedule } : {}),
    ...(stepZeroLine !== undefined ? { stepZeroLine } : {}),
  };
}

/**
 * Whether a trainer's evaluations show a finished run when nothing recorded how its process ended
 * (bin/run-wrapper.mjs was killed): an evaluation marked final, or one within an optimizer step of
 * the planned tokens (trainers round the step count, e.g. examples/trainers/train.py).
 */
export function reachedPlannedTokens(read: MetricsRead, planned: { tokens: number; batch_tokens: number }): boolean {
  const last = read.evals.at(-1);
  if (read.problem || !last) return false;
  return read.final || last.tokens >= planned.tokens - planned.batch_tokens;
}
