// `npm test`: make sure the system packages the tests need are here, build, then run every test.
// Tests that need Chromium or Redis are not skipped when they are missing: this script installs them (as
// root with apt-get) or stops and says exactly what to run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SYSTEM_PACKAGES = [
  { debian: 'chromium', binaries: ['/usr/bin/chromium'], env: 'VIGIL_CHROMIUM' },
  { debian: 'openssl', binaries: ['/usr/bin/openssl'] },
  { debian: 'redis-server', binaries: ['/usr/bin/redis-server'], env: 'VIGIL_REDIS_SERVER' },
];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) {
    throw result.error;
  }
  return result.status ?? 1;
}

function provision() {
  const missing = SYSTEM_PACKAGES.filter((p) => !(p.env && process.env[p.env]) && !p.binaries.some((b) => existsSync(b)));
  if (missing.length === 0) {
    return;
  }
  const names = missing.map((p) => p.debian).join(' ');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(`npm test needs these system packages: ${names}\nInstall them with:\n  sudo apt-get update && sudo apt-get install -y ${names}`);
    process.exit(1);
  }
  console.log(`Installing system packages the tests need: ${names}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-qq'], { env }) !== 0 || run('apt-get', ['install', '-y', '-qq', ...missing.map((p) => p.debian)], { env }) !== 0) {
    console.error(`Could not install ${names}; run: apt-get install -y ${names}`);
    process.exit(1);
  }
}

function testFiles(dir) {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return testFiles(path);
    }
    return name.endsWith('.test.js') ? [path] : [];
  });
}

provision();
if (run('npm', ['run', 'build', '--silent']) !== 0) {
  process.exit(1);
}
const filter = process.argv.slice(2);
const files = readdirSync('packages')
  .flatMap((pkg) => testFiles(join('packages', pkg, 'dist', 'test')))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('No test files found');
  process.exit(1);
}
process.exit(run(process.execPath, ['--test', '--test-timeout=180000', ...files]));
