/** `npm run bench -- <name> [args]`: runs bench/<name>.ts in its own process. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const [name, ...args] = process.argv.slice(2);
// *-common.ts files hold what several benches share; they are not benches themselves.
const available = fs.readdirSync(__dirname).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('-common.ts')).map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ')}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', '-r', 'ts-node/register/transpile-only', path.join(__dirname, `${name}.ts`), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
