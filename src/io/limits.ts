/**
 * Largest file read whole (a JSON array of runs, a fit, a world, a plan, a TensorBoard event file).
 * V8 cannot hold a string much over 512 MiB, and a file near that size would need gigabytes once
 * parsed; CSV and JSONL files of runs are streamed and have no limit. Here, apart from the reading
 * (readRuns.ts), so that pure parsers can hold what they read to it.
 */
export const MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024;
