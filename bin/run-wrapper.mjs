#!/usr/bin/env node
// Runs one training command for ScaleLab's local and Slurm backends, detached from the sweep that
// launched it, and records how it ended. Reads RUN_DIR/job.json: { "argv": [...], "cwd": "..." }.
// The command is spawned with an argument vector, never through a shell. Writes RUN_DIR/pid,
// stdout.log, stderr.log and, when the command ends, RUN_DIR/exit.json { code, signal, seconds }.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const runDir = process.argv[2];
const job = JSON.parse(readFileSync(join(runDir, 'job.json'), 'utf8'));
const started = Date.now();
const out = openSync(join(runDir, 'stdout.log'), 'a');
const err = openSync(join(runDir, 'stderr.log'), 'a');
writeFileSync(join(runDir, 'pid'), String(process.pid));
const finish = (code, signal, error) => {
  const tmp = join(runDir, 'exit.json.tmp');
  writeFileSync(tmp, JSON.stringify({ code, signal, seconds: (Date.now() - started) / 1000, ...(error ? { error } : {}) }));
  renameSync(tmp, join(runDir, 'exit.json')); // atomic: a reader sees all of it or nothing
};
const child = spawn(job.argv[0], job.argv.slice(1), { cwd: job.cwd, stdio: ['ignore', out, err], shell: false, env: { ...process.env, ...(job.env ?? {}) } });
child.on('error', (e) => finish(127, null, e.message));
child.on('exit', (code, signal) => finish(code, signal));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => child.kill(s));
