// Browser scripts inlined at build time: `import script from './browser/x?script'` gives the module x (TypeScript,
// type-checked and linted like the rest) compiled to one IIFE that calls its default export with `document`. One
// compiler, so scripts/build.mjs, vitest.config.ts and the serverless package (serverlessEsbuildPlugins.cjs) all
// inline the same text. CommonJS: serverless-esbuild require()s its plugins file.
const { statSync } = require('node:fs');
const { dirname, resolve } = require('node:path');
const esbuild = require('esbuild');

const SUFFIX = '?script';

/** The script module `path` (absolute) compiled to the text of one inline <script> element. */
async function compileBrowserScript(path) {
  const result = await esbuild.build({
    stdin: {
      contents: `import start from ${JSON.stringify(path)};\nstart(document);\n`,
      resolveDir: dirname(path),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    // The repository, whatever the caller's folder: esbuild names each module in a comment by its path from here.
    absWorkingDir: resolve(__dirname, '..'),
    format: 'iife',
    platform: 'browser',
    // Every browser that renders the report's CSS (grid, print-color-adjust) runs ES2020.
    target: 'es2020',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text.trim();
  // Inline, the text ends at the first "</script": the module must never contain one.
  if (/<\/script/i.test(code)) throw new Error(`${path}: compiled script contains "</script"`);
  return code;
}

/** The module an `x?script` import names, as an absolute path (TypeScript's extensionless specifier resolved). */
function scriptPath(specifier, importer) {
  const base = resolve(dirname(importer), specifier.slice(0, -SUFFIX.length));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  }
  throw new Error(`${specifier} (imported by ${importer}): no such script module`);
}

const moduleText = (code) => `export default ${JSON.stringify(code)};\n`;

/** The esbuild plugin (scripts/build.mjs, serverless-esbuild, bench/coldstart.ts). */
const inlineScriptEsbuildPlugin = {
  name: 'certwatch-inline-script',
  setup(build) {
    build.onResolve({ filter: /\?script$/ }, (args) => ({
      path: scriptPath(args.path, args.importer),
      namespace: 'inline-script',
    }));
    build.onLoad({ filter: /.*/, namespace: 'inline-script' }, async (args) => {
      const code = await compileBrowserScript(args.path);
      return { contents: moduleText(code), loader: 'js', watchFiles: [args.path] };
    });
  },
};

/** The same as a Vite plugin (vitest.config.ts). */
function inlineScriptVitePlugin() {
  const PREFIX = '\0inline-script:';
  return {
    name: 'certwatch-inline-script',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!source.endsWith(SUFFIX) || !importer) return null;
      return PREFIX + scriptPath(source, importer);
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const path = id.slice(PREFIX.length);
      this.addWatchFile(path);
      return moduleText(await compileBrowserScript(path));
    },
  };
}

module.exports = { compileBrowserScript, inlineScriptEsbuildPlugin, inlineScriptVitePlugin };
