#!/usr/bin/env node
// Builds libgopher_mcp_c with CMake and copies it into prebuilds/<platform>-<arch>/.
// `--sanitize` builds the AddressSanitizer + UBSan variant into build/native-sanitize/ instead
// (it is never copied into prebuilds: it is loaded with GOPHER_MCP_LIBRARY_PATH for the conformance run).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const sanitize = process.argv.includes('--sanitize');
// `--build-dir DIR` builds into DIR and leaves prebuilds/ alone (a private build, for development).
const buildDirFlag = process.argv.indexOf('--build-dir');
const privateBuildDir = buildDirFlag > 0 ? process.argv[buildDirFlag + 1] : undefined;
const buildDir = privateBuildDir ?? join(packageDir, 'build', sanitize ? 'native-sanitize' : 'native');
const libraryFile = { darwin: 'libgopher_mcp_c.dylib', win32: 'gopher_mcp_c.dll' }[process.platform] ?? 'libgopher_mcp_c.so';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) {
    console.error(`build-native: could not run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('cmake', [
  '-S', join(packageDir, 'native'),
  '-B', buildDir,
  '-DCMAKE_BUILD_TYPE=Release',
  `-DGMCP_SANITIZE=${sanitize ? 'ON' : 'OFF'}`,
  '-Wno-dev',
  '--log-level=WARNING',
]);
run('cmake', ['--build', buildDir, '--parallel', String(Math.max(1, cpus().length))]);

const built = join(buildDir, libraryFile);
if (sanitize || privateBuildDir) {
  console.error(`build-native: ${sanitize ? 'sanitizer ' : ''}build at ${built}`);
} else {
  const target = join(packageDir, 'prebuilds', `${process.platform}-${process.arch}`);
  mkdirSync(target, { recursive: true });
  copyFileSync(built, join(target, libraryFile));
  console.error(`build-native: ${join(target, libraryFile)}`);
}
