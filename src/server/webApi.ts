/**
 * The web app's JSON API, as zod schemas shared by the server (src/server/webServer.ts), which
 * validates what it is asked, and the browser (web/src/api.ts), which validates what it receives.
 * Pure: zod only, no Node APIs.
 *
 *   GET /api/datasets                    bundled data sets: { datasets: [{ id, name, path, runs, description }] }
 *   GET /api/datasets/:id                one of them as a Dataset (what parseRuns returns)
 *   GET /api/studies                     the run store's studies: { store: { path, exists }, studies: [...] }
 *   GET /api/studies/:name/runs          a page of a study's runs (?status=completed|failed|…, ?limit= (default 1,000,
 *                                        at most 10,000), ?offset=), their total and whether more follow, and its
 *                                        completed runs as a Dataset (?dataset=false leaves it out: a later page)
 *   GET /api/studies/:name/progress      runs done / failed / in flight, hours spent, best loss (SQL aggregates)
 *
 * Errors: { error: { status, message } } with 400 (bad parameter, malformed percent-escape), 404,
 * 405, 409 (the --db file is not a ScaleLab run store: the message says why), 413 (a body over
 * maxUploadBytes), 421 (a Host other than this server's names).
 */
import { z } from 'zod';
import type { Dataset } from '../io/dataset.js';
import { runStatuses } from '../store/runStatus.js';
import { studyNameProblem } from '../store/studyName.js';

/**
 * The largest request body the server reads (10 MiB), and so the largest file the app opens: an
 * uploaded file is parsed in the browser, and the app refuses a larger one before reading it.
 */
export const maxUploadBytes = 10 * 1024 * 1024;

const positive = z.number().positive();

/** A run; fields beyond these (learning rate, width, …) pass through unchanged. */
const runSchema = z.looseObject({
  N: positive.optional(),
  D: positive.optional(),
  C: positive.optional(),
  U: positive.optional(),
  loss: positive,
  group: z.string().optional(),
  run: z.string().optional(),
  step: z.number().nonnegative().optional(),
  line: z.number().int().nonnegative(),
});

export const datasetSchema: z.ZodType<Dataset> = z.object({
  source: z.string(),
  runs: z.array(runSchema),
  columns: z.record(z.string(), z.string()),
  derived: z.record(z.string(), z.string()),
});

const bundledDatasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Path inside the package, e.g. examples/chinchilla.csv. */
  path: z.string(),
  runs: z.number().int().nonnegative(),
  description: z.string(),
});
export type BundledDatasetInfo = z.infer<typeof bundledDatasetSchema>;

export const datasetListSchema = z.object({ datasets: z.array(bundledDatasetSchema) });
export type DatasetList = z.infer<typeof datasetListSchema>;

const studySchema = z.object({
  name: z.string(),
  runs: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  createdAt: z.string(),
});

export const studiesSchema = z.object({
  store: z.object({ path: z.string(), exists: z.boolean() }),
  studies: z.array(studySchema),
});
export type Studies = z.infer<typeof studiesSchema>;

const nullableNumber = z.number().nullable();

const studyRunSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  phase: z.string().nullable(),
  status: z.enum(runStatuses),
  N: nullableNumber,
  D: nullableNumber,
  C: nullableNumber,
  loss: nullableNumber,
  seconds: nullableNumber,
  reason: z.string().nullable(),
  /** Why the study left this completed run out of its fit (a loss it cannot use), or null. */
  leftOut: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const studyRunsSchema = z.object({
  study: z.string(),
  /** One page of the runs (of the status asked for), in the order they were planned. */
  runs: z.array(studyRunSchema),
  /** How many runs there are (of that status), on every page. */
  total: z.number().int().nonnegative(),
  /** Where this page starts, and the most runs a page holds. */
  offset: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  /** Whether runs follow this page (ask again with offset + runs.length). */
  more: z.boolean(),
  /** The study's completed runs (all of them, not paged), ready to fit; absent when asked with dataset=false. */
  dataset: datasetSchema.optional(),
});
/** An answer to /runs as the app first asks for it: with the data set. */
export type StudyRuns = z.infer<typeof studyRunsSchema> & { dataset: Dataset };
/** An answer to /runs asked with dataset=false (a later page). */
export type StudyRunsPage = z.infer<typeof studyRunsSchema>;

export const progressSchema = z.object({
  study: z.string(),
  total: z.number().int().nonnegative(),
  planned: z.number().int().nonnegative(),
  /** Submitting, queued or running. */
  inFlight: z.number().int().nonnegative(),
  /** Completed, and used by the study's fit. */
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
  /** Completed with a loss the study left out of its fit (a diverged or zero loss): neither done nor the best. */
  leftOut: z.number().int().nonnegative(),
  /** Accelerator hours of finished runs, and the plan's estimate for all runs. */
  hoursSpent: z.number().nonnegative(),
  hoursPlanned: z.number().nonnegative(),
  bestLoss: nullableNumber,
  best: z.object({ id: z.number().int(), N: nullableNumber, D: nullableNumber, loss: z.number() }).nullable(),
  /** When the server read the store (ISO 8601). */
  at: z.string(),
});
export type Progress = z.infer<typeof progressSchema>;

export const apiErrorSchema = z.object({ error: z.object({ status: z.number().int(), message: z.string() }) });
export type ApiError = z.infer<typeof apiErrorSchema>;

// Request parameters (validated by the server).

export const datasetIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a data set id such as "chinchilla"');

/** The rule the CLI's --study applies too (store/studyName.ts). */
export const studyNameSchema = z.string().superRefine((s, ctx) => {
  const problem = studyNameProblem(s);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** Runs in a page of /runs when no limit is asked for, and the most a limit may ask. */
export const defaultRunsLimit = 1000;
const maxRunsLimit = 10_000;

/** A whole number in a query (a string), from `min` to `max`. */
const queryWhole = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `expected a whole number from ${min} to ${max.toLocaleString('en-US')}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected a whole number from ${min} to ${max.toLocaleString('en-US')}`);

export const runsQuerySchema = z
  .object({
    status: z.enum(runStatuses).optional(),
    limit: queryWhole(1, maxRunsLimit).optional(),
    offset: queryWhole(0, 999_999_999).optional(),
    dataset: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const noQuerySchema = z.object({}).strict();
