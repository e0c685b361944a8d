import { redactSecrets } from './log-redaction';

describe('redactSecrets', () => {
  it('removes every occurrence, the longest secret first', () => {
    const text = 'token=abcd1234 again abcd1234; url postgres://u:abcd1234xyz@h/db';
    // "abcd1234xyz" contains "abcd1234": removed whole, not as "[redacted]xyz".
    expect(redactSecrets(text, ['abcd1234', 'abcd1234xyz'])).toBe('token=[redacted] again [redacted]; url postgres://u:[redacted]@h/db');
  });

  it('ignores empty and very short values, and leaves text without secrets alone', () => {
    expect(redactSecrets('a b c epoch 1', ['', ' ', 'b', 'abc'])).toBe('a b c epoch 1');
  });

  it('matches a multi-word mnemonic as one phrase, with surrounding whitespace trimmed', () => {
    const phrase = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
    expect(redactSecrets(`seed: ${phrase}\n`, [` ${phrase}\n`])).toBe('seed: [redacted]\n');
  });
});
