import { describe, expect, it } from 'vitest';
import { commentSafe, renderHubConfig } from './hub-config';

describe('renderHubConfig', () => {
  it('renders the interface and one commented [Peer] per peer', () => {
    const text = renderHubConfig({
      privateKey: 'cHJpdmF0ZS1rZXktcHJpdmF0ZS1rZXktcHJpdmF0ZTE=',
      addresses: ['172.22.2.1/24', 'fd4e:6fb7:b3af::1/64'],
      listenPort: 51820,
      network: 'mupif',
      revision: '42',
      peers: [
        {
          name: 'node a',
          publicKey: 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=',
          presharedKey: 'cHNrLXBzay1wc2stcHNrLXBzay1wc2stcHNrLXBzazE=',
          allowedIps: ['172.22.2.13/32', 'fd4e:6fb7:b3af::d/128'],
        },
      ],
    });
    expect(text).toBe(
      [
        '# Written by the wg-enroll hub agent for network "mupif", revision 42.',
        '# Do not edit: the next change of the desired state replaces this file.',
        '[Interface]',
        'PrivateKey = cHJpdmF0ZS1rZXktcHJpdmF0ZS1rZXktcHJpdmF0ZTE=',
        'Address = 172.22.2.1/24, fd4e:6fb7:b3af::1/64',
        'ListenPort = 51820',
        '',
        '# node a',
        '[Peer]',
        'PublicKey = HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=',
        'PresharedKey = cHNrLXBzay1wc2stcHNrLXBzay1wc2stcHNrLXBzazE=',
        'AllowedIPs = 172.22.2.13/32, fd4e:6fb7:b3af::d/128',
        '',
      ].join('\n'),
    );
  });

  it('keeps every peer name on its comment line', () => {
    expect(commentSafe('evil\n[Peer]\nPublicKey = x')).toBe('evil [Peer] PublicKey = x');
    expect(commentSafe('a\u2028b\u0085c')).toBe('a b c');
    expect(commentSafe('   ')).toBe('(unnamed)');
    expect(commentSafe('x'.repeat(100))).toHaveLength(64);
    // Names already safe come back as they are; anything else takes the cleaning path.
    expect(commentSafe('laptop of Ana (2)')).toBe('laptop of Ana (2)');
    expect(commentSafe('trailing ')).toBe('trailing');
    expect(commentSafe(' leading')).toBe('leading');
    expect(commentSafe('two  spaces')).toBe('two spaces');
    expect(commentSafe('tab\there')).toBe('tab here');
    expect(commentSafe('ünïcode ok')).toBe('ünïcode ok');
    expect(commentSafe(`${'y'.repeat(63)} z`)).toBe(`${'y'.repeat(63)} `);
    expect(commentSafe('')).toBe('(unnamed)');
  });
});
