// Lint of the TypeScript and JavaScript sources (`npm run lint`, a CI step): ESLint's and
// typescript-eslint's recommended rules, without type information (fast; `tsc` does the types),
// plus the house rules below.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Generated or installed, not written here.
    ignores: ['dist/', 'binding/', 'target/', 'npm/', 'fuzz/target/', 'fuzz/corpus/', '**/node_modules/', 'benches/corpus/', 'benches/results/', 'benches/.venv/', 'benches/.cache/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `src-ts/native/` is the border crossing: the only code that loads the generated addon loader.
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)binding(\\.cjs)?$|/binding/', message: 'Only src-ts/native/ imports the generated loader (binding/binding.cjs).' }] },
      ],
      // `==` only against null (which also matches undefined, on purpose).
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // A leading underscore marks a parameter kept for its position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The library reports through return values, errors and events; it never prints (the
    // command in src-ts/cli/ is a program and writes to its streams).
    files: ['src-ts/**'],
    ignores: ['src-ts/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src-ts/native/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
