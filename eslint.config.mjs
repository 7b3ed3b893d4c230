// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tools/', 'coverage/', 'postmortems/', 'test-output/', 'bench/.run/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Workflow code is replayed in a sandbox: no Node APIs, and activities only by type.
    files: ['workflows/**/*.ts', 'src/domain/**/*.ts', 'src/postmortem/redaction.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...builtinModules.map((name) => ({ name, message: 'Workflows must be deterministic: no Node modules.' })),
            { name: '../activities', message: 'Import activities by type only.', allowTypeImports: true },
          ],
          patterns: [
            { group: ['node:*'], message: 'Workflows must be deterministic: no Node modules.' },
            { group: ['../activities/*'], message: 'Import activities by type only.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
);
