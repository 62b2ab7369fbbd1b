/**
 * Parse the user's data pools for compute-dependent data selection (Goyal et al. 2024's utility
 * model, `analyses/dataSelection.ts`) from CSV or JSON, validated with located errors. Pure.
 *
 * CSV: a header with `name`, `b` (utility exponent, negative) and `tau` (repetition half-life in
 * epochs), one pool a row:
 *
 *   name,b,tau
 *   top 10 %,-0.16,6.727
 *
 * JSON: the same pools as an array of objects, or an object that may also set the model's shared
 * constants: { "a": 0.025, "d": 0.1, "poolSize": 12.8e6, "pools": [{ "name": "…", "b": -0.16, "tau": 6.727 }] }.
 * Pools are assumed to be of equal size (`poolSize` samples each), as in the authors' code.
 */
import { parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { malformedJson } from './jsonSyntax.js';
import { InputError, type Location } from '../errors/index.js';
import { csvRecords, headerIndex } from './parseRuns.js';
import { lineColumn, lineStartsOf } from './textPosition.js';
import { magnitudeRefusal, withinMagnitude } from '../core/magnitude.js';

/** A data pool of the data-selection law (analyses/dataSelection.ts). */
export interface Pool {
  name: string;
  /** Utility exponent (negative; more negative = higher quality). */
  b: number;
  /** Repetition half-life in epochs. */
  tau: number;
}

export interface PoolFile {
  pools: Pool[];
  /** Shared constants the file sets (JSON only); absent ones come from flags or the defaults. */
  a?: number;
  d?: number;
  poolSize?: number;
}

const aliases: Record<'name' | 'b' | 'tau', string[]> = {
  name: ['name', 'pool'],
  b: ['b', 'utility'],
  tau: ['tau', 'half_life', 'halflife', 'half-life'],
};

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Check one pool's values; `where(field)` locates a field for the error. */
function checkPool(
  name: string,
  b: number,
  tau: number,
  where: (field: 'name' | 'b' | 'tau') => Location,
  seen: Set<string>,
): Pool {
  if (name === '') throw new InputError(where('name'), 'expected a pool name, got an empty value');
  if (seen.has(name)) throw new InputError(where('name'), `pool "${name}" appears twice; expected one row per pool`);
  seen.add(name);
  if (!(b < 0) || !Number.isFinite(b))
    throw new InputError(where('b'), `expected a negative utility exponent b (error falls as samples^b), got ${b}`);
  if (!(tau > 0) || !Number.isFinite(tau))
    throw new InputError(where('tau'), `expected a positive repetition half-life tau in epochs, got ${tau}`);
  // samples^b and 0.5^(k/τ) underflow or overflow for exponents and half-lives beyond 1e±100.
  for (const [field, v] of [
    ['b', b],
    ['tau', tau],
  ] as const) {
    const refusal = magnitudeRefusal(field, v);
    if (refusal) throw new InputError(where(field), refusal);
  }
  return { name, b, tau };
}

function parsePoolsCsv(text: string, source: string): PoolFile {
  const rows = csvRecords(text, source);
  if (rows.length < 2) throw new InputError({ file: source }, 'expected a header "name,b,tau" and at least one pool');
  const header = rows[0].record;
  headerIndex(header, source, rows[0].info.lines);
  const index = (field: 'name' | 'b' | 'tau') => {
    const i = header.findIndex((h) => aliases[field].includes(h.trim().toLowerCase()));
    if (i < 0)
      throw new InputError(
        { file: source, line: rows[0].info.lines },
        `missing column "${field}" (${field === 'name' ? "the pool's name" : field === 'b' ? 'utility exponent, negative' : 'repetition half-life in epochs'}); the file has columns: ${header.join(', ')}`,
      );
    return i;
  };
  const cols = { name: index('name'), b: index('b'), tau: index('tau') };
  const seen = new Set<string>();
  const pools = rows.slice(1).map(({ record, info }) => {
    const where = (field: 'name' | 'b' | 'tau'): Location => ({
      file: source,
      line: info.lines,
      column: cols[field] + 1,
      columnName: header[cols[field]],
    });
    const num = (field: 'b' | 'tau') => {
      const cell = (record[cols[field]] ?? '').trim();
      if (!numberPattern.test(cell))
        throw new InputError(
          where(field),
          `expected a number for ${field}, got ${cell === '' ? 'an empty cell' : JSON.stringify(cell)}`,
        );
      return Number(cell);
    };
    return checkPool((record[cols.name] ?? '').trim(), num('b'), num('tau'), where, seen);
  });
  return { pools };
}

function parsePoolsJson(text: string, source: string): PoolFile {
  const starts = lineStartsOf(text);
  const loc = (node: JsonNode, columnName?: string): Location => ({
    file: source,
    ...lineColumn(starts, node.offset),
    ...(columnName ? { columnName } : {}),
  });
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0)
    throw new InputError({ file: source, ...lineColumn(starts, errors[0].offset) }, malformedJson(errors[0].error));
  const example = 'e.g. {"pools": [{"name": "top 10 %", "b": -0.16, "tau": 6.727}]} or an array of such pools';
  if (!root || (root.type !== 'array' && root.type !== 'object'))
    throw new InputError({ file: source, line: 1, column: 1 }, `expected pools as JSON, ${example}`);
  const props = (node: JsonNode) =>
    new Map(
      (node.children ?? [])
        .map((p) => [String(p.children?.[0]?.value), p.children?.[1]] as const)
        .filter((e): e is [string, JsonNode] => e[1] !== undefined),
    );
  const number = (node: JsonNode, key: string) => {
    if (node.type !== 'number')
      throw new InputError(
        loc(node, key),
        `expected a number for ${key}, got ${node.type === 'string' ? JSON.stringify(node.value) : node.type}`,
      );
    return node.value as number;
  };
  const out: PoolFile = { pools: [] };
  let list: JsonNode | undefined = root;
  if (root.type === 'object') {
    const p = props(root);
    list = p.get('pools');
    if (!list) throw new InputError(loc(root), `missing "pools"; ${example}`);
    const a = p.get('a'),
      d = p.get('d'),
      size = p.get('poolSize') ?? p.get('pool_size');
    if (a) {
      out.a = number(a, 'a');
      if (!(out.a > 0) || !withinMagnitude(out.a))
        throw new InputError(
          loc(a, 'a'),
          `expected a positive a (samples enter as a·n/1e5) between 1e-100 and 1e100, got ${out.a}`,
        );
    }
    if (d) {
      out.d = number(d, 'd');
      // d is the error no budget removes: an error rate, so below 1 (as the flag --d is read).
      if (!(out.d >= 0 && out.d < 1))
        throw new InputError(loc(d, 'd'), `expected an irreducible error rate d from 0 to below 1, got ${out.d}`);
    }
    if (size) {
      out.poolSize = number(size, 'poolSize');
      if (!(out.poolSize >= 1) || !withinMagnitude(out.poolSize))
        throw new InputError(
          loc(size, 'poolSize'),
          `expected a pool size of at least one sample (and at most 1e100), got ${out.poolSize}`,
        );
    }
  }
  if (list.type !== 'array') throw new InputError(loc(list, 'pools'), `expected an array of pools, got ${list.type}`);
  if (!list.children?.length) throw new InputError(loc(list, 'pools'), 'expected at least one pool');
  const seen = new Set<string>();
  for (const node of list.children) {
    if (node.type !== 'object')
      throw new InputError(loc(node), `expected a pool object with name, b and tau, got ${node.type}`);
    const p = props(node);
    const field = (key: 'name' | 'b' | 'tau') => {
      const k = aliases[key].find((x) => p.has(x));
      if (k === undefined) throw new InputError(loc(node), `pool is missing "${key}"; ${example}`);
      return [k, p.get(k)!] as const;
    };
    const [nameKey, nameNode] = field('name');
    if (nameNode.type !== 'string')
      throw new InputError(loc(nameNode, nameKey), `expected a pool name (string), got ${nameNode.type}`);
    const [bKey, bNode] = field('b');
    const [tauKey, tauNode] = field('tau');
    const nodes = { name: [nameKey, nameNode], b: [bKey, bNode], tau: [tauKey, tauNode] } as const;
    out.pools.push(
      checkPool(
        String(nameNode.value).trim(),
        number(bNode, bKey),
        number(tauNode, tauKey),
        (f) => loc(nodes[f][1], nodes[f][0]),
        seen,
      ),
    );
  }
  return out;
}

/**
 * Pools from CSV or JSON text (chosen by the file's extension, else by its first character).
 * @throws InputError naming the file, line and column of the first problem
 */
export function parsePools(text: string, source: string): PoolFile {
  const lower = source.toLowerCase();
  const first = text.trimStart()[0];
  const json = lower.endsWith('.json') || (!lower.endsWith('.csv') && (first === '[' || first === '{'));
  return json ? parsePoolsJson(text, source) : parsePoolsCsv(text, source);
}
