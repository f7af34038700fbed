// The workspace as the packaging checks see it: found by listing folders, never a fixed
// list, so a package added later is checked without touching these tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: PackageManifest;
}

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The repository root: the nearest folder above this file holding pnpm-workspace.yaml. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('pnpm-workspace.yaml not found above the test files');
    dir = parent;
  }
  return dir;
})();

/** Every packages/<name>/package.json that is not private: what `pnpm publish -r` would publish. */
export function publishablePackages(): WorkspacePackage[] {
  const root = join(repoRoot, 'packages');
  const found: WorkspacePackage[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const manifestPath = join(root, entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PackageManifest;
    if (manifest.private === true) continue;
    found.push({ name: manifest.name, dir: join(root, entry.name), manifest });
  }
  if (found.length === 0) throw new Error(`no publishable package under ${root}`);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every file a manifest points users at: exports targets, main, types and bin. */
export function entryFiles(manifest: PackageManifest): string[] {
  const targets = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string') targets.add(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(manifest.exports);
  collect(manifest.main);
  collect(manifest.types);
  collect(manifest.bin);
  return [...targets].map((target) => target.replace(/^\.\//, '')).filter((target) => !target.includes('*'));
}

/** Packs a package with `pnpm pack` (workspace: ranges become versions) into `destination`; returns the tarball's path. */
export function packInto(pkg: WorkspacePackage, destination: string): string {
  const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd: pkg.dir, encoding: 'utf8' });
  const report = JSON.parse(out) as { filename: string };
  return isAbsolute(report.filename) ? report.filename : join(destination, basename(report.filename));
}
