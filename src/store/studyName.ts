/**
 * What a study may be called: one rule, read by the CLI's --study and the web API's study routes, so a
 * study the CLI makes is one the web app can open. Pure (no Node APIs), so the web app imports it too.
 */

/** Longest study name, in characters. */
const MAX_STUDY_NAME = 200;

/** Why `name` cannot name a study, or undefined when it can. */
export function studyNameProblem(name: string): string | undefined {
  // Blank names listed as an empty row and could not be asked for by URL (…/studies//runs).
  if (name.trim() === '') return `expected a study name${name ? ', not only spaces' : ''}`;
  if (name.length > MAX_STUDY_NAME) return `a study name has at most ${MAX_STUDY_NAME} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a study name has no control characters';
  return undefined;
}
