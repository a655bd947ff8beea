import { z } from 'zod';
import { hasControlCharacters } from '../domain/text/text';

const int = (min: number, max: number) => z.number().int().min(min).max(max);

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
    name: z.string().describe('Slug used in URLs and file names, e.g. "mupif".'),
    ipv4Cidr: z.string().describe('IPv4 range, /16 to /30, e.g. 172.22.2.0/24. Host .1 is the hub.'),
    ipv6Cidr: z.string().nullish().describe('Optional IPv6 range, e.g. fd4e:6fb7:b3af::/64. Host ::1 is the hub.'),
    endpoint: z.string().describe('host:port the nodes dial, e.g. hub.example.org:51820'),
    listenPort: int(1, 65535).optional().describe("The hub's UDP port (default: the endpoint's port)."),
    persistentKeepalive: int(0, 65535).optional().describe('Seconds; default 30, 0 turns it off.'),
    dns: z.array(z.string()).max(8).optional(),
    mtu: int(1280, 9000).optional(),
    allowedIps: z.array(z.string()).max(64).optional().describe("Handed to nodes; default: the network's own ranges."),
    hubPublicKey: z.string().optional().describe("The hub's public key, if known before its agent registers."),
    ...selfServiceFields,
  })
  .refine((v) => !Object.values(v).some((x) => typeof x === 'string' && hasControlCharacters(x)), {
    message: 'control characters are not allowed',
  });
export type CreateNetworkInput = z.infer<typeof CreateNetworkBody>;

export const UpdateNetworkBody = z.strictObject({
  quarantineDuplicates: z
    .boolean()
    .optional()
    .describe('Take a peer whose config is seen on two machines off the hub until an admin reissues it.'),
  ...selfServiceFields,
});
export type UpdateNetworkInput = z.infer<typeof UpdateNetworkBody>;

export const PutHubBody = z.strictObject({
  publicKey: z.string().describe("The hub's WireGuard public key (base64)."),
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
  selfService: z.boolean(),
  devicesPerUser: z.number(),
  revision: z.string().describe('Desired-state revision (a decimal string: it is a 64-bit counter).'),
  pool: z.object({ size: z.number(), leased: z.number(), free: z.number(), cooling: z.number() }).optional(),
  createdAt: z.string(),
});
export type NetworkView = z.infer<typeof NetworkView>;

export const NetworkList = z.object({ items: z.array(NetworkView) });
