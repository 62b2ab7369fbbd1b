/**
 * Hoffmann et al. 2022, Table 3: Approach 1's projected compute-optimal (N, C, D) for model sizes
 * from 400M to 10T parameters. Published projections, used as landmarks and as a C = 6ND check.
 */
export const chinchillaTable3: readonly { N: number; C: number; D: number }[] = [
  { N: 400e6, C: 1.92e19, D: 8.0e9 },
  { N: 1e9, C: 1.21e20, D: 20.2e9 },
  { N: 10e9, C: 1.23e22, D: 205.1e9 },
  { N: 67e9, C: 5.76e23, D: 1.5e12 },
  { N: 175e9, C: 3.85e24, D: 3.7e12 },
  { N: 280e9, C: 9.9e24, D: 5.9e12 },
  { N: 520e9, C: 3.43e25, D: 11.0e12 },
  { N: 1e12, C: 1.27e26, D: 21.2e12 },
  { N: 10e12, C: 1.3e28, D: 216.2e12 },
];
