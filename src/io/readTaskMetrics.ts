/**
 * Read task-metric files from disk: single files (long or wide CSV, lm-evaluation-harness JSON), or a
 * ladder manifest (taskMetricFiles.ts reads them all; this gives it the disk, as the web app gives it
 * the files a user chose).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { InputError } from '../errors/index.js';
import type { TaskMetricData, TaskMetricOptions } from './parseTaskMetrics.js';
import { taskMetricsFromFiles } from './taskMetricFiles.js';

export type { RunRole, TaskDefinition, TaskMetricData } from './parseTaskMetrics.js';

function readText(path: string, listedIn?: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a folder, not a file'
          : `cannot read: ${(e as Error).message}`;
    throw new InputError(
      { file: path },
      listedIn ? `${why} (listed in ${listedIn}; paths there are relative to it)` : why,
    );
  }
}

/**
 * Read files (and the files a manifest lists, relative to it) into one set of records.
 * @param options applied to every file that is not in a manifest (a run name, N, tokens per step)
 */
export function readTaskMetrics(
  paths: readonly string[],
  options: Omit<TaskMetricOptions, 'source'> = {},
): TaskMetricData {
  return taskMetricsFromFiles(paths, options, {
    read: readText,
    // Relative to the manifest, written as the manifest's path was given (relative to where the command
    // ran, or absolute), so messages name the file as the user would type it.
    resolve: (manifest, file) => (isAbsolute(file) ? file : join(dirname(manifest), file)),
  });
}
