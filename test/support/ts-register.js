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

/**
 * Stack traces point into the .ts sources (their inline source maps). Node reads and parses the map
 * of each file it compiles while source maps are on, so they are on only while a .ts file compiles:
 * the packages' own maps (about a thousand .map files, 11 MB, for a worker app: typeorm ships one per
 * file) would be read and parsed in every process for nothing.
 */
process.setSourceMapsEnabled(true);
function withSourceMaps(on, load) {
  return (module, filename) => {
    const was = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(on);
    try {
      load(module, filename);
    } finally {
      process.setSourceMapsEnabled(was);
    }
  };
}
require.extensions['.js'] = withSourceMaps(false, require.extensions['.js']);

require.extensions['.ts'] = withSourceMaps(true, (module, filename) => {
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
});
