/**
 * The downstream panel's chosen files read as the CLI reads them (src/io/taskMetricFiles.ts): single
 * files, or a ladder manifest with the files it lists, found among the files chosen — by their path
 * relative to the manifest when a folder was chosen, else by name (a manifest chosen with its files).
 */
import { InputError } from '../../../src/errors/index.js';
import type { TaskMetricData } from '../../../src/io/parseTaskMetrics.js';
import { manifestOf, manifestProblem, taskMetricsFromFiles } from '../../../src/io/taskMetricFiles.js';

/** A file as chosen: its path within the chosen folder (webkitRelativePath), or its name. */
export interface ChosenFile {
  path: string;
  text: string;
}

const baseName = (path: string) => path.replace(/^.*\//, '');

/** `file` relative to the manifest's folder, as a path among the chosen ones ("a/b/../c" is "a/c"). */
function resolveListed(manifest: string, file: string): string {
  const parts = [...manifest.split('/').slice(0, -1), ...file.split('/')];
  const out: string[] = [];
  for (const part of parts) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}

const isMetrics = (f: ChosenFile) => /\.(csv|json)$/i.test(f.path);

/**
 * The task metrics of the chosen files. From a folder (paths with a folder in them) only its manifest
 * is read, with the files it lists: a ladder's folder holds other files too (provenance, results); with
 * several manifests, the one named ladder.json. Without a manifest every CSV or JSON file is read.
 * @returns the data, and the manifests in the folder that were not read (to be said)
 * @throws InputError located in its file; a listed file not chosen is named with the manifest
 */
export function readChosenMetrics(
  chosen: readonly ChosenFile[],
  batchTokens: number | undefined,
): { data: TaskMetricData; notRead: string[] } {
  const byPath = new Map(chosen.map((f) => [f.path, f.text]));
  // A manifest with a slip (a trailing comma) is still the manifest: its located error is shown, as the
  // CLI shows it, rather than the folder read without it (or another manifest read in its place).
  const problems = new Map<ChosenFile, InputError>();
  const manifests = chosen.filter((f) => {
    if (!f.path.toLowerCase().endsWith('.json')) return false;
    if (manifestOf(f.text)) return true;
    const problem = manifestProblem(f.text, f.path);
    if (problem) problems.set(f, problem);
    return problem !== undefined;
  });
  const fromFolder = chosen.some((f) => f.path.includes('/'));
  let paths: string[];
  let notRead: string[] = [];
  if (fromFolder && manifests.length) {
    const main = manifests.find((f) => baseName(f.path) === 'ladder.json') ?? manifests[0];
    const problem = problems.get(main);
    if (problem) throw problem;
    paths = [main.path];
    notRead = manifests.filter((f) => f !== main).map((f) => f.path);
  } else if (manifests.length) {
    const problem = manifests.map((m) => problems.get(m)).find((p) => p !== undefined);
    if (problem) throw problem;
    // A manifest chosen with its files: the files it lists are read through it, any other on its own.
    const listed = new Set(
      manifests.flatMap((m) =>
        manifestOf(m.text)!.runs.flatMap((r) =>
          typeof (r as { file?: unknown })?.file === 'string' ? [baseName((r as { file: string }).file)] : [],
        ),
      ),
    );
    paths = chosen
      .filter((f) => isMetrics(f) && (manifests.includes(f) || !listed.has(baseName(f.path))))
      .map((f) => f.path);
  } else paths = chosen.filter((f) => (fromFolder ? isMetrics(f) : true)).map((f) => f.path);
  const data = taskMetricsFromFiles(paths, batchTokens !== undefined ? { batchTokens } : {}, {
    read(path, listedIn) {
      const text = byPath.get(path);
      if (text !== undefined) return text;
      const sameName = chosen.filter((f) => baseName(f.path) === baseName(path));
      if (listedIn && sameName.length === 1) return sameName[0].text;
      throw new InputError(
        { file: path },
        sameName.length > 1
          ? `listed in ${listedIn}: ${sameName.length} files chosen have this name; choose the ladder's folder instead`
          : `listed in ${listedIn}, but not among the files chosen: choose the ladder's folder, or the manifest together with every file it lists`,
      );
    },
    resolve: resolveListed,
  });
  return { data, notRead };
}
