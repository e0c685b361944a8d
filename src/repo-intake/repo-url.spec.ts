import { canonicalRepoUrl, hostAllowed, isPublicAddress } from './repo-url';

describe('canonicalRepoUrl', () => {
  it('gives one spelling for case of scheme and host, a .git suffix, trailing slashes and the default port', () => {
    const spellings = [
      'https://github.com/miner/train',
      'https://GitHub.com/miner/train.git',
      'HTTPS://github.com/miner/train/',
      'https://github.com/miner/train.git/',
      'https://github.com:443/miner/train.GIT',
      'https://github.com/miner/train//',
    ];
    expect(new Set(spellings.map(canonicalRepoUrl))).toEqual(new Set(['https://github.com/miner/train']));
  });
  it('keeps what names another repository: path case, other ports, other hosts', () => {
    expect(canonicalRepoUrl('https://github.com/Miner/Train')).toBe('https://github.com/Miner/Train');
    expect(canonicalRepoUrl('https://github.com:8443/miner/train')).toBe('https://github.com:8443/miner/train');
    expect(canonicalRepoUrl('http://127.0.0.1:9000/org/r.git')).toBe('http://127.0.0.1:9000/org/r');
  });
});

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.100.100.200', // Alibaba metadata (CGNAT range)
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254', // AWS metadata over IPv6
    'fc00::7',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1', // the same, hex form
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    'not-an-ip',
  ])('refuses %s', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['140.82.112.3', '8.8.8.8', '172.32.0.1', '100.63.255.255', '2606:50c0:8000::153', '::ffff:140.82.112.3'])('allows %s', (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );
});

describe('hostAllowed', () => {
  it('matches exact names only; null allows any', () => {
    const list = ['github.com', 'gitlab.com', 'huggingface.co'];
    expect(hostAllowed('github.com', list)).toBe(true);
    expect(hostAllowed('github.com.', list)).toBe(true);
    expect(hostAllowed('evil.github.com', list)).toBe(false);
    expect(hostAllowed('github.com.evil.org', list)).toBe(false);
    expect(hostAllowed('example.org', null)).toBe(true);
  });
});
