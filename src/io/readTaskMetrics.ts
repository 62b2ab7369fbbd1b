/**
 * Read task-metric files from disk: single files (long or wide CSV, lm-evaluation-harness JSON), or a
 * ladder manifest (taskMetricFiles.ts reads them all; this gives it the disk, as the web app gives it
 * the files a user chose).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { InputError } from '../errors/index.js';
import type { TaskMetricData, TaskMetricOptions } from './parseTaskMetrics.js';
import { manifestOf, taskMetricsFromFiles } from './taskMetricFiles.js';
import { checkUtf8, noteCutLastLine } from './readRuns.js';

export type { RunRole, TaskDefinition, TaskMetricData } from './parseTaskMetrics.js';

function readText(path: string, listedIn?: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? `a folder, not a file${folderManifestHint(path)}`
          : `cannot read: ${(e as Error).message}`;
    throw new InputError(
      { file: path },
      listedIn ? `${why} (listed in ${listedIn}; paths there are relative to it)` : why,
    );
  }
  const text = bytes.toString('utf8');
  checkUtf8(bytes, text, path);
  noteCutLastLine(path, text);
  return text;
}

/**
 * What to give instead of a folder: the ladder manifest in it (the web app reads a ladder's folder by its
 * manifest), or its files.
 */
function folderManifestHint(folder: string): string {
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch {
    return '';
  }
  const manifests = names.filter((n) => {
    if (!n.toLowerCase().endsWith('.json')) return false;
    try {
      return manifestOf(readFileSync(join(folder, n), 'utf8')) !== undefined;
    } catch {
      return false;
    }
  });
  if (manifests.length)
    return `; give its ladder manifest, ${manifests
      .slice(0, 3)
      .map((n) => join(folder, n))
      .join(' or ')}`;
  return '; give the task-metric files in it (or a ladder manifest listing them)';
}

/** A file a manifest lists, relative to the manifest (as the message would name it), or absolute. */
function listedFile(manifest: string, file: string): string {
  return isAbsolute(file) ? file : join(dirname(manifest), file);
}

/**
 * Every file reading `paths` opens: the paths, and the files each ladder manifest among them lists, so
 * that an output aimed at any of them can be refused before the work. A file that cannot be read, or a
 * manifest entry without a file, adds nothing here: reading them says what is wrong.
 */
export function taskMetricFilesRead(paths: readonly string[]): string[] {
  const files = [...paths];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    for (const entry of manifestOf(text)?.runs ?? []) {
      const file = (entry as { file?: unknown } | null)?.file;
      if (typeof file === 'string' && file) files.push(listedFile(path, file));
    }
  }
  return files;
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
    resolve: listedFile,
  });
}
