// publint over the tarball of every publishable package (exports map, types, files).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { packInto, publishablePackages } from '../../support/workspace.js';

let packDir = '';
before(() => {
  packDir = mkdtempSync(join(tmpdir(), 'apojwt-publint-'));
});
after(() => rmSync(packDir, { recursive: true, force: true }));

for (const pkg of publishablePackages()) {
  test(`publint finds nothing to fix in ${pkg.name}`, async () => {
    const tarball = readFileSync(packInto(pkg, packDir));
    const { messages } = await publint({ level: 'suggestion', pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) } });
    assert.deepEqual(messages, []);
  });
}
