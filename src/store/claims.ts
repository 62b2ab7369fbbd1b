/**
 * Study claims: a sweep (or study run) holds its study while it drives it, by a claim file beside the
 * store (`PATH-sweep-HASH.N`), so that a second sweep on the same study, or an import into it, is refused
 * naming the holder. Separate from the store's SQLite lock (writers.ts): a claim lasts a whole sweep, across
 * many short transactions, and is taken over when its process has gone.
 */
import { linkSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { processAlive } from '../io/processAlive.js';
import { StoreError } from './errors.js';
import { hashKey } from './hashKey.js';
import { pauseUntilReleased } from './testPause.js';
import { commandLine, type WriterInfo } from './writers.js';

/** `path-sweep-HASH`: the base name of the claim files a sweep keeps next to the store while it drives a study (RunStore.claimStudy). */
function studyClaimFile(path: string, study: string): string {
  return `${path}-sweep-${hashKey(study).slice(0, 12)}`;
}

/**
 * The generations of a study's claim files, `BASE.N` (N ≥ 1), in order; `BASE` itself, a claim made
 * by an earlier version of ScaleLab, counts as generation 0. Temporary files (`BASE.PID.tmp`) are not claims.
 */
function claimGenerations(base: string): number[] {
  const name = basename(base);
  let entries: string[];
  try {
    entries = readdirSync(dirname(base));
  } catch {
    return [];
  }
  const generations: number[] = [];
  for (const entry of entries) {
    if (entry === name) generations.push(0);
    else if (entry.startsWith(`${name}.`) && /^[1-9][0-9]{0,14}$/.test(entry.slice(name.length + 1)))
      generations.push(Number(entry.slice(name.length + 1)));
  }
  return generations.sort((a, b) => a - b);
}

/** The claim file of generation `n` (see claimGenerations). */
function claimFile(base: string, n: number): string {
  return n === 0 ? base : `${base}.${n}`;
}

/**
 * Create `file` holding `text` unless it exists: a hard link to the written `tmp`, so it appears
 * whole; on a file system without hard links it is created exclusively instead (a reader may then
 * see it empty for a moment; an empty claim counts as held for a minute).
 * @returns false when the file exists
 */
function createWhole(tmp: string, file: string, text: string, cannot: (e: unknown) => Error): boolean {
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
  }
  try {
    writeFileSync(file, text, { flag: 'wx', flush: true });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cannot(e);
  }
}

/**
 * Whether a claim file holds its study: its holder is alive (or on another host), or it cannot be read
 * yet and is under a minute old (being written, see createWhole); undefined when its process has gone
 * or the file is no longer there.
 */
function claimHeld(file: string): { holder?: WriterInfo } | undefined {
  const holder = readClaim(file);
  const modified = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  if (modified === undefined) return undefined;
  if (holder?.alive) return { holder };
  return !holder && Date.now() - modified < 60_000 ? {} : undefined;
}

/** The sweep (or study run) holding a claim, as its refusals name it: pid, host, command line, since when. */
function describeClaimHolder(holder: WriterInfo | undefined): string {
  return holder
    ? `pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} ("${holder.command}"), since ${holder.since}`
    : 'a process that is starting';
}

/** A claim file's holder, or undefined when there is none (or nothing readable: see claimStudy). */
function readClaim(file: string): (WriterInfo & { study?: string }) | undefined {
  try {
    const w = JSON.parse(readFileSync(file, 'utf8')) as Omit<WriterInfo, 'alive'> & { study?: string };
    if (typeof w.pid !== 'number' || typeof w.command !== 'string') return undefined;
    return { ...w, alive: w.host !== hostname() || processAlive(w.pid) };
  } catch {
    return undefined;
  }
}

/**
 * A test hook: a sweep about to take over a claim left by a process that has gone writes
 * `DIR/PID.paused` and waits for `DIR/PID.go`, so a test can line two such sweeps up at that point.
 */
function pauseBeforeTakeover(): void {
  const dir = process.env.SCALELAB_TEST_CLAIM_TAKEOVER_PAUSE;
  if (dir) pauseUntilReleased(dir, 'paused');
}

/**
 * Whether a sweep holds `study` now (claimStudy). With none, the states of its runs in flight are
 * those a sweep last recorded: only a sweep asks the backend.
 */
export function studyHasSweep(path: string, study: string): boolean {
  if (path === ':memory:') return false;
  const base = studyClaimFile(path, study);
  return claimGenerations(base).some((g) => claimHeld(claimFile(base, g)) !== undefined);
}

/**
 * Refuses to add runs to a study another process's sweep (or study run) holds: it counts every run of
 * its study as its own, so imported runs would swell its totals past its plan (47 done of 44).
 * @param source the file being imported: the refusal says it was not, not that nothing was (a sweep may
 *   claim the study between two files of one import, the first of them stored)
 * @throws StoreError naming the sweep, and what to do instead
 */
export function refuseHeldStudy(path: string, study: string, source: string): void {
  if (path === ':memory:') return;
  const base = studyClaimFile(path, study);
  for (const g of claimGenerations(base)) {
    const held = claimHeld(claimFile(base, g));
    if (!held || (held.holder?.pid === process.pid && held.holder.host === hostname())) continue;
    throw new StoreError(
      path,
      (o) =>
        `study "${study}" is being run by a sweep: ${describeClaimHolder(held.holder)}. Runs imported into it would be counted as that sweep's own, so ${source} was not imported. Wait for it to finish, or import into another study (${o('study')})`,
    );
  }
}

/**
 * Claim a study for this process's sweep, until `release` (or the process ends): a second sweep
 * on the same study would submit its planned runs too, and train them twice. The claim is a file
 * beside the store, `PATH-sweep-HASH.N` (made whole by a hard link so no one reads half of it);
 * the claim of highest generation N holds the study. One left by a process that has gone (kill -9,
 * a reboot) is taken over by creating generation N+1, which only one process can create: two
 * sweeps that find the same stale claim at once cannot both win (removing the stale file and
 * creating the fixed name again let the second remove the first's new claim, and both ran).
 * @throws StoreError naming the sweep that holds the study
 */
export function claimStudy(path: string, study: string): { release: () => void } {
  if (path === ':memory:') return { release: () => {} };
  const base = studyClaimFile(path, study);
  const info = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
    study,
  });
  const tmp = `${base}.${process.pid}.tmp`;
  const cannot = (e: unknown) =>
    new StoreError(
      path,
      `cannot claim study "${study}" for this sweep: ${(e as Error).message} (the sweep writes ${basename(base)}.N beside the store; its folder must be writable)`,
    );
  try {
    writeFileSync(tmp, info, { flush: true });
  } catch (e) {
    throw cannot(e);
  }
  let mine: string | undefined;
  try {
    for (let attempt = 0; !mine; attempt++) {
      if (attempt >= 10)
        throw new StoreError(path, `cannot claim study "${study}": its claim files beside the store keep changing`);
      const generations = claimGenerations(base);
      const top = generations.at(-1);
      for (const g of generations.reverse()) {
        const file = claimFile(base, g);
        const held = claimHeld(file);
        if (held) {
          const who = describeClaimHolder(held.holder);
          throw new StoreError(
            path,
            `study "${study}" is being run by another sweep: ${who}. Two sweeps on one study would train its runs twice: wait for that one to finish, or stop it and run this again (its runs are picked up; a sweep that has gone on this host leaves nothing in the way, one on another host leaves ${file} to remove)`,
          );
        }
      }
      // Left by sweeps that have gone: take it over with the next generation.
      if (top !== undefined) pauseBeforeTakeover();
      const next = (top ?? 0) + 1;
      if (!createWhole(tmp, claimFile(base, next), info, cannot)) continue; // another took it: look again
      // Ours holds only if no later generation was made meanwhile (by one who saw an older claim
      // gone), and no earlier one is held: one who looked long ago may make a generation that a
      // sweep since then has made, held and released. Two who see each other both give way and
      // look again; of any two that hold, the later would have seen the earlier.
      const after = claimGenerations(base);
      if (after.some((g) => g > next || (g < next && claimHeld(claimFile(base, g))))) {
        rmSync(claimFile(base, next), { force: true });
        continue;
      }
      mine = claimFile(base, next);
      // The claims before ours are of processes that have gone.
      for (const g of claimGenerations(base)) if (g < next) rmSync(claimFile(base, g), { force: true });
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const held = mine;
  return {
    release: () => {
      // Only our own claim (no one else creates or removes this generation while we live).
      const holder = readClaim(held);
      if (holder?.pid === process.pid && holder.host === hostname()) rmSync(held, { force: true });
    },
  };
}
