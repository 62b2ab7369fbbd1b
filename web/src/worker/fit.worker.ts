/**
 * The app's worker: one request at a time, a fit (answered with the fit, the approaches and the
 * figures) or a back-test (answered with its tables and figure, after progress messages), or the
 * error (located, for bad input) as plain data. The app runs two of these, one for each kind.
 */
import { toErrorInfo } from '../lib/errors.js';
import { runAnalysis, runBacktest } from './analysis.js';
import type { WorkerMessage, WorkerRequest } from './protocol.js';

/** The part of a dedicated worker's global scope used here (the app's lib is DOM, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerMessage): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const { id } = request;
  let response: WorkerMessage;
  try {
    response =
      request.kind === 'fit'
        ? { ok: true, id, ...runAnalysis(request.dataset, request.settings) }
        : { ok: true, id, ...runBacktest(request.dataset, request.settings, (done, total) => scope.postMessage({ kind: 'progress', id, done, total })) };
  } catch (e) {
    response = { ok: false, id, error: toErrorInfo(e) };
  }
  scope.postMessage(response);
};
