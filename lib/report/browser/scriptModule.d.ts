/**
 * `import script from './browser/x?script'`: the browser module x compiled to one inline script (an IIFE that calls
 * its default export with `document`), by scripts/browserScript.cjs in every build (scripts/build.mjs, vitest, the
 * serverless package and bench:coldstart). A bundle made without that plugin gets the module itself instead.
 */
declare module '*?script' {
  const script: string;
  export default script;
}
