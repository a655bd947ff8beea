import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'src/generated/**', 'node_modules/**', '.data/**', '.test-artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': 'error',
    },
  },
  {
    // The domain layer is pure: no framework, no database, no I/O.
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', '@prisma/*', 'pg', 'express', '**/generated/**', '**/database/**'],
              message: 'src/domain is pure TypeScript.',
            },
            {
              group: [
                'node:fs',
                'node:fs/*',
                'node:net',
                'node:http',
                'node:child_process',
                'fs',
                'net',
                'http',
                'child_process',
              ],
              message: 'No I/O in src/domain.',
            },
          ],
        },
      ],
    },
  },
  {
    // I/O lives behind repositories and in src/database: nothing else imports Prisma, pg or fs.
    // Exceptions, each for a reason:
    // - src/agent/**: the hub agent runs on the hub machine and writes its WireGuard config file;
    // - src/cli/**: the command line reads and writes files it is pointed at (openapi --check, locks);
    // - src/config/env.ts: reads the *_FILE secrets once at start, before any module exists;
    // - src/web/web-files.ts: reads the bundled pages from dist/public.
    files: ['src/**/*.ts'],
    ignores: [
      'src/**/*.repository.ts',
      'src/database/**',
      'src/domain/**',
      'src/agent/**',
      'src/cli/**',
      'src/config/env.ts',
      'src/web/web-files.ts',
      'src/**/*.spec.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@prisma/*', 'pg', '**/generated/**'],
              message: 'Database access belongs in a *.repository.ts or src/database.',
            },
            {
              group: ['node:fs', 'node:fs/*', 'fs', 'fs/*'],
              message: 'Files belong in src/database (see DataFiles).',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract is what the agent, the pages, the tests and the bench share: pure TypeScript
    // on openapi-fetch, nothing of the server and nothing Node-only.
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', '@prisma/*', 'pg', 'express', 'zod', 'node:*', '../*', '!./*'],
              message: 'src/contract imports only its generated types and openapi-fetch.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js', '.dependency-cruiser.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        Buffer: 'readonly',
        Headers: 'readonly',
        Response: 'readonly',
      },
    },
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
