/**
 * Every flag of every command, read from the commander program itself: what docs/flags.md lists
 * and what src/cli/flags.test.ts checks (one flag name, one meaning; one default unless a reason is
 * written down in src/cli/flags.ts).
 */
import type { Command } from 'commander';
import { commandPath, deprecatedAliases, sharedFlags, type SharedFlag } from './flags.js';

export interface FlagUse {
  /** The command's words, e.g. `sweep run`. */
  command: string;
  long: string;
  description: string;
  defaultValue: unknown;
}

/** The commands that run (leaves), in help order. */
export function leafCommands(program: Command): Command[] {
  const subs = program.commands as Command[];
  return subs.length === 0 ? [program] : subs.flatMap((s) => leafCommands(s));
}

/** Every visible flag of every command (deprecated aliases are hidden and listed apart). */
export function flagUses(program: Command): FlagUse[] {
  return leafCommands(program).flatMap((cmd) =>
    cmd.options
      .filter((o) => !o.hidden && o.long)
      .map((o) => ({
        command: commandPath(cmd),
        long: o.long!,
        description: o.description,
        defaultValue: o.defaultValue,
      })),
  );
}

const registry = new Map<string, SharedFlag>(
  Object.values(sharedFlags).map((s: SharedFlag) => [s.flags.split(' ')[0], s]),
);

/** A use's meaning: the shared meaning it starts with, else its whole description. */
export function meaningOf(use: FlagUse): string {
  const s = registry.get(use.long);
  return s && use.description.startsWith(s.meaning) ? s.meaning : use.description;
}

export interface SharedFlagRow {
  long: string;
  meaning: string;
  uses: FlagUse[];
}

/** Flags that more than one command takes, by name. */
export function sharedFlagRows(uses: FlagUse[]): SharedFlagRow[] {
  const byName = new Map<string, FlagUse[]>();
  for (const u of uses) byName.set(u.long, [...(byName.get(u.long) ?? []), u]);
  return [...byName.entries()]
    .filter(([, us]) => new Set(us.map((u) => u.command)).size > 1)
    .map(([long, us]) => ({ long, meaning: meaningOf(us[0]), uses: us }))
    .sort((a, b) => a.long.localeCompare(b.long));
}

/**
 * What breaks "each flag means one thing everywhere": a name described two ways, a shared flag
 * whose description does not start with its meaning, or defaults that differ with no reason given.
 */
export function flagProblems(uses: FlagUse[]): string[] {
  const problems: string[] = [];
  for (const u of uses) {
    const s = registry.get(u.long);
    if (s && !u.description.startsWith(s.meaning))
      problems.push(
        `${u.command} ${u.long}: "${u.description}" does not start with its shared meaning "${s.meaning}" (src/cli/flags.ts)`,
      );
  }
  for (const row of sharedFlagRows(uses)) {
    const meanings = new Set(row.uses.map(meaningOf));
    if (meanings.size > 1)
      problems.push(
        `${row.long} means ${meanings.size} things: ${row.uses.map((u) => `${u.command}: "${u.description}"`).join('; ')}`,
      );
    const defaults = new Set(row.uses.map((u) => JSON.stringify(u.defaultValue ?? null)));
    if (defaults.size > 1 && !registry.get(row.long)?.defaultsVary)
      problems.push(
        `${row.long} has ${defaults.size} defaults (${row.uses.map((u) => `${u.command}: ${u.defaultValue ?? 'none'}`).join(', ')}) and src/cli/flags.ts gives no reason (defaultsVary)`,
      );
  }
  return problems;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** docs/flags.md: every flag name shared by more than one command, with its one meaning. */
export function flagsMarkdown(program: Command): string {
  const uses = flagUses(program);
  const rows = sharedFlagRows(uses);
  const lines = [
    '# Flags shared by more than one command',
    '',
    'Written by `node --import tsx scripts/flags-table.ts` from the program itself; a test keeps it current and',
    'fails when one flag name has two meanings. A command may add a detail after the meaning (an example, what it',
    'applies to). Defaults differ between commands only where src/cli/flags.ts says why.',
    '',
    '| flag | meaning | commands (default) |',
    '|---|---|---|',
    ...rows.map((r) => {
      const byDefault = new Map<string, string[]>();
      for (const u of r.uses) {
        const d = u.defaultValue === undefined ? '' : ` (${String(u.defaultValue)})`;
        byDefault.set(d, [...(byDefault.get(d) ?? []), u.command]);
      }
      const commands = [...byDefault.entries()]
        .map(([d, cs]) => `${cs.map((c) => `\`${c}\``).join(', ')}${d}`)
        .join('; ');
      return `| \`${r.long}\` | ${cell(r.meaning)} | ${cell(commands)} |`;
    }),
    '',
    '## Deprecated spellings',
    '',
    'Accepted for one more release, with a note on stderr; `--help` does not show them.',
    '',
    '| command | old | use |',
    '|---|---|---|',
    ...leafCommands(program).flatMap((cmd) =>
      deprecatedAliases(cmd).map((a) => `| \`${commandPath(cmd)}\` | \`${a.old}\` | \`${a.replacement}\` |`),
    ),
    '',
  ];
  return lines.join('\n');
}
