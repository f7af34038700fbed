// Docs are code: every TypeScript block of README.md, docs/*.md and packages/*/README.md
// type-checks under tsconfig.base.json, the strictest configuration of the repository.
//
// Fences (the info string after the three backticks):
//   ts | typescript                  a complete example: compiled as it stands.
//   ts partial                       an excerpt that relies on context the page gave earlier.
//                                    It states that context in `// given: <declaration>` lines,
//                                    e.g. `// given: declare const apo: ApoJwt;`; the test
//                                    compiles each such line without its `// given:` prefix.
//   ts legacy-decorators             compiled with experimentalDecorators + emitDecoratorMetadata
//                                    (flags combine: `ts partial legacy-decorators`).
// Each block is its own ES module in a temporary folder inside this package, so '@apojwt/*'
// resolve to the workspace packages. A block that augments a module (`declare module`,
// `declare global`) is compiled in a program of its own so that its declarations do not
// leak into the other examples.
// The examples read their configuration as `process.env.NAME`. A typed app declares its
// variables; the test does the same for every NAME the docs read (`string | undefined` in
// NodeJS.ProcessEnv), so `noPropertyAccessFromIndexSignature` accepts `process.env.NAME`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { entryFiles, publishablePackages, repoRoot } from '../support/workspace.js';

const tscBin = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

/** Partial blocks that cannot be made to compile, by `file:fence line`, each with the reason. */
const NOT_COMPILED: Record<string, string> = {};

interface Block {
  doc: string;
  line: number;
  flags: Set<string>;
  code: string;
}

function docFiles(): string[] {
  const files = [join(repoRoot, 'README.md')];
  const docs = join(repoRoot, 'docs');
  for (const name of readdirSync(docs).sort()) if (name.endsWith('.md')) files.push(join(docs, name));
  const packages = join(repoRoot, 'packages');
  for (const name of readdirSync(packages).sort()) {
    const readme = join(packages, name, 'README.md');
    if (existsSync(readme)) files.push(readme);
  }
  return files;
}

function extractBlocks(path: string): Block[] {
  const doc = relative(repoRoot, path);
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!fence) continue;
    const [, indent = '', marker = '', lang = '', rest = ''] = fence;
    const end = lines.findIndex((line, j) => j > i && line.trimStart().startsWith(marker) && line.trim() === line.trim().charAt(0).repeat(line.trim().length));
    const close = end === -1 ? lines.length : end;
    if (lang === 'ts' || lang === 'typescript') {
      const code = lines
        .slice(i + 1, close)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n');
      blocks.push({ doc, line: i + 1, flags: new Set(rest.split(/\s+/).filter(Boolean)), code });
    }
    i = close;
  }
  return blocks;
}

const KNOWN_FLAGS = new Set(['partial', 'legacy-decorators']);
const GIVEN = /^(\s*)\/\/ given: /;

function sourceOf(block: Block): string {
  const lines = block.code.split('\n').map((line) => line.replace(GIVEN, '$1'));
  // `export {}` makes every block a module, even one without imports, so a
  // `declare module` in it augments instead of replacing the package's types.
  return `${lines.join('\n')}\nexport {};\n`;
}

interface Program {
  name: string;
  legacyDecorators: boolean;
  blocks: Map<string, Block>;
}

let work = '';
before(() => {
  work = mkdtempSync(join(repoRoot, 'test', '.docs-compile-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('every TypeScript block of the docs compiles under tsconfig.base.json', () => {
  const blocks = docFiles().flatMap(extractBlocks);
  assert.ok(blocks.length > 0, 'the docs hold TypeScript blocks');
  const problems: string[] = [];
  const programs = new Map<string, Program>();
  const seen = new Set<string>();

  for (const block of blocks) {
    const id = `${block.doc}:${block.line}`;
    seen.add(id);
    const unknown = [...block.flags].filter((flag) => !KNOWN_FLAGS.has(flag));
    if (unknown.length > 0) problems.push(`${id}: unknown fence flag ${unknown.join(', ')}`);
    if (!block.flags.has('partial') && block.code.split('\n').some((line) => GIVEN.test(line))) problems.push(`${id}: a \`// given:\` line belongs in a block fenced \`ts partial\``);
    if (id in NOT_COMPILED) {
      if (!block.flags.has('partial')) problems.push(`${id}: only a partial block may be left out of compilation`);
      continue;
    }
    const legacyDecorators = block.flags.has('legacy-decorators');
    const isolated = /^\s*declare\s+(module|global)\b/m.test(block.code);
    const key = isolated ? id : legacyDecorators ? 'legacy' : 'standard';
    const program = programs.get(key) ?? { name: `p${programs.size}`, legacyDecorators, blocks: new Map<string, Block>() };
    programs.set(key, program);
    program.blocks.set(`${block.doc.replace(/[^a-z0-9]+/gi, '-')}-${block.line}.ts`, block);
  }
  for (const id of Object.keys(NOT_COMPILED)) if (!seen.has(id)) problems.push(`${id}: listed in NOT_COMPILED but no block starts there`);

  const typedPackages = publishablePackages()
    .filter((pkg) => pkg.manifest.types !== undefined || entryFiles(pkg.manifest).some((file) => file.endsWith('.d.ts')))
    .map((pkg) => pkg.name);
  const envNames = [...new Set(blocks.flatMap((block) => [...block.code.matchAll(/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1])))];
  const envDeclaration = `declare global {\n  namespace NodeJS {\n    interface ProcessEnv {\n${envNames.map((name) => `      ${name}?: string;\n`).join('')}    }\n  }\n}\nexport {};\n`;

  for (const program of programs.values()) {
    const dir = join(work, program.name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'process-env.d.ts'), envDeclaration);
    // TypeScript 7 resolves the module of an augmentation only when the program loads it
    // otherwise; an app always imports the package it augments, so the program does too.
    // (A new package with types must be a dependency of this test package to resolve here.)
    writeFileSync(join(dir, 'packages.ts'), typedPackages.map((name, i) => `import type * as package${i} from '${name}';\n`).join('') + 'export {};\n');
    for (const [file, block] of program.blocks) writeFileSync(join(dir, file), sourceOf(block));
    const compilerOptions = { noEmit: true, declaration: false, declarationMap: false, ...(program.legacyDecorators ? { experimentalDecorators: true, emitDecoratorMetadata: true } : {}) };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: relative(dir, join(repoRoot, 'tsconfig.base.json')), compilerOptions, include: ['*.ts'] }));
    const tsc = spawnSync(process.execPath, [tscBin, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' });
    const diagnostics = `${tsc.stdout}${tsc.stderr}`.split('\n').filter(Boolean);
    for (const diagnostic of diagnostics) {
      const at = /^(.+?\.ts)\((\d+),(\d+)\): (.*)$/.exec(diagnostic);
      const block = at ? program.blocks.get(at[1]?.split('/').pop() ?? '') : undefined;
      if (at && block) problems.push(`${block.doc}:${block.line + Number(at[2])} (block at line ${block.line}): ${at[4]}`);
      else if (/^\s/.test(diagnostic) && problems.length > 0) problems[problems.length - 1] += `\n${diagnostic}`;
      else problems.push(`${program.name}: ${diagnostic}`);
    }
    if (tsc.status !== 0 && diagnostics.length === 0) problems.push(`${program.name}: tsc exited ${tsc.status}`);
  }
  assert.deepEqual(problems, [], `${problems.length} problem(s) in the docs' TypeScript blocks:\n${problems.join('\n')}`);
});
