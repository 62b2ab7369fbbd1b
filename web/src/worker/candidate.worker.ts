/** Fits one of auto's candidates for the fit worker (candidates.ts): the same fitCandidate, answered as plain data. */
import { fitCandidate } from '../../../src/fit/candidate.js';
import { getProcedure } from '../../../src/fit/procedures.js';
import { toErrorInfo } from '../lib/errors.js';
import { toPlain, type CandidateRequest, type CandidateResponse } from './candidates.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<CandidateRequest>) => void) | null;
  postMessage(message: CandidateResponse): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event: MessageEvent<CandidateRequest>) => {
  const { id, dataset, procedure } = event.data;
  try {
    scope.postMessage({ id, ok: true, candidate: toPlain(fitCandidate(dataset, getProcedure(procedure))) });
  } catch (e) {
    scope.postMessage({ id, ok: false, error: toErrorInfo(e) });
  }
};
