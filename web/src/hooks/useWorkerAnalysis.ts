/**
 * An analysis on demand in a worker of its own (started on first use): a new question stops the one in
 * flight rather than wait for it, and progress is counted in the analysis's steps (bootstrap replicates,
 * or the downstream panel's tasks). The compare, muP transfer, optimiser and downstream panels (useDownstream.ts)
 * run theirs so, as does the critical-batch panel: one lifecycle, so that a fix to it (a stale answer dropped) reaches all.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Dataset } from '../../../src/io/dataset.js';
import type { ErrorInfo } from '../lib/errors.js';
import { WorkerClient } from '../worker/workerClient.js';
import {
  compareWorkerName,
  mupWorkerName,
  type CompareOutcome,
  type CompareSettings,
  type MupTransferOutcome,
  type MupTransferSettings,
  hparamsWorkerName,
  type HparamsSweepOutcome,
  type HparamsSweepSettings,
  bcritWorkerName,
  type CriticalBatchOutcome,
  type CriticalBatchSettings,
  type WorkerAnswer,
  type WorkerProgress,
} from '../worker/protocol.js';

/** What the panel shows of an analysis of `I` (a data set, or the downstream panel's task metrics) with settings `S`. */
export interface AnalysisState<S, O, I = Dataset> {
  running: boolean;
  /** Steps done so far, of all. */
  progress?: { done: number; total: number };
  outcome?: O;
  error?: ErrorInfo;
  run: (input: I, settings: S) => void;
  /** Forget the result shown (new data were chosen). */
  clear: () => void;
}

/** Hands the question to the worker client's method for it. */
export type Send<S, O, I = Dataset> = (
  client: WorkerClient,
  input: I,
  settings: S,
  callback: (response: WorkerAnswer<O>) => void,
  onProgress: (progress: WorkerProgress) => void,
) => void;

export function useWorkerAnalysis<S, O, I = Dataset>(name: string, send: Send<S, O, I>): AnalysisState<S, O, I> {
  const client = useRef<WorkerClient | undefined>(undefined);
  const [state, setState] = useState<Omit<AnalysisState<S, O, I>, 'run' | 'clear'>>({ running: false });

  const stop = useCallback(() => {
    if (!client.current?.busy) return;
    client.current.dispose();
    client.current = undefined;
  }, []);

  useEffect(
    () => () => {
      client.current?.dispose();
      client.current = undefined;
    },
    [],
  );

  const run = useCallback(
    (input: I, settings: S) => {
      stop();
      const c = (client.current ??= new WorkerClient(name));
      setState({ running: true });
      send(
        c,
        input,
        settings,
        (response) => {
          if (client.current !== c) return;
          if (response.ok) {
            const { ok: _ok, id: _id, ...outcome } = response;
            setState({ running: false, outcome: outcome as O });
          } else setState({ running: false, error: response.error });
        },
        ({ done, total }) => {
          if (client.current === c) setState((s) => (s.running ? { ...s, progress: { done, total } } : s));
        },
      );
    },
    [stop, name, send],
  );

  const clear = useCallback(() => {
    stop();
    setState({ running: false });
  }, [stop]);

  return { ...state, run, clear };
}

const sendCompare: Send<CompareSettings, CompareOutcome> = (client, dataset, settings, callback, onProgress) =>
  client.compare(dataset, settings, callback, onProgress);
const sendMupTransfer: Send<MupTransferSettings, MupTransferOutcome> = (
  client,
  dataset,
  settings,
  callback,
  onProgress,
) => client.mupTransfer(dataset, settings, callback, onProgress);

/** Groups compared by their scaling curves (`scalelab compare`), in the scalelab-compare worker. */
export const useCompare = () => useWorkerAnalysis(compareWorkerName, sendCompare);

/** The learning-rate transfer check (`scalelab mup transfer`), in the scalelab-mup worker. */
export const useMupTransfer = () => useWorkerAnalysis(mupWorkerName, sendMupTransfer);

const sendHparamsSweep: Send<HparamsSweepSettings, HparamsSweepOutcome> = (
  client,
  dataset,
  settings,
  callback,
  onProgress,
) => client.hparamsSweep(dataset, settings, callback, onProgress);

/** Learning-rate and batch laws fitted to a sweep (`scalelab hparams --sweep`), in the scalelab-hparams worker. */
export const useHparamsSweep = () => useWorkerAnalysis(hparamsWorkerName, sendHparamsSweep);

const sendCriticalBatch: Send<CriticalBatchSettings, CriticalBatchOutcome> = (
  client,
  dataset,
  settings,
  callback,
  onProgress,
) => client.criticalBatch(dataset, settings, callback, onProgress);

/** The critical batch fitted to training curves at several batch sizes (`scalelab bcrit FILE`), in the scalelab-bcrit worker. */
export const useCriticalBatch = () => useWorkerAnalysis(bcritWorkerName, sendCriticalBatch);
