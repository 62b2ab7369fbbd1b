/**
 * Names close to a mistyped one, for errors that list what there is ("no task "arc_esy"; closest: arc_easy").
 */

/** Edit distance: insertions, deletions and substitutions of one character each. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

/** Edit distance with case ignored: "ARC_Easy" is one name with "arc_easy". */
const distance = (a: string, b: string) => levenshtein(a.toLowerCase(), b.toLowerCase());

/** The `count` names nearest to `query` by edit distance, case ignored (ties in the given order). */
export function closestNames(query: string, names: readonly string[], count = 3): string[] {
  return nearest(query, names, count).map((c) => c.name);
}

function nearest(query: string, names: readonly string[], count: number): { name: string; d: number }[] {
  return names
    .map((name, i) => ({ name, i, d: distance(query, name) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, count);
}

/**
 * "no X "query"; did you mean …? the data have: a, b, …": the nearest names first when the query is
 * within a third of its length of one, then names the query begins as a whole word ("piqa" for
 * "piqa_val_5shot": a benchmark's short name where the data name a variant; by edit distance it is
 * far), three at most, then up to `shown` names (with "…" when there are more).
 */
export function unknownName(query: string, names: readonly string[], shown = 20, have = 'the data have'): string {
  const list = `${names.slice(0, shown).join(', ')}${names.length > shown ? `, … (${names.length} in all)` : ''}`;
  return `${didYouMean(query, names)}${have}: ${list}`;
}

/**
 * "did you mean a or b? " for the names near a mistyped one (see unknownName), or "" when none is near: for
 * errors that list their choices in their own words ("unknown preset "muenighoff-2023" (did you mean
 * muennighoff-2023? known: …)").
 */
export function didYouMean(query: string, names: readonly string[]): string {
  const q = query.toLowerCase();
  const variants = q ? names.filter((n) => n.toLowerCase().startsWith(q) && /^[_\-/.:, ]/.test(n.slice(q.length))) : [];
  const near = [
    ...new Set([
      ...nearest(query, names, 3)
        .filter((c) => c.d <= Math.max(1, query.length / 3))
        .map((c) => c.name),
      ...variants,
    ]),
  ].slice(0, 3);
  return near.length ? `did you mean ${near.join(' or ')}? ` : '';
}
