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
      // A leading underscore marks a parameter kept for its position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src-ts/native/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
