import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { buildSubmissionMessage, signSubmission, verifySubmissionSignature } from './signature';

describe('submission signatures', () => {
  let keyring: Keyring;
  const fields = { tournamentId: '7b0c4a9e-3c1e-4d8e-9b35-2f8f6f1d2a10', repoUrl: 'https://github.com/m/t.git', commitSha: 'a'.repeat(40), signedAt: 1_790_000_000 };
  beforeAll(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  });

  it('has the documented canonical form', () => {
    expect(buildSubmissionMessage({ ...fields, hotkey: '5X' })).toBe(
      `crucible-submission-v1\ntournament:${fields.tournamentId}\nhotkey:5X\nrepo:${fields.repoUrl}\ncommit:${'a'.repeat(40)}\nsigned-at:1790000000`,
    );
  });

  it('accepts the signer and refuses a changed field, another hotkey or a malformed signature', () => {
    const alice = keyring.addFromUri('//Alice');
    const { message, signature, hotkey } = signSubmission(alice, fields);
    expect(signature).toMatch(/^0x[0-9a-f]{128}$/);
    expect(verifySubmissionSignature(message, signature, hotkey)).toBe(true);
    expect(verifySubmissionSignature(buildSubmissionMessage({ ...fields, hotkey, commitSha: 'b'.repeat(40) }), signature, hotkey)).toBe(false);
    expect(verifySubmissionSignature(message, signature, keyring.addFromUri('//Bob').address)).toBe(false);
    expect(verifySubmissionSignature(message, signature.slice(0, -2), hotkey)).toBe(false);
    expect(verifySubmissionSignature(message, 'garbage', hotkey)).toBe(false);
    expect(verifySubmissionSignature(message, signature, 'not-an-address')).toBe(false);
  });

  it('refuses an ed25519 signature by the same seed', () => {
    const ed = new Keyring({ type: 'ed25519', ss58Format: 42 }).addFromUri('//Alice');
    const sr = keyring.addFromUri('//Alice');
    const message = buildSubmissionMessage({ ...fields, hotkey: sr.address });
    expect(verifySubmissionSignature(message, `0x${Buffer.from(ed.sign(message)).toString('hex')}`, sr.address)).toBe(false);
  });
});
