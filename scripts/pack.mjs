// `npm run pack -- DIR`: writes into DIR the tarballs a release publishes —
//   - the main package, its package.json declaring every platform package (npm/*) as an
//     optionalDependency at this exact version (what `napi prepublish` adds at publish time; the
//     committed package.json leaves them out so that `npm ci` works before they are published);
//   - every platform package whose binary was built on this machine: the host's addon
//     (`npm run build:native`, in binding/), the cross builds and the WASM build
//     (scripts/platform/build.sh, in npm/<platform>/).
// Platform packages not built here are listed and skipped (with --all: an error, as for a release).
// Needs `npm run build` first.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const requireAll = args.includes('--all');
const dirArg = args.find((a) => !a.startsWith('--'));
if (dirArg === undefined) {
  console.error('usage: npm run pack -- DIR [--all]');
  process.exit(2);
}
const outDir = resolve(dirArg);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const pkg = readJson(join(root, 'package.json'));
if (!existsSync(join(root, 'dist', 'esm', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');

mkdirSync(outDir, { recursive: true });
const stage = join(outDir, '.stage');
rmSync(stage, { recursive: true, force: true });

/** Packs `dir` into outDir; returns the tarball's file name. */
function pack(dir) {
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', outDir], { cwd: dir, encoding: 'utf8' });
  return JSON.parse(out)[0].filename;
}

const platforms = readdirSync(join(root, 'npm'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'npm', d.name, 'package.json')))
  .map((d) => ({ dir: join(root, 'npm', d.name), manifest: readJson(join(root, 'npm', d.name, 'package.json')) }))
  .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));

const packed = [];
const skipped = [];
for (const { dir, manifest } of platforms) {
  if (manifest.version !== pkg.version) throw new Error(`${manifest.name} is at ${manifest.version}, not ${pkg.version}`);
  // Each file the package ships, from its folder or, for the host's own build, from binding/.
  const sources = manifest.files.map((f) => [join(dir, f), join(root, 'binding', f)].find((p) => existsSync(p)));
  if (sources.some((s) => s === undefined)) {
    if (requireAll) throw new Error(`${manifest.name}: ${manifest.files.filter((_, i) => !sources[i]).join(', ')} missing`);
    skipped.push(manifest.name);
    continue;
  }
  const staged = join(stage, manifest.name);
  mkdirSync(staged, { recursive: true });
  for (const f of ['package.json', 'README.md']) if (existsSync(join(dir, f))) cpSync(join(dir, f), join(staged, f));
  cpSync(join(root, 'LICENSE'), join(staged, 'LICENSE'));
  manifest.files.forEach((f, i) => cpSync(sources[i], join(staged, f)));
  packed.push(pack(staged));
}

// The main package: the files `npm pack` would take from the checkout, with the publish-time
// optionalDependencies added.
const mainStage = join(stage, pkg.name);
const listing = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' }))[0];
for (const { path } of listing.files) {
  mkdirSync(dirname(join(mainStage, path)), { recursive: true });
  cpSync(join(root, path), join(mainStage, path));
}
const optionalDependencies = Object.fromEntries(platforms.map(({ manifest }) => [manifest.name, pkg.version]));
writeFileSync(join(mainStage, 'package.json'), `${JSON.stringify({ ...pkg, optionalDependencies }, null, 2)}\n`);
packed.unshift(pack(mainStage));

rmSync(stage, { recursive: true, force: true });
for (const name of packed) console.log(join(outDir, name));
if (skipped.length > 0) console.error(`not built here, not packed: ${skipped.join(', ')}`);
