import { z } from 'zod';
import { checkedSpelling, FutureDateTime } from '../common/http/zod';
import { KEY_PATTERN } from '../domain/keys/key-pattern';
import { DELIVERIES, PEER_STATUSES } from '../domain/peer/lifecycle';
import { hasControlCharacters, hasFormatCharacters } from '../domain/text/text';

export const PeerName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .refine((v) => !hasControlCharacters(v), 'must not contain control characters (such as newlines)')
  .refine((v) => !hasFormatCharacters(v), 'must not contain invisible characters (bidi overrides, zero-width)');

const Delivery = z.enum(DELIVERIES);

export const EnrollBody = z.strictObject({
  name: PeerName.describe('Device name, shown to admins and in the hub config comment.'),
  publicKey: checkedSpelling(KEY_PATTERN)
    .optional()
    .describe('Your own X25519 public key (base64). Omit it and the server makes the key pair.'),
  delivery: Delivery.default('inline').describe('inline: config in this response; link: a one-time claim link.'),
  address: z.string().optional().describe('Admin only: pin this free IPv4 address of the network.'),
  expiresAt: FutureDateTime.optional().describe('The peer leaves the hub at this time.'),
});
export type EnrollInput = z.infer<typeof EnrollBody>;

export const ReissueBody = z.strictObject({
  publicKey: checkedSpelling(KEY_PATTERN)
    .optional()
    .describe('Your own new X25519 public key (base64). Omit it and the server makes the key pair.'),
  delivery: Delivery.default('inline'),
});
export type ReissueInput = z.infer<typeof ReissueBody>;

export const RenamePeerBody = z.strictObject({
  name: PeerName.describe(
    'The new device name (lists, audit log, hub config comment). The served file name stays the one given at enrollment.',
  ),
});
export type RenamePeerInput = z.infer<typeof RenamePeerBody>;

export const ListPeersQuery = z.strictObject({
  status: z.enum(PEER_STATUSES).optional(),
  name: z.string().max(64).optional().describe('Case-insensitive substring of the name.'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListPeersInput = z.infer<typeof ListPeersQuery>;

export const OwnerPerson = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
});
export type OwnerPerson = z.infer<typeof OwnerPerson>;

export const PeerView = z.object({
  id: z.string(),
  network: z.string(),
  name: z.string(),
  owner: z.string(),
  ownerPerson: OwnerPerson.nullable()
    .optional()
    .describe(
      'Admins only: the person behind a "user:<id>" owner, by e-mail and name (null: a token or enrollment key owns it).',
    ),
  status: z.enum(PEER_STATUSES),
  ipv4: z.string(),
  ipv6: z.string().nullable(),
  addresses: z.array(z.string()),
  publicKey: z.string(),
  delivery: z.enum(DELIVERIES),
  createdAt: z.string(),
  servedAt: z.string().nullable(),
  claimExpiresAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  settingsRevision: z
    .string()
    .nullable()
    .describe(
      "The network's settingsRevision its served config was rendered with (null: not served yet); below the " +
        "network's: the device runs older settings until it is reissued.",
    ),
  revision: z
    .string()
    .nullable()
    .describe(
      'Desired-state revision at which this peer last changed on the hub; null while that change waits for its revision (stamped right after the commit, within a second).',
    ),
});
export type PeerView = z.infer<typeof PeerView>;

export const MyDevice = PeerView.extend({
  lastHandshakeAt: z.string().nullable(),
  online: z.boolean().describe('A handshake within the online window (3 minutes).'),
});
export type MyDevice = z.infer<typeof MyDevice>;
export const MyDeviceList = z.object({ items: z.array(MyDevice) });

export const ConfigView = z.object({
  filename: z.string().describe('A file name wg-quick accepts (interface name ≤ 15 characters).'),
  text: z.string().describe('The wg-quick config. Shown once.'),
  privateKeyIncluded: z
    .boolean()
    .describe(
      'false when you sent your own publicKey: the PrivateKey line then holds a placeholder that wg-quick, wg and the ' +
        'WireGuard apps refuse, until you replace it with the private key of that public key.',
    ),
  hubAddresses: z
    .array(z.string())
    .describe("The hub's addresses in the tunnel (also a comment in the text): ping one to check the tunnel."),
});
export type ConfigView = z.infer<typeof ConfigView>;

export const HubApplied = z
  .object({
    applied: z
      .boolean()
      .describe(
        'True when the hub agent reported an applied revision that includes the peer before this answer (waited for up to HUB_APPLY_WAIT while an agent reports): a tunnel brought up now gets its first handshake.',
      ),
    revision: z
      .string()
      .nullable()
      .describe(
        'The desired-state revision that put the peer on the hub, when the answer waited for it; null without a wait (HUB_APPLY_WAIT=0, no agent reporting, a claim link not redeemed).',
      ),
  })
  .describe('Whether the hub has the peer. Also in the Hub-Applied header (true or false).');
export type HubApplied = z.infer<typeof HubApplied>;

export const EnrollResponse = z.object({
  peer: PeerView,
  config: ConfigView.optional(),
  claim: z.object({ url: z.string(), expiresAt: z.string() }).optional(),
  hub: HubApplied,
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

export const PeerList = z.object({ items: z.array(PeerView), nextCursor: z.string().nullable() });

export const ClaimResponse = z.object({ peer: PeerView, config: ConfigView, hub: HubApplied });
