/**
 * Stand-ins for every Slurm command the Slurm backend may call, first on PATH, so its tests run on a
 * machine without a cluster (and one with Slurm's binaries but no controller answers at once: the real
 * squeue, sacct and scontrol would wait for one). By default nothing is queued and nothing known;
 * a test gives the commands whose answers it needs as shell script bodies.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type SlurmCommand = 'sbatch' | 'squeue' | 'sacct' | 'scontrol' | 'scancel';

const quiet: Record<SlurmCommand, string> = {
  sbatch: 'echo "sbatch: error: no cluster here (a test stand-in)" >&2\nexit 1',
  squeue: 'echo \'{"jobs": []}\'',
  sacct: 'exit 0',
  scontrol:
    'case "$1 $2" in "show config") echo "MaxArraySize            = 1001" ;; *) echo "scontrol: error: no such job" >&2; exit 1 ;; esac',
  scancel: 'exit 0',
};

/** Write the stand-ins into `dir` and put it first on PATH; the returned function puts PATH back. */
export function fakeSlurm(dir: string, bodies: Partial<Record<SlurmCommand, string>> = {}): () => void {
  for (const [name, body] of Object.entries({ ...quiet, ...bodies })) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  return () => {
    process.env.PATH = path;
  };
}
