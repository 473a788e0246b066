// The esbuild plugins of the serverless package (serverless.yml custom.esbuild.plugins; bench/coldstart.ts too).
module.exports = [require('./browserScript.cjs').inlineScriptEsbuildPlugin];
