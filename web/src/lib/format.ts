/** Number formatting for the app: the CLI's formatNumber, plus human-sized counts. */
import { formatNumber } from '../../../src/core/format.js';

export { formatNumber };

const units: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** 7.02e10 → "70.2B". */
export function humanCount(value: number): string {
  for (const [size, unit] of units) if (Math.abs(value) >= size) return `${(value / size).toPrecision(3)}${unit}`;
  return value.toPrecision(3);
}

export function formatInterval(interval: [number, number] | undefined, digits = 4): string {
  return interval ? `[${formatNumber(interval[0], digits)}, ${formatNumber(interval[1], digits)}]` : '';
}
