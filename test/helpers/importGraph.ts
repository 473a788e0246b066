// The project's import graph, read with the TypeScript parser: every static import and re-export, `import type`,
// `import()` calls and `import('…')` types, with relative specifiers resolved to files. The architecture test
// checks its rules against this graph.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import, from a file to a target: a project file (root-relative, `/`-separated) or a package specifier. */
export interface ImportEdge {
  /** The importing file, relative to the root, e.g. `lib/scan.ts`. */
  readonly from: string;
  /** The specifier as written, e.g. `../model` or `node:fs`. */
  readonly specifier: string;
  /** The resolved file relative to the root, or undefined for a package (`node:fs`, `@aws-sdk/client-sns`). */
  readonly file: string | undefined;
  /** Only types: `import type`, `export type`, `import('…')` in a type position, or every named binding `type`. */
  readonly typeOnly: boolean;
  /** The 1-based line of the import, for messages. */
  readonly line: number;
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];

/** Every `.ts` file under `dir` (root-relative), skipping declaration files and node_modules. */
export function sourceFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (absolute: string): void => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const path = join(absolute, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts')) {
        found.push(toRootRelative(root, path));
      }
    }
  };
  const start = join(root, dir);
  if (existsSync(start)) walk(start);
  return found.sort();
}

/** The imports of one file. */
export function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (literal: ts.Node, typeOnly: boolean): void => {
    if (!ts.isStringLiteralLike(literal)) return;
    const specifier = literal.text;
    edges.push({
      from: file,
      specifier,
      file: resolveSpecifier(root, file, specifier),
      typeOnly,
      line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1,
    });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, importIsTypeOnly(node));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument) add(argument, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The imports of every file given. */
export function importGraph(root: string, files: readonly string[]): ImportEdge[] {
  return files.flatMap((file) => importsOf(root, file));
}

function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import './x'`: run for its effects
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || !ts.isNamedImports(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** A relative specifier (any `?query` dropped) as a root-relative file (`.ts`, `/index.ts`, `.js` written for `.ts`), else undefined. */
function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  // A query names how a build step loads the file (`./browser/reportScript?script`): the file is what is imported.
  const base = resolve(root, dirname(from), specifier.replace(/\?.*$/, ''));
  const candidates = [
    ...SOURCE_EXTENSIONS.map((ext) => base + ext),
    ...SOURCE_EXTENSIONS.map((ext) => join(base, `index${ext}`)),
    base.replace(/\.(m|c)?js$/, (_, kind: string | undefined) => `.${kind ?? ''}ts`),
    base,
  ];
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return toRootRelative(root, candidate);
  }
  // Unresolved: kept as a path, so a rule still sees where it points.
  return toRootRelative(root, base);
}

function toRootRelative(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}
