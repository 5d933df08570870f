/**
 * A real dynamic `import()` even where this file is compiled to CommonJS (as test runners do), so that a module a
 * worker builds its model from may be ESM.
 */
export const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;
