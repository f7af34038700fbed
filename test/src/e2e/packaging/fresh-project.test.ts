// A user's first install: the packed tarballs installed into a new project outside this
// repository, with npm's and with pnpm's default settings, then type-checked (strict) and run.
// The apps are in test/fixtures/fresh-project/ (Express, Koa, Fastify, Nest on both platforms,
// routing-controllers on both drivers, accounts, an app's tests); each one depends on the apojwt
// packages a user of that framework would and declares its permission names through `Register`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packInto, publishablePackages, repoRoot } from '../../support/workspace.js';

const require = createRequire(import.meta.url);
const tscBin = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const fixtures = join(repoRoot, 'test', 'fixtures', 'fresh-project');

interface Project {
  manager: 'npm' | 'pnpm';
  apojwt: '@apojwt/core' | '@apojwt/express' | '@apojwt/koa' | '@apojwt/fastify' | '@apojwt/nest' | '@apojwt/routing-controllers';
  app: string;
  framework: Record<string, string>;
  expected: Record<string, unknown>;
  /** Further apojwt packages the app imports (dependencies beside `apojwt`). */
  alsoApojwt?: string[];
  /** apojwt packages the project's tests use (dev dependencies). */
  devApojwt?: string[];
  /** Global type packages beside @types/node (`compilerOptions.types`). */
  types?: string[];
  /** Nest and routing-controllers: `experimentalDecorators` and `emitDecoratorMetadata`, as their docs ask. */
  legacyDecorators?: boolean;
  /** A CommonJS project (no `"type": "module"`): the app `require`s the ESM packages, as Node >= 20.19 allows. */
  commonJs?: boolean;
}

// The Nest app runs on both platforms, the routing-controllers app on both drivers: one answer each.
const NEST_FRAMEWORK = {
  '@nestjs/common': '^12.5.1',
  '@nestjs/core': '^12.5.1',
  '@nestjs/platform-express': '^12.5.1',
  '@nestjs/platform-fastify': '^12.5.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.2',
};
const NEST_ANSWERS = { allowed: 200, forbidden: 403, missing: 401, tokenOnly: 200, public: 200 };
const ROUTING_ANSWERS = { allowed: 200, forbidden: 403, missing: 401, tokenOnly: 200, authorizedAllowed: 200, authorizedForbidden: 403 };

const PROJECTS: Project[] = [
  {
    manager: 'pnpm',
    apojwt: '@apojwt/express',
    app: 'express-app.ts',
    framework: { express: '^5.3.0', '@types/express': '^5.0.6' },
    expected: { allowed: 200, forbidden: 403, missing: 401 },
  },
  {
    manager: 'pnpm',
    apojwt: '@apojwt/koa',
    app: 'koa-app.ts',
    framework: { koa: '^3.3.0', '@types/koa': '^3.0.3' },
    expected: { allowed: 200, forbidden: 403, missing: 401 },
  },
  { manager: 'pnpm', apojwt: '@apojwt/core', app: 'core-app.ts', framework: {}, expected: { sub: 'user-1' } },
  {
    // Accounts on PGlite behind the Express account routes. npm: its defaults run the install
    // scripts of bcrypt and argon2 (@apojwt/auth), which pnpm's defaults refuse (README, Decisions).
    manager: 'npm',
    apojwt: '@apojwt/express',
    alsoApojwt: ['@apojwt/postgres', '@apojwt/auth'],
    app: 'accounts-app.ts',
    // PGlite's declarations name Emscripten's types without installing them (docs/accounts.md).
    framework: { express: '^5.3.0', '@types/express': '^5.0.6', '@electric-sql/pglite': '^0.5.17', '@types/emscripten': '^1.41.1' },
    types: ['emscripten'],
    expected: { registered: 201, again: 409, login: 200, sessions: ['fresh-project/1.0'], anonymous: 401 },
  },
  {
    manager: 'npm',
    apojwt: '@apojwt/express',
    app: 'testing-app.ts',
    framework: { express: '^5.3.0', '@types/express': '^5.0.6' },
    devApojwt: ['@apojwt/testing'],
    expected: { unit: { user: 'user-1' }, table: 'passed' },
  },
  {
    manager: 'pnpm',
    apojwt: '@apojwt/fastify',
    app: 'fastify-app.ts',
    framework: { fastify: '^5.12.8' },
    expected: { allowed: 200, forbidden: 403, missing: 401, hookAllowed: 200, hookForbidden: 403 },
  },
  {
    // Only @apojwt/nest among apojwt's packages: under pnpm its Register is the one the app can name.
    manager: 'pnpm',
    apojwt: '@apojwt/nest',
    app: 'nest-app.ts',
    framework: NEST_FRAMEWORK,
    legacyDecorators: true,
    expected: { express: NEST_ANSWERS, fastify: NEST_ANSWERS },
  },
  {
    // The same app as `nest new` lays a project out: CommonJS, installed with npm.
    manager: 'npm',
    apojwt: '@apojwt/nest',
    app: 'nest-app.ts',
    framework: NEST_FRAMEWORK,
    legacyDecorators: true,
    commonJs: true,
    expected: { express: NEST_ANSWERS, fastify: NEST_ANSWERS },
  },
  {
    // pnpm: under npm's flat layout @types/koa meets a content-disposition that ships its own,
    // different types (a conflict between those two packages, whoever installs them).
    manager: 'pnpm',
    apojwt: '@apojwt/routing-controllers',
    alsoApojwt: ['@apojwt/express', '@apojwt/koa'],
    app: 'routing-controllers-app.ts',
    framework: {
      'routing-controllers': '^0.11.3',
      'reflect-metadata': '^0.2.2',
      'class-transformer': '^0.5.1',
      'class-validator': '^0.14.1',
      '@types/express': '^5.0.6',
      '@types/koa': '^3.0.3',
    },
    legacyDecorators: true,
    expected: { express: ROUTING_ANSWERS, koa: ROUTING_ANSWERS },
  },
  {
    manager: 'npm',
    apojwt: '@apojwt/express',
    app: 'express-app.ts',
    framework: { express: '^5.3.0', '@types/express': '^5.0.6' },
    expected: { allowed: 200, forbidden: 403, missing: 401 },
  },
];

// The children run as on a user's machine: without the npm_* / pnpm_* settings that the
// `pnpm run` running this suite exports, which would otherwise leak into their installs.
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm|pnpm)_/i.test(name)));

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: userEnv, encoding: 'utf8', timeout: 120_000 });
}

function output(result: SpawnSyncReturns<string>): string {
  return `exit ${result.status}\n${result.stdout}\n${result.stderr}`;
}

let work = '';
const tarballs = new Map<string, string>();
before(() => {
  work = mkdtempSync(join(tmpdir(), 'apojwt-fresh-'));
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  for (const pkg of publishablePackages()) tarballs.set(pkg.name, packInto(pkg, packs));
});
after(() => rmSync(work, { recursive: true, force: true }));

for (const project of PROJECTS) {
  describe(`a fresh ${project.commonJs ? 'CommonJS ' : ''}${project.manager} project depending on ${project.apojwt}${project.devApojwt ? ` (tests: ${project.devApojwt.join(', ')})` : ' only'}`, () => {
    let dir = '';
    let install: SpawnSyncReturns<string> | undefined;

    before(() => {
      dir = mkdtempSync(join(tmpdir(), `apojwt-user-${project.manager}-`));
      const tarball = tarballs.get(project.apojwt);
      assert.ok(tarball, `${project.apojwt} is a publishable package`);
      // The tarballs are not on the registry: every @apojwt/* name resolves to its tarball.
      // This redirects resolution only; every other setting is the package manager's default.
      const local = Object.fromEntries([...tarballs].map(([name, path]) => [name, `file:${path}`]));
      const manifest = {
        name: 'fresh-user-project',
        private: true,
        ...(project.commonJs ? {} : { type: 'module' }),
        dependencies: { [project.apojwt]: `file:${tarball}`, ...Object.fromEntries((project.alsoApojwt ?? []).map((name) => [name, `file:${tarballs.get(name)}`])), ...project.framework },
        devDependencies: { '@types/node': '^20.19.0', ...Object.fromEntries((project.devApojwt ?? []).map((name) => [name, `file:${tarballs.get(name)}`])) },
        ...(project.manager === 'npm' ? { overrides: local } : {}),
      };
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      if (project.manager === 'pnpm') {
        const overrides = Object.entries(local)
          .map(([name, spec]) => `  ${JSON.stringify(name)}: ${JSON.stringify(spec)}\n`)
          .join('');
        writeFileSync(join(dir, 'pnpm-workspace.yaml'), `overrides:\n${overrides}`);
      }
      const tsconfig = {
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          types: ['node', ...(project.types ?? [])],
          outDir: 'out',
          rootDir: 'src',
          skipLibCheck: false,
          ...(project.legacyDecorators ? { experimentalDecorators: true, emitDecoratorMetadata: true } : {}),
        },
        include: ['src'],
      };
      writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
      mkdirSync(join(dir, 'src'));
      copyFileSync(join(fixtures, project.app), join(dir, 'src', 'app.ts'));
      const args = project.manager === 'npm' ? ['install', '--prefer-offline', '--no-audit', '--no-fund'] : ['install', '--prefer-offline'];
      install = run(project.manager, args, dir);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test(`${project.manager} install succeeds with default settings`, () => {
      assert.equal(install?.status, 0, install && output(install));
    });

    test('the app type-checks under strict, Register augmentation included, and runs', () => {
      const tsc = run(process.execPath, [tscBin, '-p', '.'], dir);
      assert.equal(tsc.status, 0, output(tsc));
      // A CommonJS project really loads the package through require().
      if (project.commonJs) assert.ok(readFileSync(join(dir, 'out', 'app.js'), 'utf8').includes(`require("${project.apojwt}")`), 'the app was compiled to CommonJS');
      const app = run(process.execPath, [join('out', 'app.js')], dir);
      assert.equal(app.status, 0, output(app));
      assert.deepEqual(JSON.parse(app.stdout.trim()), project.expected);
    });
  });
}
