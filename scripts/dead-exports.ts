/**
 * Lists exports of src/ that nothing imports: not another source file, a test, a bench, a script,
 * the web app, nor the public API (src/index.ts, src/node/index.ts re-export what they publish).
 * Run: node --import tsx scripts/dead-exports.ts (exit 1 when it lists any; test/dead-exports.test.ts). A namespace import, `export *` or dynamic
 * import() of a module counts every export of it as used. A type or interface that another export
 * of its module mentions (a function's parameters or result, a field of an exported type) is the
 * library's vocabulary even when no caller here names it, and is not listed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (['node_modules', 'dist', '.git'].includes(e.name)) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? files(path) : /\.(ts|tsx|mts|mjs|js)$/.test(e.name) ? [path] : [];
  });
}

/** The source file a relative specifier names (`./x.js` is `./x.ts` in the sources). */
function target(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const p of [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ])
    if (existsSync(p) && /\.tsx?$/.test(p)) return p;
  return undefined;
}

const parse = (path: string) => ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
const hasExport = (n: ts.Node) =>
  ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** Names a module exports by declaration (`export function f`, `export const a, b`, `export { x }`). */
function exportsOf(file: ts.SourceFile): { name: string; value: boolean; node: ts.Node }[] {
  const out: { name: string; value: boolean; node: ts.Node }[] = [];
  for (const s of file.statements) {
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause))
      out.push(
        ...s.exportClause.elements.map((e) => ({ name: e.name.text, value: !s.isTypeOnly && !e.isTypeOnly, node: s })),
      );
    if (!hasExport(s)) continue;
    if (ts.isVariableStatement(s))
      for (const d of s.declarationList.declarations)
        if (ts.isIdentifier(d.name)) out.push({ name: d.name.text, value: true, node: s });
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name)
      out.push({ name: s.name.text, value: true, node: s });
    if ((ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name)
      out.push({ name: s.name.text, value: false, node: s });
  }
  return out;
}

const used = new Map<string, Set<string> | 'all'>();
const use = (path: string, name: string | 'all') => {
  const u = used.get(path);
  if (u === 'all') return;
  if (name === 'all') used.set(path, 'all');
  else used.set(path, (u ?? new Set()).add(name));
};

const everything = ['src', 'test', 'bench', 'scripts', 'web/src', 'bin'].flatMap((d) => files(join(root, d)));
for (const path of everything) {
  const file = parse(path);
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const to = target(path, node.moduleSpecifier.text);
      if (to) {
        if (ts.isImportDeclaration(node)) {
          const c = node.importClause;
          if (c?.name) use(to, 'default');
          if (c?.namedBindings && ts.isNamespaceImport(c.namedBindings)) use(to, 'all');
          if (c?.namedBindings && ts.isNamedImports(c.namedBindings))
            for (const e of c.namedBindings.elements) use(to, (e.propertyName ?? e.name).text);
        } else if (!node.exportClause || !ts.isNamedExports(node.exportClause)) use(to, 'all');
        else for (const e of node.exportClause.elements) use(to, (e.propertyName ?? e.name).text);
      }
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      const to = target(path, node.arguments[0].text);
      if (to) use(to, 'all');
    }
    node.forEachChild(visit);
  };
  visit(file);
}

const publicApi = new Set(['src/index.ts', 'src/node/index.ts'].map((p) => join(root, p)));
const dead: string[] = [];
for (const path of files(join(root, 'src')).filter(
  (p) => /\.tsx?$/.test(p) && !/\.test\.tsx?$/.test(p) && !publicApi.has(p),
)) {
  const u = used.get(path);
  if (u === 'all') continue;
  const file = parse(path);
  const all = exportsOf(file);
  // Where a type is named: the declarations (less bodies of functions) of the module's exports.
  const signatures = (except: ts.Node) =>
    all
      .filter((e) => e.node !== except)
      .map((e) =>
        ts.isFunctionDeclaration(e.node) && e.node.body
          ? e.node.getText(file).slice(0, e.node.body.getStart(file) - e.node.getStart(file))
          : e.node.getText(file),
      )
      .join('\n');
  for (const { name, value, node } of all) {
    if (u?.has(name)) continue;
    if (!value && new RegExp(`\\b${name}\\b`).test(signatures(node))) continue;
    dead.push(`${relative(root, path)}: ${name}`);
  }
}
console.log(dead.join('\n'));
console.error(`${dead.length} exports nothing imports`);
// A test runs this: a new export nothing imports fails it (drop the export, or use it).
if (dead.length) process.exitCode = 1;
