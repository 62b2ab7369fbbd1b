/**
 * Robust losses on residuals r = log L̂ − log L. The fit objective is their *sum* over points:
 * averaging shrinks the objective by 1/n and makes L-BFGS stop at its start (Besiroglu et al. 2024,
 * the failure behind Hoffmann et al.'s narrow intervals; docs/methods.md §10).
 */

export type LossKind = 'huber' | 'ls' | 'asymmetric';

/**
 * Where residuals are taken: 'log' (ln L̂ − ln L; Hoffmann et al., Besiroglu et al., Muennighoff et
 * al.) or 'linear' (L̂ − L, in the loss's own units; Gadre et al. 2024 fit this way).
 */
export type ResidualSpace = 'log' | 'linear';

export interface LossOptions {
  kind: LossKind;
  /** Residual space. @default 'log' */
  space: ResidualSpace;
  /** Huber threshold δ on the log residual (Hoffmann et al. 2022 use 1e-3). */
  delta: number;
  /**
   * Asymmetric loss only: factor on residuals where the law over-predicts the loss (r > 0), so a
   * fit errs toward under-promising (OLMo-core's "overestimate penalty").
   */
  overestimatePenalty: number;
}

export const defaultLoss: LossOptions = { kind: 'huber', space: 'log', delta: 1e-3, overestimatePenalty: 2 };

/** Huber_δ(r) = r²/2 for |r| ≤ δ, δ·(|r| − δ/2) otherwise. */
export function huber(r: number, delta: number): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

export function describeLoss(loss: LossOptions): string {
  const on = (loss.space ?? 'log') === 'linear' ? 'L' : 'log L';
  switch (loss.kind) {
    case 'ls':
      return `least squares on ${on}, summed`;
    case 'huber':
      return `Huber (δ = ${loss.delta}) on ${on}, summed`;
    case 'asymmetric':
      return `asymmetric Huber (δ = ${loss.delta}, over-prediction ×${loss.overestimatePenalty}) on ${on}, summed`;
  }
}
