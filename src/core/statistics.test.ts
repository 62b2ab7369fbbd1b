import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intervalOpenAbove, percentileInterval } from './statistics.js';

test('intervalOpenAbove: +Infinity counts as beyond every value; the interval opens above only when the upper tail reaches it', () => {
  const reached = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  // None never: the ordinary percentile interval.
  assert.deepEqual(intervalOpenAbove(reached, 0.9), percentileInterval(reached, 0.9));
  // 2 of 102 never (under the 5 % upper tail of a 90 % interval): still closed, but shifted up.
  const few = [...reached, Infinity, Infinity];
  const [lo, hi] = intervalOpenAbove(few, 0.9)!;
  assert.ok(Number.isFinite(hi) && hi > percentileInterval(reached, 0.9)[1], `${hi}`);
  assert.ok(lo > percentileInterval(reached, 0.9)[0]);
  // 46 % never: open above; the lower end still from the replicates that reach it.
  const many = [...reached.slice(0, 54), ...Array(46).fill(Infinity)];
  const open = intervalOpenAbove(many, 0.95)!;
  assert.equal(open[1], Infinity);
  assert.ok(open[0] >= 1 && open[0] < 5, `${open[0]}`);
  // NaN is left out; fewer than two finite values give no interval.
  assert.deepEqual(intervalOpenAbove([NaN, ...reached], 0.9), percentileInterval(reached, 0.9));
  assert.equal(intervalOpenAbove([1, Infinity, Infinity], 0.9), undefined);
  // 98 of 100 beyond (more than the 2.5 % lower tail): no interval, not [∞, ∞].
  assert.equal(intervalOpenAbove([1, 2, ...Array(98).fill(Infinity)], 0.95), undefined);
  // 96 of 100 beyond: the lower end is still a value.
  const lower = intervalOpenAbove([1, 2, 3, 4, ...Array(96).fill(Infinity)], 0.95)!;
  assert.ok(Number.isFinite(lower[0]) && lower[1] === Infinity, `${lower}`);
});
