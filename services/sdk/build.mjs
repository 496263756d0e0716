// Builds the SDK as its own package in services/sdk/dist: one bundled module for ESM and one for
// CommonJS, with the repository's code it uses (config, subjects, reply shapes, the outcome codec)
// inlined, so that the package depends only on the clients it talks through, and its type
// declarations. `npm pack` in services/sdk runs it (prepack).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
for (const [format, file] of [
  ['esm', 'index.js'],
  ['cjs', 'index.cjs'],
]) {
  await build({
    entryPoints: [join(here, 'index.ts')],
    outfile: join(dist, file),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    // The clients stay the installer's own dependencies (package.json); nothing else is left outside.
    packages: 'external',
    logLevel: 'warning',
  });
}
const tsc = join(here, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.build.json')], { stdio: 'inherit' });
console.log(`built ${dist}`);
