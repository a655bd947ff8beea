import { describe, expect, it } from 'vitest';
import { configFileName, hasControlCharacters, isValidEndpoint, NETWORK_NAME_PATTERN } from './text';

/** What wg-quick accepts as a config file name (its interface name rule). */
const WG_QUICK_FILE = /^[a-zA-Z0-9_=+.-]{1,15}\.conf$/;

describe('hasControlCharacters', () => {
  it.each([
    ['newline', 'laptop\nEndpoint = evil.example:1'],
    ['carriage return', 'laptop\r'],
    ['tab', 'lap\ttop'],
    ['NUL', 'laptop\u0000'],
    ['escape', '\u001b[31mred'],
    ['unit separator', '\u001f'],
    ['DEL', 'lap\u007ftop'],
    ['C1 first (U+0080)', '\u0080'],
    ['C1 next line (U+0085)', 'laptop\u0085PrivateKey'],
    ['C1 last (U+009F)', '\u009f'],
    ['line separator (U+2028)', 'laptop\u2028x'],
    ['paragraph separator (U+2029)', '\u2029laptop'],
  ])('finds %s', (_, text) => {
    expect(hasControlCharacters(text)).toBe(true);
  });

  it('finds every C0 and C1 code point and DEL, and none of printable ASCII', () => {
    for (let c = 0; c <= 0xff; c++) {
      const expected = c <= 0x1f || (c >= 0x7f && c <= 0x9f);
      expect(hasControlCharacters(`name${String.fromCharCode(c)}name`), `U+${c.toString(16).padStart(4, '0')}`).toBe(
        expected,
      );
    }
  });

  it.each([
    '',
    'laptop',
    "Jürgen's laptop",
    'Ørsted-ø',
    'ノートパソコン',
    'Лаптоп',
    'كمبيوتر',
    'rocket 🚀 node',
    'a b c',
    'x\u00a0y',
    'name (2) — office',
  ])('accepts the ordinary name %j', (text) => {
    expect(hasControlCharacters(text)).toBe(false);
  });
});

describe('NETWORK_NAME_PATTERN', () => {
  it.each(['default', 'mupif', 'a', '0', 'a-b', 'lab-2', 'a'.repeat(32)])('accepts %j', (name) => {
    expect(NETWORK_NAME_PATTERN.test(name)).toBe(true);
  });

  it.each(['', 'a'.repeat(33), '-a', 'a-', 'A', 'Default', 'a_b', 'a.b', 'a b', 'ä', 'a/b', 'a\n'])(
    'rejects %j',
    (name) => {
      expect(NETWORK_NAME_PATTERN.test(name)).toBe(false);
    },
  );
});

describe('isValidEndpoint', () => {
  it.each([
    'hub.example.org:51820',
    'hub:51820',
    '127.0.0.1:51820',
    '[::1]:51820',
    '[fd4e:6fb7:b3af::1]:1',
    'vpn-1.example.org:65535',
    'h:1',
    `${'a'.repeat(253)}:1`,
  ])('accepts %j', (text) => {
    expect(isValidEndpoint(text)).toBe(true);
  });

  it.each([
    ['port 0', 'hub.example.org:0'],
    ['port 65536', 'hub.example.org:65536'],
    ['port 99999', 'hub.example.org:99999'],
    ['six-digit port', 'hub.example.org:100000'],
    ['no port', 'hub.example.org'],
    ['empty port', 'hub.example.org:'],
    ['non-numeric port', 'hub.example.org:http'],
    ['negative port', 'hub.example.org:-1'],
    ['no host', ':51820'],
    ['empty', ''],
    ['unbracketed IPv6', '::1:51820'],
    ['bracketed IPv6 without port', '[::1]'],
    ['bracketed IPv6 with empty port', '[::1]:'],
    ['empty brackets', '[]:51820'],
    ['two ports', 'hub:1:2'],
    ['trailing newline', 'hub.example.org:51820\n'],
    ['newline inside', 'hub\n.example.org:51820'],
    ['space inside', 'hub example:51820'],
    ['leading hyphen', '-hub.example.org:51820'],
    ['trailing dot', 'hub.example.org.:51820'],
    ['underscore', 'hub_1:51820'],
    ['URL', 'udp://hub.example.org:51820'],
    ['254-character host', `${'a'.repeat(254)}:1`],
  ])('rejects %s', (_, text) => {
    expect(isValidEndpoint(text)).toBe(false);
  });
});

describe('configFileName', () => {
  it('joins network and device with "-"', () => {
    expect(configFileName('mupif', 'laptop')).toBe('mupif-laptop.conf');
    expect(configFileName('default', 'pi')).toBe('default-pi.conf');
  });

  it('cuts to 15 characters without leaving a trailing "-" or "."', () => {
    expect(configFileName('mupif', 'laptop-of-alice')).toBe('mupif-laptop-of.conf');
    expect(configFileName('abcdefghijklmn', 'x')).toBe('abcdefghijklmn.conf');
    expect(configFileName('abcdefghijklm', 'x.y')).toBe('abcdefghijklm-x.conf');
    expect(configFileName('a'.repeat(40), 'b')).toBe(`${'a'.repeat(15)}.conf`);
  });

  it('replaces characters wg-quick refuses', () => {
    expect(configFileName('lab', "Jürgen's laptop")).toBe('lab-J-rgen-s-la.conf');
    expect(configFileName('lab', '../../etc/passwd')).toBe('lab-etc-passwd.conf');
    expect(configFileName('lab', 'a=b+c_d')).toBe('lab-a=b+c_d.conf');
  });

  it('falls back to wg0 when nothing usable is left', () => {
    expect(configFileName('', '')).toBe('wg0.conf');
    expect(configFileName('🚀', 'ノート')).toBe('wg0.conf');
    expect(configFileName('..', '--')).toBe('wg0.conf');
    expect(configFileName(' ', '\n')).toBe('wg0.conf');
  });

  it('skips an empty part instead of leaving a stray "-"', () => {
    expect(configFileName('', 'laptop')).toBe('laptop.conf');
    expect(configFileName('lab', '🚀')).toBe('lab.conf');
  });

  const odd = [
    '',
    ' ',
    '.',
    '..',
    '-',
    '.hidden',
    '-rf',
    'a b',
    'Jürgen',
    'ノートパソコン',
    '🚀🚀🚀',
    'x'.repeat(1000),
    '-'.repeat(20),
    '.'.repeat(20),
    'a.-.-.-.-.-.-.-.-.-b',
    'abcdefghijklmn.opq',
    'abcdefghijklmn-opq',
    '../../../etc/passwd',
    'C:\\Windows\\System32',
    'name\nPrivateKey = x',
    '\u0000\u0085\u2028',
    '%2e%2e%2f',
    '"quoted"',
    'tab\tname',
    '=+_',
  ];

  it('always gives a name wg-quick accepts, never hidden or option-like', () => {
    for (const network of odd) {
      for (const device of odd) {
        const name = configFileName(network, device);
        expect(name, JSON.stringify([network, device])).toMatch(WG_QUICK_FILE);
        expect(name.startsWith('.')).toBe(false);
        expect(name.startsWith('-')).toBe(false);
        expect(name).not.toMatch(/[-.]\.conf$/);
      }
    }
  });

  it('always gives a name wg-quick accepts for random strings', () => {
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pool = ['a', 'Z', '9', '_', '=', '+', '.', '-', ' ', '/', '\\', 'é', '😀', '\n', '\u0000', ':', '@', '中'];
    const random = (): string =>
      Array.from({ length: Math.floor(next() * 30) }, () => pool[Math.floor(next() * pool.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const network = random();
      const device = random();
      const name = configFileName(network, device);
      expect(name, JSON.stringify([network, device])).toMatch(WG_QUICK_FILE);
      expect(name.startsWith('.') || name.startsWith('-')).toBe(false);
    }
  });
});

describe('isValidEndpoint with bracketed hosts', () => {
  it('accepts real IPv6 addresses only', () => {
    expect(isValidEndpoint('[fd00::1]:51820')).toBe(true);
    expect(isValidEndpoint('[:]:51820')).toBe(false);
    expect(isValidEndpoint('[1.2.3.4]:1')).toBe(false);
  });
});
