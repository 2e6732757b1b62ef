// Packaging: `npm pack` makes a package that installs into an empty folder without dev dependencies, offline
// from the npm cache, runs no install script (npm 11 warns about a `prepare`) and runs as `npx tap-klaviyo
// --version`; a clone's `npm ci` builds dist/ (`postprepare`, which npm runs for the project itself only) with
// dist/src/tap/bin.js executable, as meltano.yml runs it. Offline: the cache holds the dependencies'
// tarballs (npm ci fetched them) but not the registry's package documents a plain `npm install <tarball>` needs
// to resolve version ranges, so the empty folder gets a lockfile: the tarball, and this repository's locked
// entries of every non-dev package. `npm ci` from it then needs no network, and fails if the package needs
// anything only dev dependencies bring.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PACKAGE } from '../src/tap/cli/about.js';

const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

type LockEntry = { dev?: boolean; devOptional?: boolean } & Record<string, unknown>;

/** A lockfile for a folder that depends on the packed tarball only: the tarball, then our non-dev packages. */
function lockFor(tarball: string): unknown {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;
  const packages: Record<string, unknown> = { '': { name: 'pack-check', dependencies: { [PACKAGE.name]: tarball } } };
  for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev && !entry.devOptional) packages[path] = entry;
  packages[`node_modules/${PACKAGE.name}`] = { version: PACKAGE.version, resolved: tarball, dependencies: pkg['dependencies'], bin: pkg['bin'], engines: pkg['engines'] };
  return { name: 'pack-check', lockfileVersion: 3, requires: true, packages };
}

describe('npm package', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-klaviyo-pack-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('packs (built files, schemas, README; no tests, no sources), installs offline without dev dependencies, runs', () => {
    // --ignore-scripts: `prepare` would compile again; the test suite has just built dist/.
    const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], resolve('.'))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]?.files.map((f) => f.path) ?? [];
    assert.ok(files.includes('dist/src/tap/bin.js') && files.includes('schemas/config.json') && files.includes('README.md'), files.slice(0, 10).join(', '));
    assert.ok(!files.some((f) => f.startsWith('dist/tests/') || f.startsWith('src/') || f.startsWith('tests/')), 'no tests or TypeScript sources');
    const app = join(dir, 'app');
    mkdirSync(app);
    const tarball = `file:../${packed[0]?.filename ?? ''}`;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, dependencies: { [PACKAGE.name]: tarball } }));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lockFor(tarball)));
    const packedJson = JSON.parse(execFileSync('tar', ['-xOzf', join(dir, packed[0]?.filename ?? ''), 'package/package.json'], { encoding: 'utf8' })) as { scripts: Record<string, string> };
    assert.deepEqual(INSTALL_SCRIPTS.filter((s) => s in packedJson.scripts), [], 'the packed package.json has no install script');
    const install = spawnSync('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    assert.equal(install.status, 0, install.stderr);
    assert.doesNotMatch(install.stderr, /install-scripts|prepare/, 'npm warns about no script');
    const installed = readdirSync(join(app, 'node_modules'));
    for (const dev of ['mocha', 'typescript', 'eslint', 'nock', 'js-yaml', 'json-schema-to-typescript']) assert.ok(!installed.includes(dev), `dev dependency ${dev} not installed`);
    for (const dep of ['ajv', 'axios', 'luxon']) assert.ok(installed.includes(dep), dep);
    const version = execFileSync('npx', ['--offline', '--no-install', 'tap-klaviyo', '--version'], { cwd: app, encoding: 'utf8', timeout: 30_000 });
    assert.equal(version, `${PACKAGE.name} ${PACKAGE.version}\n`);
  });

  it('a clone builds on npm ci (postprepare -> build) and the build makes dist/src/tap/bin.js executable', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    assert.deepEqual(INSTALL_SCRIPTS.filter((s) => s in pkg.scripts), [], 'no install script (a packed install would run or warn about it)');
    assert.equal(pkg.scripts['postprepare'], 'npm run build');
    assert.equal(pkg.scripts['prepack'], 'npm run build', 'npm pack ships a fresh build');
    assert.match(pkg.scripts['build'] ?? '', /chmodSync\('dist\/src\/tap\/bin\.js',0o755\)/);
    assert.equal(statSync('dist/src/tap/bin.js').mode & 0o111, 0o111, 'bin.js is executable by all (npm run build sets it; tsc keeps it)');
  });
});
