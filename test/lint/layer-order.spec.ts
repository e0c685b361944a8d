import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

interface Message {
  ruleId: string | null;
  message: string;
}

/** The cases below, linted in one ESLint process with the project's config, as if each file existed (nothing is written). */
const CASES: Record<string, { file: string; source: string }> = {
  upward: { file: 'src/sandbox/scratch.ts', source: "import { RunRepository } from '../runs/run.repository';\nexport const x = RunRepository;\n" },
  downward: { file: 'src/runs/scratch.ts', source: "import type { RunOutcome } from '../sandbox/run-outcome';\nexport type X = RunOutcome;\n" },
  sideways: { file: 'src/audit/scratch.ts', source: "import { PublishingModule } from '../publishing/publishing.module';\nexport const x = PublishingModule;\n" },
  composition: { file: 'src/tournaments/scratch.ts', source: "import { CoreModule } from '../core.module';\nexport const x = CoreModule;\n" },
  command: { file: 'src/tournaments/scratch.command.ts', source: "import { CoreModule } from '../core.module';\nexport const x = CoreModule;\n" },
  scoring: {
    file: 'src/scoring/scratch.ts',
    source: "import { Injectable } from '@nestjs/common';\nimport * as fs from 'node:fs';\nimport { roundHalfToEven } from './u16';\nexport const x = [Injectable, fs, roundHalfToEven];\n",
  },
};

const LINT_SCRIPT = `
import { ESLint } from 'eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = {};
for (const [name, c] of Object.entries(cases)) {
  const [result] = await eslint.lintText(c.source, { filePath: c.file });
  out[name] = result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}
process.stdout.write(JSON.stringify(out));
`;

let results: Record<string, Message[]>;

function layerMessages(name: string): string[] {
  return results[name].filter((m) => m.ruleId === 'crucible/layer-order' || m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

beforeAll(() => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', LINT_SCRIPT, JSON.stringify(CASES)], { cwd: root, encoding: 'utf8' });
  results = JSON.parse(out) as Record<string, Message[]>;
});

describe('lint: dependencies point one way (eslint/layer-order.mjs)', () => {
  it('fails an import from a lower folder into a higher one, and names both layers', () => {
    // sandbox is the 7th of 14 layers, runs the 10th (LAYERS in eslint/layer-order.mjs).
    expect(layerMessages('upward')).toEqual([expect.stringContaining('sandbox (layer 7 of 14) may not import runs (layer 10 of 14)')]);
  });

  it('passes the same import the other way round', () => {
    expect(layerMessages('downward')).toEqual([]);
  });

  it('fails a sideways import between folders of one layer, and a folder importing a composition file', () => {
    expect(layerMessages('sideways')).toEqual([expect.stringContaining('folders of one layer do not import each other')]);
    expect(layerMessages('composition')).toEqual([expect.stringContaining('may not import the composition layer (src/)')]);
  });

  it('lets a CLI command beside its folder import the composition files', () => {
    expect(layerMessages('command')).toEqual([]);
  });

  it('keeps src/scoring free of framework and I/O imports', () => {
    expect(layerMessages('scoring')).toEqual([expect.stringContaining("'@nestjs/common' import is restricted"), expect.stringContaining("'node:fs' import is restricted")]);
  });
});
