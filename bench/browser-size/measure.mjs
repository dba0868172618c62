// Minified + gzipped size of a browser bundle, measured the same way for every SDK: esbuild
// bundles the entry (everything it imports included, except `external`), minified ESM for
// browsers; gzip at level 9 with node:zlib.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * @param {{ file?: string, contents?: string, resolveDir?: string, external?: string[] }} entry
 *   a source file, or module text (e.g. `export * from 'pkg'`) resolved from `resolveDir`
 * @returns {Promise<{ minified: number, gzipped: number }>}
 */
export async function measure(entry) {
  const out = await build({
    ...(entry.file
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: 'js' } }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    external: entry.external ?? [],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}
