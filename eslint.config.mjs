// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

const nodeModules = [
  ...builtinModules.map((name) => ({ name, message: 'Deterministic, sandboxed code: no Node modules.' })),
];
const nodePatterns = [{ group: ['node:*'], message: 'Deterministic, sandboxed code: no Node modules.' }];

// The layers (docs/architecture.md): each folder may import the ones below it, never one above.
const APPS = ['./src/bridge', './src/worker', './src/cli', './src/dev'];
const layer = (target, from, message) => ({ target, from, message });
const zones = [
  layer('./src/domain', ['./src/postmortem', './src/integrations', './src/config', './src/temporal', './activities', './workflows', ...APPS], 'The domain core imports nothing of the project but itself.'),
  layer('./src/postmortem', ['./src/integrations', './src/config', './src/temporal', './activities', './workflows', ...APPS], 'Postmortem text (prompt, skeleton, redaction) builds on the domain only.'),
  layer('./src/report', ['./src/integrations', './src/config', './src/temporal', './activities', './workflows', ...APPS], 'The report computes and prints figures from plain data; the CLI reads its sources through their clients.'),
  layer('./src/integrations', ['./src/config', './src/temporal', './activities', './workflows', ...APPS], 'An integration knows its API and the domain, not Temporal, the configuration or the processes.'),
  layer('./src/config', ['./src/temporal', './activities', './workflows', ...APPS], 'Configuration reads the environment; it does not depend on what uses it.'),
  layer('./src/temporal', ['./activities', './workflows', ...APPS], 'The Temporal plumbing is shared by the processes, not built on them.'),
  layer('./activities', ['./workflows', './src/temporal', ...APPS], 'Activities wire integrations into Temporal; they never reach into workflows or processes.'),
  layer('./workflows', ['./src/postmortem', './src/integrations', './src/config', './src/temporal', ...APPS], 'Workflow code sees the domain, and activities by type only.'),
  layer('./src/bridge', ['./src/worker', './src/cli', './src/dev'], 'The bridge is one process; it shares code only through the layers below.'),
  layer('./src/worker', ['./src/bridge', './src/cli', './src/dev'], 'The worker is one process; it shares code only through the layers below.'),
  layer('./src/cli', ['./src/bridge', './src/dev/main.ts'], 'The CLI talks to Temporal through src/temporal, not through the other processes (it runs the simulator only).'),
  // `histories replay` runs the workflow code as the worker would: the worker's replay, and nothing else of it.
  { ...layer('./src/cli', './src/worker', 'The CLI talks to Temporal through src/temporal, not through the worker (it loads only its history replay).'), except: ['./history-replay.ts'] },
];

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
    files: ['src/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Workflow code is replayed in a sandbox, and the domain and postmortem text are imported by it or
    // kept as pure: no Node APIs; activities only by type.
    files: ['workflows/**/*.ts', 'src/domain/**/*.ts', 'src/postmortem/**/*.ts', 'src/report/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...nodeModules, { name: '../activities', message: 'Import activities by type only.', allowTypeImports: true }],
          patterns: [...nodePatterns, { group: ['../activities/*'], message: 'Import activities by type only.', allowTypeImports: true }],
        },
      ],
    },
  },
  {
    // Integrations speak HTTP and their API; Temporal's terms are the activities' business.
    files: ['src/integrations/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['@temporalio/*'], message: 'Integrations do not depend on Temporal: throw TypedFailure / ExternalServiceError.' }] }],
    },
  },
);
