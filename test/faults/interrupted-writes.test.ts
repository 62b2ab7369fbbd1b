// Fault injection, second pass ("nothing lost under faults"): writes interrupted by a full disk or a
// crash. Output files are replaced whole or not at all; a run folder whose exit record was cut short
// fails its run with the file named instead of ending the sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noStackTrace, root } from '../helpers/cli.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `scalelab-faults-${name}-`));

const runsCsv =
  'N,D,loss\n1e8,2e9,3.2\n2e8,4e9,2.95\n4e8,8e9,2.75\n8e8,1.6e10,2.6\n1.6e9,3.2e10,2.48\n3.2e9,6.4e10,2.39\n1e8,8e9,3.0\n8e8,2e9,2.9\n';

/**
 * The CLI in a shell whose file-size limit is `kib` KiB (ulimit -f): a write past it fails with EFBIG,
 * as on a full disk (Node ignores SIGXFSZ, so the write fails instead of the process dying).
 */
function cliWithFileLimit(kib: number, args: string[]) {
  const cmd = `ulimit -f ${kib} && exec "$0" --import tsx "$@"`;
  const r = spawnSync('bash', ['-c', cmd, process.execPath, `${root}src/cli/run.ts`, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SCALELAB_DEBUG: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('a report that cannot be written whole (a full disk) leaves the earlier report as it was, and no temporary file', () => {
  const dir = tmp('out-full');
  const data = join(dir, 'runs.csv');
  writeFileSync(data, runsCsv);
  const out = join(dir, 'report.html');
  // The earlier, good report (any earlier file: its bytes are what must survive).
  const before = Buffer.from('<!doctype html><title>the earlier report</title>\n');
  writeFileSync(out, before);
  const full = cliWithFileLimit(64, ['report', data, '--out', out, '--bootstrap', '0', '--json']);
  assert.equal(full.code, 1, full.stderr);
  assert.ok(
    readFileSync(out).equals(before),
    `the earlier report is byte for byte as it was (was: ${readFileSync(out).length} bytes)`,
  );
  assert.ok(full.stderr.length > 0 && !/^wrote /m.test(full.stderr), full.stderr);
  assert.ok(noStackTrace(full.stderr), full.stderr);
  assert.match(
    full.stderr,
    new RegExp(`cannot write ${out}: the disk is full or the file too large \\(EFBIG\\); the file there is unchanged`),
  );
  assert.deepEqual(readdirSync(dir).sort(), ['report.html', 'runs.csv'], 'no temporary file is left');
});
