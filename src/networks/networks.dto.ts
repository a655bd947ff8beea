import { z } from 'zod';
import { checkedSpelling } from '../common/http/zod';
import { IPV4_CIDR_PATTERN, IPV6_CIDR_PATTERN } from '../domain/ipam/cidr';
import { KEY_PATTERN } from '../domain/keys/key-pattern';
import { ENDPOINT_PATTERN, hasControlCharacters, NETWORK_NAME_PATTERN } from '../domain/text/text';

/** Either kind of range (AllowedIPs), from the two patterns the parsers check. */
const CIDR_PATTERN = new RegExp(`${IPV4_CIDR_PATTERN.source}|${IPV6_CIDR_PATTERN.source}`);

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** The settings a served config carries: the same checks on POST and PATCH. */
const settingFields = {
  endpoint: checkedSpelling(ENDPOINT_PATTERN).describe('host:port the nodes dial, e.g. hub.example.org:51820'),
  persistentKeepalive: int(0, 65535).describe('Seconds; default 30, 0 turns it off.'),
  dns: z.array(z.string()).max(8),
  mtu: int(1280, 9000),
  allowedIps: z
    .array(checkedSpelling(CIDR_PATTERN))
    .max(64)
    .describe("Handed to nodes; default: the network's own ranges."),
};

const noControlCharacters = (v: Record<string, unknown>) =>
  !Object.values(v).some((x) => typeof x === 'string' && hasControlCharacters(x));

/** Self-service: signed-in people enroll their own devices (up to devicesPerUser each). */
const selfServiceFields = {
  selfService: z
    .boolean()
    .optional()
    .describe('Let signed-in people (OpenID Connect) enroll their own devices here. Default false.'),
  devicesPerUser: int(1, 1000).optional().describe('How many live devices one person may have here. Default 5.'),
};

export const CreateNetworkBody = z
  .strictObject({
    name: checkedSpelling(NETWORK_NAME_PATTERN).describe('Slug used in URLs and file names, e.g. "mupif".'),
    ipv4Cidr: checkedSpelling(IPV4_CIDR_PATTERN).describe(
      'IPv4 range, /16 to /30, e.g. 172.22.2.0/24. Host .1 is the hub.',
    ),
    ipv6Cidr: checkedSpelling(IPV6_CIDR_PATTERN)
      .nullish()
      .describe('Optional IPv6 range, e.g. fd4e:6fb7:b3af::/64. Host ::1 is the hub.'),
    endpoint: settingFields.endpoint,
    listenPort: int(1, 65535).optional().describe("The hub's UDP port (default: the endpoint's port)."),
    persistentKeepalive: settingFields.persistentKeepalive.optional(),
    dns: settingFields.dns.optional(),
    mtu: settingFields.mtu.optional(),
    allowedIps: settingFields.allowedIps.optional(),
    hubPublicKey: checkedSpelling(KEY_PATTERN)
      .optional()
      .describe("The hub's public key, if known before its agent registers."),
    ...selfServiceFields,
  })
  .refine(noControlCharacters, { message: 'control characters are not allowed' });
export type CreateNetworkInput = z.infer<typeof CreateNetworkBody>;

export const UpdateNetworkBody = z
  .strictObject({
    quarantineDuplicates: z
      .boolean()
      .optional()
      .describe('Take a peer whose config is seen on two machines off the hub until an admin reissues it.'),
    endpoint: settingFields.endpoint.optional(),
    persistentKeepalive: settingFields.persistentKeepalive.optional(),
    dns: settingFields.dns.optional().describe('[] removes the DNS line.'),
    mtu: settingFields.mtu.nullable().optional().describe('null removes the MTU line.'),
    allowedIps: settingFields.allowedIps.optional().describe("[] goes back to the network's own ranges."),
    ...selfServiceFields,
  })
  .refine(noControlCharacters, { message: 'control characters are not allowed' })
  .describe(
    'A change of endpoint, dns, mtu, persistentKeepalive or allowedIps bumps settingsRevision; configs served before ' +
      'keep their old values (the status shows those peers) until they are reissued. The address ranges, the name ' +
      'and the hub key and port cannot be changed here (setting-not-changeable).',
  );
export type UpdateNetworkInput = z.infer<typeof UpdateNetworkBody>;

export const PutHubBody = z.strictObject({
  publicKey: checkedSpelling(KEY_PATTERN).describe("The hub's WireGuard public key (base64)."),
  listenPort: int(1, 65535).optional(),
  replaceKey: z
    .boolean()
    .optional()
    .describe('Admin only: allow replacing an existing, different hub key (cuts every node off until re-enrolled).'),
});
export type PutHubInput = z.infer<typeof PutHubBody>;

export const NetworkView = z.object({
  id: z.string(),
  name: z.string(),
  ipv4Cidr: z.string(),
  ipv6Cidr: z.string().nullable(),
  hubAddresses: z.array(z.string()),
  endpoint: z.string(),
  listenPort: z.number(),
  persistentKeepalive: z.number(),
  dns: z.array(z.string()),
  mtu: z.number().nullable(),
  allowedIps: z.array(z.string()),
  hubPublicKey: z.string().nullable(),
  quarantineDuplicates: z.boolean(),
  settingsRevision: z
    .string()
    .describe('Bumped by every change of the settings a served config carries (a decimal string).'),
  selfService: z.boolean(),
  devicesPerUser: z.number(),
  revision: z.string().describe('Desired-state revision (a decimal string: it is a 64-bit counter).'),
  pool: z.object({ size: z.number(), leased: z.number(), free: z.number(), cooling: z.number() }).optional(),
  createdAt: z.string(),
});
export type NetworkView = z.infer<typeof NetworkView>;

export const NetworkList = z.object({ items: z.array(NetworkView) });
