// ESLint over every TypeScript file of the workspace, with type information
// (each file is type-checked with the tsconfig that compiles it).
// Plain .mjs/.js scripts get the untyped recommended rules.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Each package's source compiles with tsconfig.build.json, which the project
// service would not find on its own: list them, whatever packages exist.
const tsconfigsIn = (folder) =>
  readdirSync(new URL(`./${folder}`, import.meta.url))
    .filter((name) => /^tsconfig.*\.json$/.test(name))
    .map((name) => `${folder}/${name}`);
const packageProjects = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => tsconfigsIn(`packages/${entry.name}`));

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/dist-*/**', '.redis/**', 'bench/results/**', 'test/.docs-compile-*/**', 'test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@apojwt/[^/]+/(src|dist)(/|$)',
              message: "Import another package by its public entry ('@apojwt/<name>'), never its src/ or dist/.",
            },
            {
              regex: '^(\\.\\./)+(packages/)?[^/.]+/src(/|$)',
              message: "A relative import must not reach into another package's src/: import it by name ('@apojwt/<name>').",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    languageOptions: {
      parserOptions: {
        project: [...packageProjects, ...tsconfigsIn('test'), ...tsconfigsIn('examples'), ...tsconfigsIn('bench')],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits and reports.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] }],
      // A leading underscore marks a deliberately unused binding (a framework's positional
      // argument, a destructured value left out), as the code base already writes them.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // CommonJS on purpose: these files check what a require() user gets.
    files: ['**/*.cts', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Type-level tests: a type parameter exists only as a constraint (`<T extends true>`)
    // and a value only to be inspected with `typeof`; neither is ever "used" at run time.
    files: ['test/types/**', 'test/types-adapters/**', 'test/types-nest/**', 'test/src/**/*types.test.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
);
