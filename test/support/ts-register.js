'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (node -r) */
/**
 * `node -r ./test/support/ts-register.js file.ts` runs TypeScript as `-r ts-node/register/transpile-only`
 * does (each file transpiled on its own with the project's compiler options, no type check), with the
 * output cached on disk by content. The crash and multi-worker suites start a worker process a dozen
 * times, and ts-node transpiled the whole app again in each one (about 3 s of CPU each, 15 s on a busy
 * 2-core machine).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const tsconfig = path.join(root, 'tsconfig.json');
// The cache key needs no compiler: TypeScript itself (half a second to load) is loaded on a miss only.
const salt = `${fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')}\0${fs.readFileSync(tsconfig, 'utf8')}\0`;
let compiler;
function transpile(source, fileName) {
  if (!compiler) {
    const ts = require('typescript');
    const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile(tsconfig, ts.sys.readFile).config, ts.sys, root);
    compiler = { ts, compilerOptions: { ...options, sourceMap: false, inlineSourceMap: true, incremental: false, tsBuildInfoFile: undefined } };
  }
  return compiler.ts.transpileModule(source, { compilerOptions: compiler.compilerOptions, fileName }).outputText;
}
const cacheDir = path.join(os.tmpdir(), 'crucible-ts-register-cache');
fs.mkdirSync(cacheDir, { recursive: true });
// Stack traces point into the .ts sources (the inline source maps).
process.setSourceMapsEnabled(true);

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(salt).update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    code = transpile(source, filename);
    // Written whole, then renamed: a concurrent process reads either nothing or the complete file.
    const partial = `${cached}.${process.pid}.partial`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  }
  module._compile(code, filename);
};
