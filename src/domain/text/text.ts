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
 * A served config's file name is `<name>.conf`, and `<name>` must work everywhere the file goes:
 * - wg-quick takes the interface name from it: at most 15 characters of [a-zA-Z0-9_=+.-];
 * - systemd's `wg-quick@<name>` must not need escaping: `systemd-escape` changes "-", "=", "+"
 *   (to \x2d, \x3d, \x2b) and a leading ".", so those are out;
 * - the Windows app refuses device names (con, prn, aux, nul, com0-9, lpt0-9, also before a
 *   dot), and Windows file names ignore case, so names are lower case without dots.
 * That leaves [a-z0-9_]: the device's name first (accents dropped, other runs of characters as
 * one "_"), cut to 15, and unique among a network's live peers by a "_2", "_3", … suffix.
 * A name too long for 15 keeps its end where the end is what tells devices apart (the last
 * words, up to 6 characters, that hold a digit): "hpc-cluster-node-017" → "hpc_cluster_017",
 * not "hpc_cluster_nod" for every node of the cluster (which would also make each of them take
 * the slow, serialised path for a taken name).
 */
export const CONFIG_NAME_MAX = 15;
/** The characters of the start that every name of a device keeps (see fitConfigName). */
const CONFIG_NAME_PREFIX = CONFIG_NAME_MAX - 7;
const CONFIG_NAME = /^[a-z0-9_]{1,15}$/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/** The device's name in [a-z0-9_] (accents dropped, other runs of characters as one "_"), uncut. */
function normalizedName(device: string): string {
  const name = device
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return name === '' ? 'wg' : name;
}

/**
 * The name fitted to 15 characters with `suffix` at its end. When it must be cut, the last words
 * that hold a digit are kept (as many as fit while at least CONFIG_NAME_PREFIX characters of the
 * start stay, so configNamePrefix still covers every name the device can get); otherwise the
 * end is cut off.
 */
function fitConfigName(name: string, suffix: string): string {
  const room = CONFIG_NAME_MAX - suffix.length;
  if (name.length <= room) {
    return `${name}${suffix}`;
  }
  const words = name.split('_');
  const tailRoom = room - 1 - CONFIG_NAME_PREFIX;
  let tail = '';
  for (let i = words.length - 1; i > 0; i--) {
    const candidate = words.slice(i).join('_');
    if (candidate.length > tailRoom) {
      break;
    }
    if (/[0-9]/.test(candidate)) {
      tail = candidate;
    }
  }
  if (tail !== '') {
    return `${name.slice(0, room - 1 - tail.length).replace(/_+$/, '')}_${tail}${suffix}`;
  }
  return `${name.slice(0, room).replace(/_+$/, '')}${suffix}`;
}

/** The readable part of a device's config name, before any suffix. */
export function configNameStem(device: string): string {
  return fitConfigName(normalizedName(device), '');
}

/** True for a name this service would serve (see above). */
export function isServableConfigName(name: string): boolean {
  return CONFIG_NAME.test(name) && !WINDOWS_RESERVED.test(name);
}

/**
 * Every name a live peer with this stem could have starts with this prefix (the longest
 * suffix, "_99999", leaves 8 characters of the start): the repository reads only those.
 */
export function configNamePrefix(stem: string): string {
  return stem.slice(0, CONFIG_NAME_PREFIX);
}

/** The first of stem, stem_2, stem_3, … (fitted to 15) that is servable and not taken. */
export function allocateConfigName(device: string, taken: ReadonlySet<string>): string {
  const full = normalizedName(device);
  for (let n = 1; n < 100_000; n++) {
    const name = fitConfigName(full, n === 1 ? '' : `_${n}`);
    if (isServableConfigName(name) && !taken.has(name)) {
      return name;
    }
  }
  throw new Error('no free config name');
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
