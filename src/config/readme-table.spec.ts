import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * README's configuration table and the section parsers name the same variables: a variable added,
 * renamed or removed in one place and not the other fails here.
 */
describe('README configuration table', () => {
  const root = path.join(__dirname, '..', '..');
  const VARIABLE = /^(CRUCIBLE_[A-Z0-9_]+|PORT|DATABASE_URL|DOCKER_SOCKET|KUBECONFIG)$/;

  function documented(): string[] {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 1));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  }

  function read(): string[] {
    const dir = path.join(__dirname, 'sections');
    const sources = fs.readdirSync(dir).filter((f) => f.endsWith('.config.ts')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    return sources.flatMap((source) => [...source.matchAll(/'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]).filter((name) => VARIABLE.test(name)));
  }

  it('lists every variable the config reads, and no other', () => {
    const docs = documented();
    // Read through scheduleVar(type), one variable per tournament type.
    expect(docs).toContain('CRUCIBLE_SCHEDULE_<TYPE>');
    expect([...new Set(docs.filter((name) => name !== 'CRUCIBLE_SCHEDULE_<TYPE>'))].sort()).toEqual([...new Set(read())].sort());
  });
});
