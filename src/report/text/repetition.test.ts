import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repetitionReport } from './data.js';
import { epochValues, repetitionOptimum } from '../../analyses/repetition.js';
import { dataConstrained } from '../../laws/dataConstrained.js';

test("repetition's epoch thresholds: an interval end where a replicate's R*_D ran off is written in e-notation and said as unbounded", () => {
  const params = dataConstrained.example!.params;
  const optimum = repetitionOptimum(dataConstrained, params, 1e21, 5e9);
  const values = epochValues(params.R_D);
  const base = { C: 1e21, U: 5e9, provenance: 'test', optimum, values, half: 11.7, tenth: 36.4, R_D: params.R_D };
  const intervals = {
    level: 0.95,
    replicates: 20,
    atSearchEdge: 0,
    epochs: [7, 60] as [number, number],
    loss: [2.4, 2.5] as [number, number],
    capCost: [0.03, 0.06] as [number, number],
    half: [4.2, 435595009] as [number, number],
    tenth: [11.5, 1447015296.1] as [number, number],
    R_D: [4.5, 6.3e8] as [number, number],
  };
  const text = repetitionReport({ ...base, intervals });
  assert.match(
    text,
    /after 11\.7 epochs \[95 % 4\.2, 4\.4e8\] and less than a tenth after 36\.4 \[95 % 11\.5, 1\.4e9\]/,
  );
  assert.match(text, /An upper end beyond 1e4 epochs is a replicate whose R\*_D ran off/);
  const bounded = repetitionReport({ ...base, intervals: { ...intervals, half: [6.7, 546.2], tenth: [20.1, 1812.2] } });
  assert.match(bounded, /\[95 % 6\.7, 546\.2\]/);
  assert.doesNotMatch(bounded, /ran off/);
});
