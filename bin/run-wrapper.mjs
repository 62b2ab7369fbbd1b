#!/usr/bin/env node
// Runs one training command for ScaleLab's local and Slurm backends, detached from the sweep that
// launched it, and records how it ended. Reads RUN_DIR/job.json:
//   { "argv": [...], "cwd": "...", "env": {...}, "timeoutSeconds": N, "graceSeconds": N }
// The command is spawned with an argument vector, never through a shell, as the leader of its own
// process group, so that a time limit or a cancel (SIGTERM/SIGINT to this wrapper) ends everything
// it started: SIGTERM to the group, SIGKILL after the grace period. When the command ends, what it
// left running in its group is ended the same way (as Slurm's job cleanup does).
// Writes RUN_DIR/pid (this wrapper), group.json { pgid, started } (the command's group), stdout.log,
// stderr.log and, when the command ends, exit.json { code, signal, seconds, timedOut?, error? }.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { defaultGraceSeconds, endGroup } from './process-group.mjs';

const runDir = process.argv[2];
const job = JSON.parse(readFileSync(join(runDir, 'job.json'), 'utf8'));
const grace = job.graceSeconds ?? defaultGraceSeconds;
const started = Date.now();
let child;
let timedOut = false;
const writeAtomic = (name, value) => {
  const tmp = join(runDir, `${name}.tmp`);
  // Flushed before the rename: after a node crashes, the file is whole or absent, never empty.
  writeFileSync(tmp, JSON.stringify(value), { flush: true });
  renameSync(tmp, join(runDir, name)); // atomic: a reader sees all of it or nothing
  // The folder synced too, so that the new name survives a power cut (where a folder can be synced).
  try {
    const fd = openSync(runDir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows, some network file systems: the rename stays atomic, its durability is the system's
  }
};
// "code" stays the first field: the Slurm batch script reads it with sed.
const finish = (code, signal, error) => {
  // The folder may have been removed while the command ran (a clean-up, a purged scratch space): made
  // again, so how the command ended is still recorded and the sweep can say the folder was removed,
  // instead of finding no trace of this wrapper at all.
  mkdirSync(runDir, { recursive: true });
  writeAtomic('exit.json', {
    code,
    signal,
    seconds: (Date.now() - started) / 1000,
    ...(timedOut ? { timedOut: job.timeoutSeconds } : {}),
    ...(error ? { error } : {}),
  });
};
// A cancel: end the command's whole group; exit.json follows when its leader has exited.
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => child?.pid && endGroup(child.pid, grace));

const out = openSync(join(runDir, 'stdout.log'), 'a');
const err = openSync(join(runDir, 'stderr.log'), 'a');
// Atomic like the others: a poll that read an empty, just-created pid file took the wrapper for dead
// and the run, with no group.json yet, for failed (seen once in 44 runs on a loaded machine).
writeAtomic('pid', process.pid);
// `sweep cancel` leaves this marker before signalling the pid above: one that came first stops the run here.
if (existsSync(join(runDir, 'cancelled'))) {
  finish(null, 'SIGTERM', 'cancelled before the command started');
  process.exit(0);
}
child = spawn(job.argv[0], job.argv.slice(1), {
  cwd: job.cwd,
  stdio: ['ignore', out, err],
  shell: false,
  detached: true,
  env: { ...process.env, ...(job.env ?? {}) },
});
if (child.pid) writeAtomic('group.json', { pgid: child.pid, started });
const timer =
  job.timeoutSeconds > 0
    ? setTimeout(() => {
        timedOut = true;
        endGroup(child.pid, grace);
      }, job.timeoutSeconds * 1000)
    : undefined;
child.on('error', (e) => {
  clearTimeout(timer);
  finish(127, null, e.message);
});
child.on('exit', async (code, signal) => {
  clearTimeout(timer);
  await endGroup(child.pid, grace);
  finish(code, signal);
});
