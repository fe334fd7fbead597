// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/__fixtures__/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // The CLI, scripts, tests and benchmarks talk to the terminal; the core never does.
    files: ['src/cli/**', 'bench/**', 'scripts/**', 'test/**', '**/*.test.ts', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Options are read once, in src/config (and by the service's roots in src/main), then passed down.
    files: ['src/**'],
    ignores: ['src/config/**', 'src/main/**', '**/*.test.ts', '**/test-support/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read options in src/config and pass them down.' },
      ],
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/config/**', 'src/main/**', 'src/cli/**', '**/*.test.ts', '**/test-support/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read options in src/config and pass them down.' },
        {
          object: 'process',
          property: 'exit',
          message: 'Only the CLI and the service roots may exit the process.',
        },
      ],
    },
  },
);
