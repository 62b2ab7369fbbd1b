/**
 * The server's JSON API (src/server/webApi.ts), each answer checked against the same zod schema
 * the server is written against.
 */
import type { z } from 'zod';
import {
  apiErrorSchema,
  datasetListSchema,
  datasetSchema,
  progressSchema,
  studiesSchema,
  studyRunsSchema,
  type StudyRuns,
  type StudyRunsPage,
} from '../../../src/server/webApi.js';

export class ApiRequestError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiRequestError(0, `cannot reach the ScaleLab server (${path}): is "scalelab serve" still running?`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = apiErrorSchema.safeParse(body);
    throw new ApiRequestError(res.status, err.success ? err.data.error.message : `${path}: HTTP ${res.status}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ApiRequestError(
      res.status,
      `${path}: unexpected answer from the server (${parsed.error.issues[0]?.message})`,
    );
  return parsed.data;
}

const study = (name: string) => `api/studies/${encodeURIComponent(name)}`;

export const api = {
  datasets: (signal?: AbortSignal) => getJson('api/datasets', datasetListSchema, signal),
  dataset: (id: string, signal?: AbortSignal) =>
    getJson(`api/datasets/${encodeURIComponent(id)}`, datasetSchema, signal),
  studies: (signal?: AbortSignal) => getJson('api/studies', studiesSchema, signal),
  /** A study's first page of runs, with its completed runs as a data set (the server's default). */
  studyRuns: async (name: string, signal?: AbortSignal): Promise<StudyRuns> => {
    const path = `${study(name)}/runs`;
    const runs = await getJson(path, studyRunsSchema, signal);
    if (!runs.dataset) throw new ApiRequestError(200, `${path}: unexpected answer from the server (no data set)`);
    return { ...runs, dataset: runs.dataset };
  },
  /** The page of a study's runs from `offset` on, without the data set (the first page brought it). */
  studyRunsPage: (name: string, offset: number, signal?: AbortSignal): Promise<StudyRunsPage> =>
    getJson(`${study(name)}/runs?offset=${offset}&dataset=false`, studyRunsSchema, signal),
  progress: (name: string, signal?: AbortSignal) => getJson(`${study(name)}/progress`, progressSchema, signal),
};
