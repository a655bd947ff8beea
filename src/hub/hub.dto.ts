import { z } from 'zod';
import { KEY_PATTERN } from '../domain/keys/x25519';
import { APPLY_STATES } from '../domain/wg/apply-state';

const Key = z.string().regex(KEY_PATTERN, 'a WireGuard key (44 characters of base64)');

export const DesiredStateQuery = z.strictObject({
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(60)
    .default(0)
    .describe(
      'Long-poll: with If-None-Match equal to the current revision, wait up to this many seconds for a change.',
    ),
});
export type DesiredStateQueryInput = z.infer<typeof DesiredStateQuery>;

export const DesiredState = z.object({
  network: z.string(),
  revision: z.string().describe('Decimal; also the ETag ("<revision>")'),
  interface: z.object({
    addresses: z.array(z.string()),
    listenPort: z.number(),
    persistentKeepalive: z
      .number()
      .describe("The nodes' keepalive in seconds (0 = off): the agent's window for one config on two machines"),
  }),
  peers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      publicKey: z.string(),
      presharedKey: z.string(),
      allowedIps: z.array(z.string()),
    }),
  ),
});
export type DesiredState = z.infer<typeof DesiredState>;

export const HubStatusBody = z.strictObject({
  appliedRevision: z
    .string()
    .regex(/^\d{1,19}$/)
    .refine((v) => BigInt(v) <= 9_223_372_036_854_775_807n, 'at most 9223372036854775807 (a 64-bit revision)')
    .describe('The revision the agent applied last'),
  configSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('sha256 of the hub file it applied'),
  applyError: z.string().max(500).nullish().describe('Why the last apply failed, if it did'),
  notApplied: z
    .string()
    .max(500)
    .nullish()
    .describe(
      'Why the hub file was written but not applied to an interface (no wg tools, no interface, apply mode none); ' +
        'null or absent when wg applied it',
    ),
  peers: z
    .array(
      z.strictObject({
        publicKey: Key,
        endpoint: z.string().max(100).nullable(),
        latestHandshake: z.number().int().min(0).describe('Unix seconds; 0 = never'),
        rxBytes: z.number().int().min(0),
        txBytes: z.number().int().min(0),
        duplicateSuspected: z
          .strictObject({
            sourceHosts: z
              .array(z.string().regex(/^[0-9A-Za-z:.%_-]{1,64}$/, 'an IP address'))
              .min(2)
              .max(16),
          })
          .optional()
          .describe(
            'The agent saw this key alternate between these source hosts (A → B → A, at least 3 switches within ' +
              'max(2 min, 4 × keepalive)), sampling the endpoints every 200 ms (less often on a big interface): the server flags the peer.',
          ),
      }),
    )
    .max(100_000)
    .describe('What `wg show <interface> dump` says, per peer'),
});
export type HubStatusInput = z.infer<typeof HubStatusBody>;

export const NetworkStatusQuery = z.strictObject({
  name: z.string().max(64).optional().describe('Case-insensitive substring of the name.'),
  online: z.enum(['true', 'false']).optional(),
  flagged: z.enum(['true', 'false']).optional(),
  expiring: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: only peers whose expiry is within the next 7 days; false: only the others'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type NetworkStatusQueryInput = z.infer<typeof NetworkStatusQuery>;

const PeerStatusView = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.string().describe('Who enrolled it: "user:<id>", "token:<id>" or "enrollment-key:<id>".'),
  ownerPerson: z
    .object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() })
    .nullable()
    .describe('The person behind a "user:<id>" owner, by e-mail and name (null for tokens and enrollment keys).'),
  ipv4: z.string(),
  ipv6: z.string().nullable(),
  publicKey: z.string(),
  online: z.boolean().describe('A handshake within the last 3 minutes'),
  deployed: z.boolean().describe('Has made a first handshake'),
  firstHandshakeAt: z.string().nullable(),
  lastHandshakeAt: z.string().nullable(),
  endpoint: z.string().nullable(),
  rxBytes: z.string(),
  txBytes: z.string(),
  flagged: z.boolean().describe('Its config seems to run on two machines'),
  flagReason: z.string().nullable(),
  quarantined: z.boolean(),
  expiresAt: z.string().nullable(),
  expiringSoon: z.boolean().describe('Its expiry is within the next 7 days'),
  settingsRevision: z.string().nullable().describe("The network's settingsRevision its config was rendered with"),
  olderSettings: z
    .boolean()
    .describe("Its config was served before the network's settings last changed: reissue it to hand out the new ones"),
});

export const NetworkStatus = z.object({
  network: z.string(),
  hub: z.object({
    publicKey: z.string().nullable(),
    listenPort: z.number(),
    agentLastSeenAt: z.string().nullable(),
    agentHealthy: z.boolean(),
    desiredRevision: z.string(),
    appliedRevision: z.string().nullable(),
    inSync: z.boolean().describe("The agent's hub file is at the desired revision (applyState says if wg has it)"),
    configSha256: z.string().nullable(),
    applyState: z
      .enum(APPLY_STATES)
      .nullable()
      .describe(
        'applied: the interface has the file; not-applied: the file is written but not applied (see applyProblem); ' +
          'failed: wg refused it and the interface keeps its previous state; null: no report yet',
      ),
    applyProblem: z.string().nullable().describe('Why it is not applied or failed, as the agent said'),
  }),
  pool: z.object({ size: z.number(), leased: z.number(), free: z.number(), cooling: z.number() }),
  settingsRevision: z.string().describe("The network's settings revision (PATCH /v1/networks/{network} bumps it)"),
  peers: z.object({
    active: z.number(),
    online: z.number(),
    flagged: z.number(),
    expiringSoon: z.number(),
    olderSettings: z
      .number()
      .describe("Active peers whose config was served with older settings than the network's (see olderSettings)"),
  }),
  items: z.array(PeerStatusView),
  nextCursor: z.string().nullable(),
});
export type NetworkStatus = z.infer<typeof NetworkStatus>;
