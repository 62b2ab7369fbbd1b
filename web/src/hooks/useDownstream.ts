/**
 * The downstream analysis in a worker of its own (useWorkerAnalysis.ts): per task a screen, two fits,
 * a back-test and a bootstrap of every target, which took the page for seconds on the main thread.
 * Progress is counted in tasks.
 */
import type { TaskMetricSet } from '../../../src/io/parseTaskMetrics.js';
import { downstreamWorkerName, type DownstreamOutcome, type DownstreamSettings } from '../worker/protocol.js';
import { useWorkerAnalysis, type Send } from './useWorkerAnalysis.js';

const sendDownstream: Send<DownstreamSettings, DownstreamOutcome, TaskMetricSet[]> = (
  client,
  sets,
  settings,
  callback,
  onProgress,
) => client.downstream(sets, settings, callback, onProgress);

/** Task metrics screened and fitted, targets predicted (`scalelab downstream`), in the downstream worker. */
export const useDownstream = () => useWorkerAnalysis(downstreamWorkerName, sendDownstream);
