/**
 * The outside tools some tests drive for real: Chromium (the web app and the report), a one-node
 * Slurm cluster, PyTorch (the reference trainer). On a machine without one, `npm test` reports its
 * tests as skipped, with the one command that installs it, rather than failing them: the README's
 * `npm test` passes on a fresh machine. Three switches:
 *
 * - SCALELAB_REQUIRE_ALL=1 (`.ci/run` sets it where it installed the tools): a missing tool fails its
 *   tests, naming what is missing and how to install it. CI accepts no skip.
 * - SCALELAB_SKIP_BROWSER=1, SCALELAB_SKIP_SLURM=1, SCALELAB_SKIP_TORCH=1: skip those tests on
 *   purpose, tools or not (even under SCALELAB_REQUIRE_ALL).
 * - SCALELAB_CHROMIUM (a Chromium binary, default /usr/bin/chromium), SCALELAB_PYTHON (a Python with
 *   PyTorch, default /usr/bin/python3): which binary is looked for and used.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Tool = 'browser' | 'slurm' | 'torch';

export const chromiumPath = process.env.SCALELAB_CHROMIUM || '/usr/bin/chromium';
/**
 * Screenshots are evidence for a reader (test-output/), not checks; on a busy 2-core machine one can take
 * longer than Playwright's 30 s default (CI saw "waiting for fonts" time out), so they get more.
 */
export const screenshotTimeoutMs = 120_000;
export const pythonPath = process.env.SCALELAB_PYTHON || '/usr/bin/python3';
const clusterScript = fileURLToPath(new URL('../../scripts/slurm-cluster.sh', import.meta.url));

/** The command that installs every tool (root; Debian or Ubuntu), or one of them with its name. */
export const installCommand = (what = '') => `sudo bash scripts/install-test-tools.sh${what ? ` ${what}` : ''}`;

const skipVariable: Record<Tool, string> = {
  browser: 'SCALELAB_SKIP_BROWSER',
  slurm: 'SCALELAB_SKIP_SLURM',
  torch: 'SCALELAB_SKIP_TORCH',
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Is `name` on PATH (or in /usr/sbin and /sbin, where Debian puts Slurm's daemons)? */
function onPath(name: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((d) => d && executable(join(d, name)));
}

/** Why the tool cannot be used here, with how to get it; undefined when it can. */
function missing(tool: Tool): string | undefined {
  if (tool === 'browser') {
    if (executable(chromiumPath)) return undefined;
    return `no Chromium at ${chromiumPath}: install it with "${installCommand('chromium')}" (or set SCALELAB_CHROMIUM to a Chromium binary)`;
  }
  if (tool === 'torch') {
    const r = spawnSync(pythonPath, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 });
    if (r.status === 0) return undefined;
    return `no PyTorch for ${pythonPath}: install it with "${installCommand('torch')}" (Debian's python3-torch), or set SCALELAB_PYTHON to a Python that has it (pip install torch)`;
  }
  const absent = ['sbatch', 'squeue', 'sacct', 'scontrol', 'sinfo', 'slurmctld', 'slurmd', 'munged'].filter(
    (b) => !onPath(b),
  );
  if (absent.length)
    return `no Slurm here (${absent.join(', ')} not found): install a one-node cluster with "${installCommand('slurm')}"`;
  // The tests start the cluster themselves (scripts/slurm-cluster.sh start), which needs root unless it is already up.
  if (process.getuid?.() === 0) return undefined;
  try {
    execFileSync('bash', [clusterScript, 'status'], { stdio: 'ignore', timeout: 30_000 });
    return undefined;
  } catch {
    return 'Slurm is installed but its test cluster is not running, and starting it needs root: "sudo bash scripts/slurm-cluster.sh start"';
  }
}

export interface ToolCheck {
  /** For node:test's `skip` option: the reason, or false to run. */
  skip: string | false;
  /** Call first in the test: fails it, with how to install the tool, when the tool is missing (under SCALELAB_REQUIRE_ALL=1). */
  require(): void;
}

/** Whether the tests that need `tool` run here, are skipped (with the install command), or must fail. */
export function testTool(tool: Tool): ToolCheck {
  const variable = skipVariable[tool];
  if (process.env[variable] === '1') return { skip: `${variable}=1`, require: () => {} };
  const why = missing(tool);
  if (!why) return { skip: false, require: () => {} };
  if (process.env.SCALELAB_REQUIRE_ALL === '1') {
    return {
      skip: false,
      require: () => {
        throw new Error(`SCALELAB_REQUIRE_ALL=1 and ${why}`);
      },
    };
  }
  return { skip: `${why}; ${installCommand()} installs all three`, require: () => {} };
}
