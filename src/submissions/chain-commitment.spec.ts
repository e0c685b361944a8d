import { COMMITMENT_MAX_BYTES, formatChainEntry, parseChainEntry } from './chain-commitment';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('parseChainEntry', () => {
  it('reads a well-formed entry', () => {
    expect(parseChainEntry(`crucible:v1:https://github.com/miner/trainer@${SHA}`)).toEqual({ ok: true, repoUrl: 'https://github.com/miner/trainer', commitSha: SHA });
  });

  it('reads the same entry from the raw bytes the chain stores', () => {
    expect(parseChainEntry(Buffer.from(`crucible:v1:https://github.com/miner/trainer.git@${SHA}`, 'utf8'))).toEqual({
      ok: true,
      repoUrl: 'https://github.com/miner/trainer.git',
      commitSha: SHA,
    });
  });

  it('lower-cases an upper-case commit and splits at the last @', () => {
    // "https://host/a@b" keeps its @ inside the path; the commit follows the last one.
    expect(parseChainEntry(`crucible:v1:https://host.example/a@b@${SHA.toUpperCase()}`)).toEqual({ ok: true, repoUrl: 'https://host.example/a@b', commitSha: SHA });
  });

  it('accepts exactly 128 bytes and refuses 129', () => {
    // 12 (prefix) + URL + 1 (@) + 40 (commit) = 128 when the URL is 75 bytes: 'https://github.com/' is 19, so 56 more.
    const url75 = `https://github.com/${'a'.repeat(56)}`;
    expect(url75).toHaveLength(75);
    expect(Buffer.byteLength(formatChainEntry(url75, SHA))).toBe(COMMITMENT_MAX_BYTES);
    expect(parseChainEntry(formatChainEntry(url75, SHA))).toMatchObject({ ok: true, repoUrl: url75 });
    expect(parseChainEntry(formatChainEntry(`${url75}b`, SHA))).toEqual({ ok: false, reason: "commitment is 129 bytes, over the chain's limit of 128" });
  });

  it('counts bytes, not characters: 75 characters with one two-byte é is 129 bytes', () => {
    const url = `https://github.com/${'a'.repeat(55)}é`;
    expect(url).toHaveLength(75);
    expect(parseChainEntry(formatChainEntry(url, SHA))).toEqual({ ok: false, reason: "commitment is 129 bytes, over the chain's limit of 128" });
  });

  it.each([
    ['a bad prefix', `crucible:v2:https://github.com/m/t@${SHA}`, 'commitment does not start with crucible:v1: (starts with "crucible:v2:http")'],
    ['another tool\'s commitment', 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', 'commitment does not start with crucible:v1: (starts with "QmYwAPJzv5CZsnA6")'],
    ['no @', 'crucible:v1:https://github.com/m/t', 'commitment has no @ between the repository URL and the commit'],
    ['a short commit', 'crucible:v1:https://github.com/m/t@0123abc', 'commit must be a full 40-character hex SHA (got 7 hex characters)'],
    ['a non-hex commit', `crucible:v1:https://github.com/m/t@${'g'.repeat(40)}`, 'commit must be a full 40-character hex SHA (got non-hex characters)'],
    ['an ftp URL', `crucible:v1:ftp://host.example/m/t@${SHA}`, 'the repository URL scheme ftp is not one of https, http, file'],
    ['credentials in the URL', `crucible:v1:https://user:pw@github.com/m/t@${SHA}`, 'the repository URL carries credentials'],
    ['not a URL', `crucible:v1:github.com/m/t@${SHA}`, 'the repository URL is not a URL'],
    ['a space in the URL', `crucible:v1:https://github.com/m/t x@${SHA}`, 'the repository URL contains whitespace or control characters'],
    ['an empty commitment', '', 'commitment does not start with crucible:v1: (starts with "")'],
  ])('ignores %s with its reason', (_what, text, reason) => {
    expect(parseChainEntry(text)).toEqual({ ok: false, reason });
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(parseChainEntry(Uint8Array.from([0x63, 0xff, 0xfe]))).toEqual({ ok: false, reason: 'commitment is not UTF-8 text' });
  });
});
