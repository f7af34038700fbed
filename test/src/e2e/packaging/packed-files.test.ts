// What a user downloads: the file list of every publishable package as `pnpm pack` builds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryFiles, publishablePackages } from '../../support/workspace.js';

function packedFiles(dir: string): string[] {
  const out = execFileSync('pnpm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8' });
  const report = JSON.parse(out) as { files: { path: string }[] };
  return report.files.map((file) => file.path);
}

for (const pkg of publishablePackages()) {
  test(`${pkg.name}: the tarball holds README.md, LICENSE, its entry points and nothing from development`, () => {
    const files = packedFiles(pkg.dir);
    for (const required of ['README.md', 'LICENSE', 'package.json']) assert.ok(files.includes(required), `${pkg.name} ships ${required}`);
    assert.ok(pkg.manifest.files?.includes('README.md') && pkg.manifest.files.includes('LICENSE'), `${pkg.name}: "files" names README.md and LICENSE`);

    const licence = readFileSync(join(pkg.dir, 'LICENSE'), 'utf8');
    assert.match(licence, /^MIT License/, `${pkg.name}: LICENSE is the MIT licence`);
    assert.match(licence, /Copyright \(c\) 2026 apojwt contributors/);

    const entries = entryFiles(pkg.manifest).filter((entry) => entry !== 'package.json');
    assert.ok(entries.length > 0, `${pkg.name} declares an entry point`);
    for (const entry of entries) assert.ok(files.includes(entry), `${pkg.name} ships ${entry}`);
    if (entries.includes('dist/index.js')) assert.ok(files.includes('dist/index.d.ts'), `${pkg.name} ships dist/index.d.ts`);
    for (const js of entries.filter((entry) => entry.endsWith('.js'))) {
      const types = js.replace(/\.js$/, '.d.ts');
      if (pkg.manifest.exports !== undefined && JSON.stringify(pkg.manifest.exports).includes(js)) assert.ok(files.includes(types), `${pkg.name} ships ${types}`);
    }

    const development = files.filter((file) => /(^|\/)tsconfig[^/]*\.json$/.test(file) || /\.(test|spec)\.[cm]?[jt]s$/.test(file) || /(^|\/)(test|tests|__tests__)\//.test(file));
    assert.deepEqual(development, [], `${pkg.name} ships no test files and no tsconfig`);
  });
}
