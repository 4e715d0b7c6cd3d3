import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  { languageOptions: { globals: { ...globals.browser } } },
  { files: ['e2e/**'], languageOptions: { globals: { ...globals.node } } },
  { files: ['**/*.svelte', '**/*.svelte.ts'], languageOptions: { parserOptions: { parser: ts.parser } } },
  {
    // Only the IPC module talks to Tauri (STYLE.md: one package imports @tauri-apps/*).
    files: ['src/**/*'],
    ignores: ['src/lib/ipc/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tauri-apps/*'], message: 'Import from $lib/ipc instead.' }] }],
    },
  },
  { rules: { 'svelte/require-each-key': 'off', 'svelte/prefer-svelte-reactivity': 'off' } },
);
