/**
 * Read runs from a file on disk (CSV, JSON array or JSONL): the Node side of io/parseRuns.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors/index.js';
import { parseRuns, type ParseRunsOptions } from './parseRuns.js';
import type { Dataset } from './dataset.js';

export function readText(path: string): string {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new InputError({ file: path }, 'no such file: expected a CSV, JSON or JSONL file of runs');
  }
  if (stat.isDirectory()) throw new InputError({ file: path }, 'is a folder: expected a CSV, JSON or JSONL file of runs');
  return readFileSync(path, 'utf8');
}

export function readRuns(path: string, options: Omit<ParseRunsOptions, 'source'> = {}): Dataset {
  return parseRuns(readText(path), { ...options, source: path });
}
