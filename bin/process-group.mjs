// Process-group helpers shared by bin/run-wrapper.mjs (plain JavaScript, run by node directly) and the
// local backend (TypeScript, through process-group.d.mts), so both end a training command the same
// way. A command runs as the leader of its own process group (spawned detached: setsid), and
// whatever it forks stays in that group unless it calls setsid itself: signalling the group ends
// the command's children and grandchildren too, as Slurm's job cleanup does.
import { readFileSync, readdirSync } from 'node:fs';

/** Seconds between SIGTERM and SIGKILL when a command is ended (Slurm's KillWait is 30 s). */
export const defaultGraceSeconds = 10;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** State letter and process group of a process from /proc (Linux), or undefined elsewhere / when gone. */
function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ppid pgrp …": comm may hold spaces and parentheses, so read after the last ')'.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], pgrp: Number(f[2]) };
  } catch {
    return undefined;
  }
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Whether a process is alive. A zombie counts as ended: an orphan's parent becomes PID 1, and in a
 * container PID 1 may never reap it, so kill(pid, 0) would succeed for ever.
 */
export function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e.code === 'EPERM';
  }
  return !hasProc || procStat(pid)?.state !== 'Z';
}

/** Whether any process of the group `pgid` is alive (zombies excluded where /proc tells them apart). */
export function groupAlive(pgid) {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    return e.code === 'EPERM';
  }
  if (!hasProc) return true;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s && s.pgrp === pgid && s.state !== 'Z') return true;
  }
  return false;
}

/** Send a signal to every process of a group; false when none was there to receive it. */
export function signalGroup(pgid, signal) {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * End a process group: SIGTERM (a trainer may save a checkpoint), then SIGKILL to whatever is left
 * after `graceSeconds`. Resolves true once no process of the group is alive, false if some process
 * survived SIGKILL (uninterruptible sleep) for max(5, `graceSeconds`) seconds more.
 */
export async function endGroup(pgid, graceSeconds = defaultGraceSeconds, pollMs = 50) {
  if (!groupAlive(pgid)) return true;
  signalGroup(pgid, 'SIGTERM');
  if (await gone(pgid, graceSeconds * 1000, pollMs)) return true;
  signalGroup(pgid, 'SIGKILL');
  return gone(pgid, Math.max(5, graceSeconds) * 1000, pollMs);
}

async function gone(pgid, ms, pollMs) {
  const end = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() >= end) return false;
    await sleep(pollMs);
  }
  return true;
}
