/**
 * The extrapolation benchmark's cases (examples/benchmark/<id>/case.json): a real ladder, which of
 * its runs are fitted and which are predicted. Node side (reads files); the split itself is pure.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { packagePath } from './packageRoot.js';
import { readRuns, readText } from './readRuns.js';
import { parseJsonText } from './parseJson.js';
import type { Dataset } from './dataset.js';
import { splitAt, trainingRuns, type Axis, type Split } from './rollingOrigin.js';
import type { Field } from './parseRuns.js';

const caseSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  kind: z.enum(['final', 'checkpoints']),
  /** Real runs (false: a synthetic control, left out of the summary). */
  real: z.boolean().default(true),
  data: z.string().default('runs.csv'),
  columns: z.record(z.string(), z.string()).optional(),
  group: z.array(z.string()).optional(),
  /** The column whose equal values a bootstrap draws together (the trunk of cooldown branches). */
  lineage: z.string().min(1).optional(),
  split: z.object({ by: z.enum(['N', 'D', 'C']), max: z.number().positive() }),
  loss: z.string(),
  N: z.string(),
  source: z.record(z.string(), z.string()),
  licence: z.string(),
  notes: z.string().optional(),
});

export type BenchmarkCaseSpec = z.infer<typeof caseSchema>;

export interface BenchmarkCase {
  spec: BenchmarkCaseSpec;
  /** Folder of the case. */
  dir: string;
  data: Dataset;
  split: Split & { axis: Axis };
}

/** The repository's benchmark folder (examples/benchmark), from sources or from dist/. */
export function defaultBenchmarkDir(): string {
  return packagePath('examples', 'benchmark');
}

export function readBenchmarkCase(dir: string): BenchmarkCase {
  const path = join(dir, 'case.json');
  const json = parseJsonText(readText(path, 'a benchmark case (case.json)'), path, 'a benchmark case (case.json)');
  const parsed = caseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError({ file: path }, `field "${issue.path.join('.')}": ${issue.message}`);
  }
  const spec = parsed.data;
  const data = readRuns(join(dir, spec.data), {
    columns: spec.columns as Partial<Record<Field, string>> | undefined,
    groups: spec.group,
    lineage: spec.lineage,
    require: ['loss', 'N', 'D'],
  });
  const runs = trainingRuns(data, spec.split.by);
  const split = splitAt(data, runs, spec.split.by, spec.split.max);
  if (split.fitRuns === 0 || split.heldOut.length === 0)
    throw new InputError(
      { file: path },
      `field "split": ${split.fitRuns} runs to fit and ${split.heldOut.length} to predict; expected some of each`,
    );
  return { spec, dir, data, split: { ...split, axis: spec.split.by } };
}

/** Every case under a benchmark folder, in name order. */
export function readBenchmark(dir = defaultBenchmarkDir()): BenchmarkCase[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'case.json')))
    .map((e) => e.name)
    .sort()
    .map((name) => readBenchmarkCase(join(dir, name)));
}
