import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import layers from './eslint/layer-order.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'data/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/config only.' }],
    },
  },
  { files: ['src/config/**', 'test/**', 'bench/**'], rules: { 'no-restricted-properties': 'off' } },
  {
    // One log convention: logger.log({ fields }, 'message'); pino makes the fields JSON keys (src/common/logging.ts).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(log|warn|error|debug|verbose|fatal)$/][callee.object.name='logger'] > ObjectExpression > Property[key.name='msg']",
          message: "Log as logger.log({ fields }, 'message'), not { msg }.",
        },
        {
          selector: "CallExpression[callee.property.name=/^(log|warn|error|debug|verbose|fatal)$/][callee.object.property.name='logger'] > ObjectExpression > Property[key.name='msg']",
          message: "Log as logger.log({ fields }, 'message'), not { msg }.",
        },
        {
          selector: "CallExpression[callee.property.name=/^(log|warn|error|debug|verbose|fatal)$/][callee.object.name='logger'][arguments.length=1][arguments.0.type='ObjectExpression']",
          message: "A log call with fields says what happened too: logger.log({ fields }, 'message').",
        },
        {
          selector: "CallExpression[callee.property.name=/^(log|warn|error|debug|verbose|fatal)$/][callee.object.property.name='logger'][arguments.length=1][arguments.0.type='ObjectExpression']",
          message: "A log call with fields says what happened too: logger.log({ fields }, 'message').",
        },
      ],
    },
  },
  // Folders of src/ import one way, down the layer order in eslint/layer-order.mjs (README, "Layout").
  { files: ['src/**/*.ts'], plugins: { crucible: layers }, rules: { 'crucible/layer-order': ['error', { srcDir: fileURLToPath(new URL('./src', import.meta.url)) }] } },
  {
    files: ['src/scoring/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\.\\.?/)', message: 'src/scoring is pure: no framework, database, file, network or process imports (only its own files).' }] },
      ],
    },
  },
);
