// Types of browserScript.cjs, for vitest.config.ts.
import type { Plugin as EsbuildPlugin } from 'esbuild';
import type { Plugin as VitePlugin } from 'vite';

export declare function compileBrowserScript(path: string): Promise<string>;
export declare const inlineScriptEsbuildPlugin: EsbuildPlugin;
export declare function inlineScriptVitePlugin(): VitePlugin;
