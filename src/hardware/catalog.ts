/**
 * Accelerators and their peak dense BF16 throughput, and the compute budget they give. Pure.
 *
 * Budget = GPUs × peak FLOP/s × MFU × seconds. MFU (model FLOPs utilisation) is what a real run
 * reaches: Llama 3 405B ran at 38–43 % on H100s (Dubey et al. 2024, §3.3).
 */
import { OptionError } from '../errors/index.js';
import { percentSlip } from '../core/slips.js';

export interface Accelerator {
  id: string;
  name: string;
  /** Peak dense BF16 (or FP16) tensor throughput, FLOP/s, without sparsity. */
  peakFlops: number;
  source: string;
  /** How the figure was checked: 'methods' = the datasheet and a second source agree (docs/methods.md §20); 'datasheet' = the datasheet alone. */
  checked: 'methods' | 'datasheet';
}

export const accelerators: readonly Accelerator[] = [
  {
    id: 'h100',
    name: 'NVIDIA H100 SXM5',
    peakFlops: 989.4e12,
    source: 'NVIDIA H100 datasheet: 1,979 TFLOP/s BF16 with 2:4 sparsity, 989.4 dense (docs/methods.md §20)',
    checked: 'methods',
  },
  {
    id: 'h100-pcie',
    name: 'NVIDIA H100 PCIe',
    peakFlops: 756e12,
    source: 'NVIDIA H100 datasheet, PCIe: 756 TFLOP/s dense BF16 (docs/methods.md §20)',
    checked: 'methods',
  },
  {
    id: 'a100',
    name: 'NVIDIA A100 (SXM4 / PCIe)',
    peakFlops: 312e12,
    source: 'NVIDIA A100 datasheet: 312 TFLOP/s BF16 dense (docs/methods.md §20)',
    checked: 'methods',
  },
  {
    id: 'h200',
    name: 'NVIDIA H200 SXM',
    peakFlops: 989.4e12,
    source: 'NVIDIA H200 datasheet: same Hopper tensor cores as H100 SXM, 989 TFLOP/s dense BF16',
    checked: 'datasheet',
  },
  {
    id: 'b200',
    name: 'NVIDIA B200',
    peakFlops: 2.25e15,
    source: 'NVIDIA Blackwell datasheet (HGX B200): 2.25 PFLOP/s dense BF16 per GPU',
    checked: 'datasheet',
  },
  {
    id: 'v100',
    name: 'NVIDIA V100 SXM2',
    peakFlops: 125e12,
    source: 'NVIDIA V100 datasheet: 125 TFLOP/s FP16 tensor (no BF16)',
    checked: 'datasheet',
  },
  {
    id: 'mi300x',
    name: 'AMD Instinct MI300X',
    peakFlops: 1307.4e12,
    source: 'AMD MI300X datasheet: 1,307.4 TFLOP/s dense BF16',
    checked: 'datasheet',
  },
  {
    id: 'tpu-v4',
    name: 'Google TPU v4',
    peakFlops: 275e12,
    source: 'Google Cloud TPU v4 documentation: 275 TFLOP/s BF16 per chip',
    checked: 'datasheet',
  },
  {
    id: 'tpu-v5p',
    name: 'Google TPU v5p',
    peakFlops: 459e12,
    source: 'Google Cloud TPU v5p documentation: 459 TFLOP/s BF16 per chip',
    checked: 'datasheet',
  },
];

/**
 * The accelerator every command assumes when none is given (plan, sweep plan, sweep run, study
 * run): one default, so a plan and the sweep that tests it cost runs on the same hardware.
 */
export const defaultAcceleratorId = 'b200';

/**
 * The model FLOPs utilisation assumed when none is given (plan, the web app's planner), and where it
 * comes from (docs/methods.md §20): a plan at an MFU nobody chose says so beside the number.
 */
export const defaultMfu = 0.4;
export const defaultMfuSource =
  'Llama 3 405B trained at 38–43 % MFU on H100s, Dubey et al. 2024, arXiv:2407.21783, §3.3';

/**
 * Model FLOPs utilisation is a fraction of the peak, in (0, 1]: 40 for 40 % is the usual slip, said as
 * the fraction it stands for. For every reader of an MFU (a hardware budget, a sweep's cost model).
 */
export function checkMfu(mfu: number): void {
  if (mfu > 0 && mfu <= 1) return;
  const slip = percentSlip(mfu, [Number.MIN_VALUE, 1]);
  throw new OptionError({
    option: 'mfu',
    value: mfu,
    message: (o) => `${o('mfu')} must be in (0, 1], got ${mfu}${slip ? ` (${slip})` : ''}`,
  });
}
/** Look up an accelerator by id (case-insensitive), with a clear error listing the known ones. */
export function accelerator(id: string, catalog: readonly Accelerator[] = accelerators): Accelerator {
  const found = catalog.find((a) => a.id === id.toLowerCase());
  if (!found)
    throw new OptionError({
      option: 'gpu',
      value: id,
      allowed: catalog.map((a) => a.id),
      message: (o) => `unknown GPU "${id}" (known: ${catalog.map((a) => a.id).join(', ')}); or give ${o('peakFlops')}`,
    });
  return found;
}

export interface HardwareBudget {
  gpus: number;
  accelerator: Accelerator;
  /** Model FLOPs utilisation, 0–1. */
  mfu: number;
  days: number;
  /** Training FLOPs the run can do. */
  flops: number;
  gpuHours: number;
  /** Cost when a price per GPU-hour was given. */
  cost?: number;
  pricePerGpuHour?: number;
}

/**
 * What a cluster can train in a given time: training FLOPs = gpus × peak FLOP/s × mfu × days × 86,400 s,
 * with GPU-hours and, given a price, the cost.
 * @param gpus accelerators, a whole number ≥ 1
 * @param acc the accelerator (`accelerator('h100')`; its `peakFlops` is dense BF16 FLOP/s per device)
 * @param mfu model FLOPs utilisation, a fraction in (0, 1] (the CLI's default is 0.4)
 * @param days wall-clock days of training
 * @param pricePerGpuHour price of one GPU-hour, in whatever currency the cost is wanted
 * @throws OptionError naming the argument that is not a positive number
 */
export function hardwareBudget(
  gpus: number,
  acc: Accelerator,
  mfu: number,
  days: number,
  pricePerGpuHour?: number,
): HardwareBudget {
  if (!(gpus > 0))
    throw new OptionError({
      option: 'gpus',
      value: gpus,
      message: (o) => `${o('gpus')} must be positive, got ${gpus}`,
    });
  checkMfu(mfu);
  if (!(days > 0))
    throw new OptionError({
      option: 'days',
      value: days,
      message: (o) => `${o('days')} must be positive, got ${days}`,
    });
  const gpuHours = gpus * days * 24;
  const flops = gpus * acc.peakFlops * mfu * days * 86400;
  return {
    gpus,
    accelerator: acc,
    mfu,
    days,
    flops,
    gpuHours,
    ...(pricePerGpuHour !== undefined ? { cost: gpuHours * pricePerGpuHour, pricePerGpuHour } : {}),
  };
}

/** Wall-clock days to spend `flops` on `gpus` accelerators at a given MFU. */
export function trainingDays(flops: number, gpus: number, acc: Accelerator, mfu: number): number {
  return flops / (gpus * acc.peakFlops * mfu * 86400);
}
