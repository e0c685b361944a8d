import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSubmitCommand } from './submit.command';
import { buildSubmissionMessage, verifySubmissionSignature } from './submissions/signature';

describe('crucible submit', () => {
  it('signs the canonical message with the mnemonic file hotkey and posts it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-submit-'));
    const file = path.join(dir, 'mnemonic.txt');
    fs.writeFileSync(file, 'bottom drive obey lake curtain smoke basket hold race lonely fit walk//Alice\n');
    let posted: Record<string, unknown> = {};
    const fetchImpl = (async (url: string, init: RequestInit) => {
      expect(url).toBe('http://api.test/api/submissions');
      posted = JSON.parse(String(init.body)) as Record<string, unknown>;
      return new Response(JSON.stringify({ id: 'e1', status: 'accepted' }), { status: 201 });
    }) as unknown as typeof fetch;
    const lines: string[] = [];
    const code = await runSubmitCommand({
      apiUrl: 'http://api.test',
      tournamentId: 't1',
      repoUrl: 'https://github.com/m/t.git',
      commitSha: 'c'.repeat(40),
      mnemonicFile: file,
      now: () => new Date(1_790_000_000_000),
      fetchImpl,
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
    });
    expect(code).toBe(0);
    expect(posted).toMatchObject({ tournamentId: 't1', hotkey: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', signedAt: 1_790_000_000 });
    const message = buildSubmissionMessage(posted as never);
    expect(verifySubmissionSignature(message, String(posted.signature), String(posted.hotkey))).toBe(true);
    expect(lines.join('\n')).not.toContain('bottom drive');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the refusal and exits 1', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-submit-'));
    const file = path.join(dir, 'mnemonic.txt');
    fs.writeFileSync(file, '//Bob');
    const lines: string[] = [];
    const code = await runSubmitCommand({
      apiUrl: 'http://api.test',
      tournamentId: 't1',
      repoUrl: 'https://github.com/m/t.git',
      commitSha: 'c'.repeat(40),
      mnemonicFile: file,
      fetchImpl: (async () => new Response(JSON.stringify({ code: 'HOTKEY_NOT_REGISTERED', message: 'hotkey is not registered' }), { status: 403 })) as unknown as typeof fetch,
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
    });
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('403 HOTKEY_NOT_REGISTERED');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
