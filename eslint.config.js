// Lint zones: each layer may import only what ../shared/DESIGN.md §1 allows.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'stream', 'url', 'worker_threads'], message: 'core/ and renderer/ must not use Node built-ins.' };
const layer = (name) => ({ group: [`**/${name}/**`, `../${name}/*`, `../../${name}/*`], message: `this layer must not import ${name}/.` });

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.cache/**', 'test-artifacts/**', '**/*.bundle.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NODE_BUILTINS, { group: ['electron', 'three', 'three/*', 'onnxruntime-*', 'react', 'sharp', 'fluent-ffmpeg'], message: 'core/ is pure TypeScript.' }, layer('pipeline'), layer('renderer'), layer('electron'), layer('cli')] }],
    },
  },
  {
    files: ['pipeline/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['electron'], message: 'pipeline/ never imports electron.' }, layer('renderer'), layer('electron'), layer('cli')] }] },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NODE_BUILTINS, { group: ['electron', 'onnxruntime-*', 'sharp', 'fluent-ffmpeg'], message: 'renderer/ talks to the host through its client module.' }, layer('pipeline'), layer('electron'), layer('cli')] }] },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer('pipeline'), layer('renderer'), layer('cli')] }] },
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer('renderer'), layer('cli')] }] },
  },
  {
    files: ['cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer('electron'), { group: ['**/renderer/app/**'], message: 'cli/ must not import UI components.' }] }] },
  },
);
