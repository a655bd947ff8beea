import { describe, expect, it } from 'vitest';
import {
  allocateConfigName,
  configNamePrefix,
  configNameStem,
  hasControlCharacters,
  isServableConfigName,
  isValidEndpoint,
  NETWORK_NAME_PATTERN,
} from './text';

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

describe('allocateConfigName', () => {
  const none = new Set<string>();

  it('is the device\'s name first, lower case, other characters as one "_"', () => {
    expect(allocateConfigName('laptop', none)).toBe('laptop');
    expect(allocateConfigName('alice-laptop', none)).toBe('alice_laptop');
    expect(allocateConfigName('Lab-PC-01', none)).toBe('lab_pc_01');
    expect(allocateConfigName("Jürgen's laptop", none)).toBe('jurgen_s_laptop');
    expect(allocateConfigName('../../etc/passwd', none)).toBe('etc_passwd');
    expect(allocateConfigName('a=b+c_d.e', none)).toBe('a_b_c_d_e');
  });

  it('cuts to 15 characters without a trailing "_"', () => {
    expect(allocateConfigName('a-very-long-device-name', none)).toBe('a_very_long_dev');
    expect(allocateConfigName('abcdefghijklmn-opq', none)).toBe('abcdefghijklmn');
  });

  it('keeps the numbered end of a long name, so the nodes of a cluster keep names of their own', () => {
    expect(allocateConfigName('hpc-cluster-node-017', none)).toBe('hpc_cluster_017');
    expect(allocateConfigName('hpc-cluster-node-018', none)).toBe('hpc_cluster_018');
    expect(allocateConfigName('timed-c32-r0-123', none)).toBe('timed_c3_r0_123');
    expect(allocateConfigName('timed-c32-r1-123', none)).toBe('timed_c3_r1_123');
    // A taken name keeps its end too, before the suffix.
    expect(allocateConfigName('hpc-cluster-node-017', new Set(['hpc_cluster_017']))).toBe('hpc_clust_017_2');
    // An end without a digit, or one too long to keep, is cut off as before.
    expect(allocateConfigName('workstation-laboratory', none)).toBe('workstation_lab');
    expect(allocateConfigName('simulation-node-1234567', none)).toBe('simulation_node');
  });

  it('starts every name a device can get with the prefix the repository reads', () => {
    for (const device of [
      'hpc-cluster-node-017',
      'a-b-c-d-e-f-g-h-1-2-3',
      'abcdefgh_ij_12345',
      'x'.repeat(40) + '-9',
    ]) {
      const prefix = configNamePrefix(configNameStem(device));
      const taken = new Set<string>();
      for (let i = 0; i < 120; i++) {
        const name = allocateConfigName(device, taken);
        expect(name.startsWith(prefix), `${device} → ${name}`).toBe(true);
        taken.add(name);
      }
    }
  });

  it('keeps the names of a network apart: alice-laptop / alice-laptop-2, lab-pc-01 / lab-pc-02, and cut names', () => {
    const taken = new Set<string>();
    const take = (device: string): string => {
      const name = allocateConfigName(device, taken);
      taken.add(name);
      return name;
    };
    expect(take('alice-laptop')).toBe('alice_laptop');
    expect(take('alice-laptop-2')).toBe('alice_laptop_2');
    expect(take('lab-pc-01')).toBe('lab_pc_01');
    expect(take('lab-pc-02')).toBe('lab_pc_02');
    expect(take('Alice Laptop')).toBe('alice_laptop_3');
    expect(take('workstation-of-bob-1')).toBe('workstati_bob_1');
    expect(take('workstation-of-bob-2')).toBe('workstati_bob_2');
    const many = Array.from({ length: 120 }, () => take('workstation-of-bob-3'));
    expect(new Set(many).size).toBe(120);
    expect(many.slice(0, 2)).toEqual(['workstati_bob_3', 'workstation_3_2']);
    expect(many.at(-1)).toBe('workstati_3_120');
    // The repository reads only the live names with the stem's prefix: every candidate has it.
    const prefix = configNamePrefix(configNameStem('workstation-of-bob-3'));
    expect(prefix).toBe('workstat');
    for (const name of many) {
      expect(name.startsWith(prefix), name).toBe(true);
    }
  });

  it('never a Windows device name', () => {
    for (const device of ['con', 'CON', 'nul', 'Prn', 'aux', 'com1', 'LPT9', 'con.txt']) {
      const name = allocateConfigName(device, none);
      expect(isServableConfigName(name), name).toBe(true);
      expect(name).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/);
    }
    expect(allocateConfigName('con', none)).toBe('con_2');
    expect(allocateConfigName('con.txt', none)).toBe('con_txt');
  });

  it('falls back to "wg" when nothing usable is left', () => {
    expect(allocateConfigName('', none)).toBe('wg');
    expect(allocateConfigName('ノート', none)).toBe('wg');
    expect(allocateConfigName('..', new Set(['wg']))).toBe('wg_2');
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

  const SERVABLE = /^[a-z0-9_]{1,15}$/;

  it('always gives a name wg-quick, systemd and Windows take as it is', () => {
    const taken = new Set<string>();
    for (const device of odd) {
      for (let i = 0; i < 3; i++) {
        const name = allocateConfigName(device, taken);
        expect(name, JSON.stringify(device)).toMatch(SERVABLE);
        expect(`${name}.conf`).toMatch(WG_QUICK_FILE);
        expect(taken.has(name)).toBe(false);
        taken.add(name);
      }
    }
  });

  it('always gives a servable name for random strings', () => {
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pool = ['a', 'Z', '9', '_', '=', '+', '.', '-', ' ', '/', '\\', 'é', '😀', '\n', '\u0000', ':', '@', '中'];
    const random = (): string =>
      Array.from({ length: Math.floor(next() * 30) }, () => pool[Math.floor(next() * pool.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const device = random();
      const name = allocateConfigName(device, none);
      expect(isServableConfigName(name), JSON.stringify(device)).toBe(true);
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
