import { describe, expect, it } from 'vitest';
import { insertPrivateKey, PRIVATE_KEY_PLACEHOLDER, renderPeerConfig, type PeerConfigInput } from './peer-config';

const PRIVATE_KEY = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
const HUB_PUBLIC_KEY = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
const PRESHARED_KEY = 'E0fo5ZLBbHF7R1CxuvqM0kCTAQv8ftX1Mh3crsO0uS8=';

const BASE: PeerConfigInput = {
  privateKey: PRIVATE_KEY,
  addresses: ['172.22.2.13/24', 'fd4e:6fb7:b3af::d/64'],
  dns: [],
  mtu: null,
  hubPublicKey: HUB_PUBLIC_KEY,
  presharedKey: PRESHARED_KEY,
  endpoint: 'hub.example.org:51820',
  allowedIps: ['172.22.2.0/24', 'fd4e:6fb7:b3af::/64'],
  persistentKeepalive: 30,
  hubAddresses: [],
};

describe('renderPeerConfig', () => {
  it('renders the seed format', () => {
    expect(renderPeerConfig(BASE)).toBe(
      `[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 172.22.2.13/24, fd4e:6fb7:b3af::d/64

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
PresharedKey = E0fo5ZLBbHF7R1CxuvqM0kCTAQv8ftX1Mh3crsO0uS8=
Endpoint = hub.example.org:51820
AllowedIPs = 172.22.2.0/24, fd4e:6fb7:b3af::/64
PersistentKeepalive = 30
`,
    );
  });

  it('adds DNS and MTU lines, in that order, only when given', () => {
    expect(renderPeerConfig({ ...BASE, dns: ['172.22.2.1', 'vpn.example.org'], mtu: 1420 })).toBe(
      `[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 172.22.2.13/24, fd4e:6fb7:b3af::d/64
DNS = 172.22.2.1, vpn.example.org
MTU = 1420

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
PresharedKey = E0fo5ZLBbHF7R1CxuvqM0kCTAQv8ftX1Mh3crsO0uS8=
Endpoint = hub.example.org:51820
AllowedIPs = 172.22.2.0/24, fd4e:6fb7:b3af::/64
PersistentKeepalive = 30
`,
    );
    expect(renderPeerConfig({ ...BASE, dns: ['1.1.1.1'] })).toContain(
      'Address = 172.22.2.13/24, fd4e:6fb7:b3af::d/64\nDNS = 1.1.1.1\n\n[Peer]',
    );
    expect(renderPeerConfig({ ...BASE, mtu: 1280 })).toContain(
      'Address = 172.22.2.13/24, fd4e:6fb7:b3af::d/64\nMTU = 1280\n\n[Peer]',
    );
    expect(renderPeerConfig(BASE)).not.toMatch(/^(DNS|MTU) =/m);
  });

  it('writes a PrivateKey line that holds no key when the node keeps its own key', () => {
    expect(renderPeerConfig({ ...BASE, privateKey: null })).toBe(
      `[Interface]
PrivateKey = <the private key that belongs to the public key you sent>
Address = 172.22.2.13/24, fd4e:6fb7:b3af::d/64

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
PresharedKey = E0fo5ZLBbHF7R1CxuvqM0kCTAQv8ftX1Mh3crsO0uS8=
Endpoint = hub.example.org:51820
AllowedIPs = 172.22.2.0/24, fd4e:6fb7:b3af::/64
PersistentKeepalive = 30
`,
    );
    // A line, not a comment (so every parser reads it), whose value is no WireGuard key.
    const text = renderPeerConfig({ ...BASE, privateKey: null });
    expect(text.match(/^PrivateKey = .*$/gm)).toEqual([PRIVATE_KEY_PLACEHOLDER]);
    expect(PRIVATE_KEY_PLACEHOLDER).not.toContain('#');
    expect(text).not.toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
  });

  it('omits PersistentKeepalive when it is 0 and prints other values as given', () => {
    const off = renderPeerConfig({ ...BASE, persistentKeepalive: 0 });
    expect(off).not.toContain('PersistentKeepalive');
    expect(off.endsWith('AllowedIPs = 172.22.2.0/24, fd4e:6fb7:b3af::/64\n')).toBe(true);
    expect(renderPeerConfig({ ...BASE, persistentKeepalive: 25 })).toContain('\nPersistentKeepalive = 25\n');
  });

  it('renders an IPv4-only network with a bracketed IPv6 endpoint', () => {
    expect(
      renderPeerConfig({
        ...BASE,
        addresses: ['10.8.0.2/30'],
        allowedIps: ['10.8.0.0/30'],
        endpoint: '[2001:db8::1]:443',
        persistentKeepalive: 0,
      }),
    ).toBe(
      `[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 10.8.0.2/30

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
PresharedKey = E0fo5ZLBbHF7R1CxuvqM0kCTAQv8ftX1Mh3crsO0uS8=
Endpoint = [2001:db8::1]:443
AllowedIPs = 10.8.0.0/30
`,
    );
  });

  it("ends with the hub's tunnel addresses as a comment and the address to ping", () => {
    const text = renderPeerConfig({ ...BASE, hubAddresses: ['10.60.0.1', 'fd00:60::1'] });
    expect(
      text.endsWith(
        'PersistentKeepalive = 30\n\n# The hub in the tunnel: 10.60.0.1, fd00:60::1. Check the tunnel with: ping 10.60.0.1\n',
      ),
    ).toBe(true);
  });

  it('uses LF line endings only and ends with exactly one newline', () => {
    const text = renderPeerConfig({ ...BASE, dns: ['1.1.1.1'], mtu: 1420 });
    expect(text).not.toContain('\r');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    expect(text.split('\n\n')).toHaveLength(2);
  });
});

describe('insertPrivateKey', () => {
  const withoutKey = renderPeerConfig({ ...BASE, privateKey: null });

  it('replaces the placeholder line, giving what the server renders with the key', () => {
    expect(withoutKey).toContain(PRIVATE_KEY_PLACEHOLDER);
    expect(insertPrivateKey(withoutKey, PRIVATE_KEY)).toBe(renderPeerConfig(BASE));
  });

  it('refuses a malformed key, a config without a placeholder and one that already has a key', () => {
    expect(() => insertPrivateKey(withoutKey, 'not-a-key')).toThrow(/private key/);
    expect(() => insertPrivateKey(withoutKey, `${PRIVATE_KEY}\nDNS = 1.1.1.1`)).toThrow(/private key/);
    expect(() => insertPrivateKey(renderPeerConfig(BASE), PRIVATE_KEY)).toThrow(/placeholder/);
    expect(() => insertPrivateKey(`${withoutKey}${PRIVATE_KEY_PLACEHOLDER}\n`, PRIVATE_KEY)).toThrow(/placeholder/);
    expect(() => insertPrivateKey(`${withoutKey}PrivateKey = ${PRIVATE_KEY}\n`, PRIVATE_KEY)).toThrow(/placeholder/);
  });
});
