import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskAnalysis } from '../../analyses/downstreamLadder.js';
import { fittedWords } from './downstream.js';

// Only which of fit / viaValLossFit / direct is present decides the words; their contents are not read.
const task = (name: string, fitted: Partial<Pick<TaskAnalysis, 'fit' | 'viaValLossFit' | 'direct'>>): TaskAnalysis =>
  ({ task: name, targets: [], ...fitted }) as TaskAnalysis;
const some = {} as never;

test('fittedWords: what was fitted, by the route each task took', () => {
  const direct = fittedWords([task('hellaswag', { direct: some }), task('piqa', { direct: some })]);
  assert.match(direct ?? '', /^no task loss, so no step 1: the direct law in C, accuracy from compute/);
  assert.doesNotMatch(direct ?? '', /task loss from N and D/);
  assert.match(fittedWords([task('a', { fit: some })]) ?? '', /^step 1: task loss from N and D/);
  assert.match(fittedWords([task('a', { viaValLossFit: some })]) ?? '', /^step 1: validation loss from N and D/);
  // Two routes: each named with its tasks; a task not fitted is left out.
  const mixed = fittedWords([task('a', { fit: some }), task('b', { direct: some }), task('c', {})]);
  assert.match(mixed ?? '', /^a: step 1: task loss from N and D.*; b: no task loss, so no step 1/);
  assert.doesNotMatch(mixed ?? '', /\bc: /);
  assert.equal(fittedWords([task('c', {})]), undefined);
});
