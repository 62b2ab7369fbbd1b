/**
 * Auto's candidates travel between workers as plain data (candidatePool.ts fits them in parallel):
 * a candidate's law (functions) is rebuilt from its procedure on arrival, and its data set is the
 * receiver's own. Pure.
 */
import type { CandidateFailure, CandidateFit } from '../../../src/fit/candidate.js';
import { getLaw } from '../../../src/laws/index.js';
import type { Dataset } from '../../../src/io/dataset.js';
import type { ErrorInfo } from '../lib/errors.js';

export type Candidate = CandidateFit | CandidateFailure;

/** A fitted candidate without its law and data set (structured-clone safe). */
export type PlainCandidate =
  | CandidateFailure
  | (Omit<CandidateFit, 'law' | 'result'> & { result: Omit<CandidateFit['result'], 'law' | 'dataset'> });

export interface CandidateRequest {
  id: number;
  dataset: Dataset;
  procedure: string;
}

export type CandidateResponse =
  { id: number; ok: true; candidate: PlainCandidate } | { id: number; ok: false; error: ErrorInfo };

export function toPlain(c: Candidate): PlainCandidate {
  if ('error' in c) return c;
  const { law: _law, result, ...rest } = c;
  const { law: _resultLaw, dataset: _dataset, ...plainResult } = result;
  return { ...rest, result: plainResult };
}

export function fromPlain(p: PlainCandidate, dataset: Dataset): Candidate {
  if ('error' in p) return p;
  const law = getLaw(p.procedure.law);
  return { ...p, law, result: { ...p.result, law, dataset } };
}
