// Lint: TypeScript rules plus the import boundaries of DESIGN.md, which fail the build when crossed:
// - the engine never imports electron, nor app/, web/, cli/ or api/;
// - the renderer imports only the contract (src-preload/contract.ts and contract/) from outside itself;
// - only src-main/app/** and src-preload/index.ts import electron.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electron = { name: 'electron', message: 'Only src-main/app/** and src-preload/index.ts may import electron.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'e2e/artifacts/**', 'test-results/**', 'playwright-report/**', 'native/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [electron] }],
    },
  },
  {
    files: ['src-main/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            {
              regex: '^(\\.\\./)+(app|web|cli|api)(/|$)|src-main/(app|web|cli|api)(/|$)|src-preload|src-renderer',
              message: 'The engine is plain Node: it imports nothing from app/, web/, cli/, api/, the preload or the renderer.',
            },
          ],
        },
      ],
    },
  },
  { files: ['src-renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  // One block per folder depth: an import that climbs out of src-renderer/ must land on the contract.
  ...[1, 2, 3, 4].map((up) => ({
    files: [`src-renderer/${'*/'.repeat(up - 1)}*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            {
              regex: `^(\\.\\./){${up}}(?!src-preload/contract((\\.js|\\.ts)?|/[a-z-]+(\\.js|\\.ts)?)$)`,
              message: 'The renderer imports only the contract (src-preload/contract) from outside src-renderer/.',
            },
            {
              regex: '^node:|^(fs|path|os|child_process|better-sqlite3)$',
              message: 'The renderer runs in a sandboxed page: no Node modules.',
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['src-main/app/**', 'src-preload/index.ts', 'e2e/**', 'electron.vite.config.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src-preload/contract.ts', 'src-preload/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electron], patterns: [{ regex: '^\\.\\./', message: 'The contract stands alone: it imports only zod.' }] },
      ],
    },
  },
);
