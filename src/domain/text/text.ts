import { parseIpv6 } from '../ipam/cidr';

/**
 * Text that ends up in a WireGuard config file (names, endpoints, DNS entries) must stay on its
 * line: control characters (C0, DEL, C1) and Unicode line/paragraph separators are refused.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/** Network names are slugs: they appear in URLs and file names. */
export const NETWORK_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** host:port, where host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
export const ENDPOINT_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

export function isValidEndpoint(text: string): boolean {
  const match = ENDPOINT_PATTERN.exec(text);
  if (match === null || Number(match[1]) < 1 || Number(match[1]) > 65535) {
    return false;
  }
  if (text.startsWith('[')) {
    try {
      parseIpv6(text.slice(1, text.indexOf(']')));
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * wg-quick takes the interface name from the file name: at most 15 characters of
 * [a-zA-Z0-9_=+.-]. The served file is "<network>-<device>" cut to fit, so `wg-quick up` works
 * on it as it is.
 */
export function configFileName(network: string, device: string): string {
  const clean = (s: string): string => s.replace(/[^a-zA-Z0-9_=+.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  const base = [clean(network), clean(device)]
    .filter(Boolean)
    .join('-')
    .slice(0, 15)
    .replace(/[-.]+$/, '');
  return `${base || 'wg0'}.conf`;
}

/** False for text with a lone UTF-16 surrogate (not Unicode; Postgres cannot store it). */
export function isWellFormedText(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/**
 * Invisible format characters (Unicode category Cf): bidi overrides and isolates, zero-width
 * spaces and joiners, the BOM. In a name they make two names look alike or reorder what an
 * admin reads, so names for people refuse them.
 */
export function hasFormatCharacters(text: string): boolean {
  return /\p{Cf}/u.test(text);
}

/** A host name (RFC 1123 labels; the last label not all digits, so it cannot pose as an address). */
const HOST_NAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isHostName(text: string): boolean {
  return HOST_NAME.test(text) && !/^\d+$/.test(text.slice(text.lastIndexOf('.') + 1));
}
