// ESLint for the TypeScript and the JavaScript build scripts. typescript-eslint's recommended rules without type
// information (a lint of the whole tree stays a few seconds); formatting is Prettier's, never a lint rule.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'prebuilds/', '.cache/', 'reports/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` marks a value that is destructured away or a parameter an interface requires.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // The ANSI escapes the tests and scripts strip from terminal output are control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // The library is typed throughout; tests, benchmarks and scripts may hold parsed JSON as `any`.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
