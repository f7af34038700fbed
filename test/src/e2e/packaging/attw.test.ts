// Are the Types Wrong? over the tarball of every publishable package, as a user's TypeScript
// resolves it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packInto, publishablePackages } from '../../support/workspace.js';

const attwBin = join(dirname(createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json')), 'dist', 'index.js');

// Every package is ESM only, a deliberate decision (README "Decisions"). attw's `esm-only`
// profile leaves out the two resolutions that cannot load ESM through types: `node10` and
// `node16-cjs` (attw's TypeScript predates require(esm), which Node >= 20.19 does at run time).
// Everything else (node16 from ESM, bundler) must be free of problems.
const IGNORED_RESOLUTIONS = new Set(['node10', 'node16-cjs']);

interface AttwProblem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
}

let packDir = '';
before(() => {
  packDir = mkdtempSync(join(tmpdir(), 'apojwt-attw-'));
});
after(() => rmSync(packDir, { recursive: true, force: true }));

for (const pkg of publishablePackages()) {
  test(`attw finds no type resolution problem in ${pkg.name} (esm-only profile)`, () => {
    const tarball = packInto(pkg, packDir);
    const run = spawnSync(process.execPath, [attwBin, tarball, '--profile', 'esm-only', '--format', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(run.stdout) as { analysis?: { problems?: AttwProblem[] } };
    assert.ok(report.analysis, `attw analysed ${pkg.name}: ${run.stderr}`);
    const problems = (report.analysis.problems ?? []).filter((problem) => problem.resolutionKind === undefined || !IGNORED_RESOLUTIONS.has(problem.resolutionKind));
    assert.deepEqual(problems, []);
    assert.equal(run.status, 0, run.stderr);
  });
}
