import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.next/**', '**/next-env.d.ts', '**/coverage/**', '**/.tmp/**'],
  },
  js.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Public functions check their arguments at runtime for JavaScript callers (bad input must
      // be a clear TypeError): the types call those checks "unnecessary".
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // With noUncheckedIndexedAccess, indexing typed arrays inside bounds-checked loops needs `!`.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `=== false` on a contract answer reads as the contract says it.
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    files: ['**/test/**/*.ts', '**/*.test.ts', '**/*.config.ts', '**/vitest.*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Fake stores in tests implement async interfaces without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', Buffer: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
        AbortController: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly',
        performance: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', structuredClone: 'readonly',
        globalThis: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly',
      },
    },
  },
);
