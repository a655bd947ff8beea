import { Injectable } from '@nestjs/common';
import { AuditRepository, type AuditInput } from '../audit/audit.repository';
import { DomainError } from '../common/errors/domain-error';
import { postgresErrorCode, PrismaService, violatedConstraint, type Tx } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';

export type PeerStatus = 'pending' | 'active' | 'revoked' | 'expired';
export type Delivery = 'inline' | 'link';

export interface PeerRecord {
  id: string;
  networkId: string;
  name: string;
  ownerId: string;
  hostNumber: number;
  ipv4: string;
  ipv6: string | null;
  publicKey: string;
  presharedKeyEnc: Uint8Array<ArrayBuffer>;
  status: PeerStatus;
  delivery: string;
  claimExpiresAt: Date | null;
  servedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revision: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** What the service decides about a new peer once it knows the leased host number. */
export interface NewPeer {
  id: string;
  name: string;
  ownerId: string;
  ipv4: string;
  ipv6: string | null;
  publicKey: string;
  presharedKeyEnc: Uint8Array<ArrayBuffer>;
  privateKeyEnc: Uint8Array<ArrayBuffer> | null;
  status: 'pending' | 'active';
  delivery: Delivery;
  claimTokenHash: string | null;
  claimExpiresAt: Date | null;
  servedAt: Date | null;
  expiresAt: Date | null;
}

export type KeyMaterial = Pick<
  NewPeer,
  | 'publicKey'
  | 'presharedKeyEnc'
  | 'privateKeyEnc'
  | 'status'
  | 'delivery'
  | 'claimTokenHash'
  | 'claimExpiresAt'
  | 'servedAt'
>;

export type EnrollFailure = 'pool-exhausted' | 'address-unavailable' | 'enrollment-key-spent' | 'public-key-in-use';

export type EnrollResult =
  | { ok: true; peer: PeerRecord }
  | { ok: false; reason: EnrollFailure }
  | { ok: false; reason: 'idempotent-replay'; replay: IdempotentRecord };

/** An Idempotency-Key for an enrollment: per credential (scope), with the request's hash. */
export interface IdempotencyInput {
  scope: string;
  key: string;
  requestHash: string;
  ttlMs: number;
}

/** What an earlier request with the same key left: its request hash and the peer it made. */
export interface IdempotentRecord {
  requestHash: string;
  peerId: string;
}

/** A served claim: the peer as it is now, plus the private key the same statement wiped. */
export interface ServedClaim {
  peer: PeerRecord;
  privateKeyEnc: Uint8Array | null;
}

const PEER_FIELDS = {
  id: true,
  networkId: true,
  name: true,
  ownerId: true,
  hostNumber: true,
  ipv4: true,
  ipv6: true,
  publicKey: true,
  presharedKeyEnc: true,
  status: true,
  delivery: true,
  claimExpiresAt: true,
  servedAt: true,
  expiresAt: true,
  revokedAt: true,
  revision: true,
  createdAt: true,
  updatedAt: true,
} as const;

class Replay extends Error {
  constructor(readonly record: IdempotentRecord) {
    super('idempotent-replay');
  }
}

class Rollback extends Error {
  constructor(readonly reason: EnrollFailure) {
    super(reason);
  }
}

function failureOf(error: unknown): EnrollFailure | null {
  if (error instanceof Rollback) {
    return error.reason;
  }
  if (postgresErrorCode(error) === '23505' && violatedConstraint(error).includes('public_key')) {
    return 'public-key-in-use';
  }
  return null;
}

@Injectable()
export class PeersRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * Leases an address and creates the peer in one transaction. The address comes from the
   * network's pre-filled free-address table: the first free host at or after a random start,
   * locked with FOR UPDATE SKIP LOCKED so concurrent enrollments never wait on each other and
   * the cost does not grow with the number of leases. Unique indexes on live peers back it up
   * (invariant 1). The enrollment key's use is counted last, in the same transaction, so a
   * failed enrollment spends nothing and the key's row is locked only briefly.
   */
  async enroll(input: {
    networkId: string;
    pinnedHost: number | null;
    startHost: number;
    enrollmentKeyId: string | null;
    build: (host: number) => NewPeer;
    event: (peer: NewPeer, host: number) => AuditInput;
    /** With an Idempotency-Key: the peer's id is known before the lease (build() must use it). */
    idempotency?: IdempotencyInput & { peerId: string };
  }): Promise<EnrollResult> {
    try {
      const peer = await this.prisma.$transaction(async (tx) => {
        if (input.idempotency) {
          await this.claimIdempotencyKey(tx, input.idempotency);
        }
        const host = await this.takeAddress(tx, input.networkId, input.pinnedHost, input.startHost);
        const data = input.build(host);
        const peer = await tx.peer.create({
          data: { ...data, networkId: input.networkId, hostNumber: host, revision: 0n },
          select: PEER_FIELDS,
        });
        await tx.$executeRaw`INSERT INTO lease (id, network_id, peer_id, host_number, ipv4, ipv6, owner_id)
          VALUES (${data.id}::uuid, ${input.networkId}::uuid, ${data.id}::uuid, ${host}, ${data.ipv4}, ${data.ipv6}, ${data.ownerId})`;
        await this.audit.record(input.event(data, host), tx);
        if (input.enrollmentKeyId !== null) {
          const used = await tx.$executeRaw`UPDATE enrollment_key SET uses = uses + 1
            WHERE id = ${input.enrollmentKeyId}::uuid AND revoked_at IS NULL AND uses < max_uses
              AND (expires_at IS NULL OR expires_at > now())`;
          if (used === 0) {
            throw new Rollback('enrollment-key-spent');
          }
        }
        return peer;
      });
      return { ok: true, peer: peer as PeerRecord };
    } catch (error) {
      if (error instanceof Replay) {
        return { ok: false, reason: 'idempotent-replay', replay: error.record };
      }
      const reason = failureOf(error);
      if (reason === null) {
        throw error;
      }
      return { ok: false, reason };
    }
  }

  /**
   * First statement of an enrollment with an Idempotency-Key. The insert waits on the primary
   * key while another transaction holds the same (scope, key); once that one commits, the key is
   * taken and its record is returned as a Replay (this transaction did nothing yet); if it
   * rolled back, this one proceeds. An expired row is replaced.
   */
  private async claimIdempotencyKey(tx: Tx, k: IdempotencyInput & { peerId: string }): Promise<void> {
    await tx.$executeRaw`DELETE FROM idempotency_key WHERE scope = ${k.scope} AND key = ${k.key} AND expires_at <= now()`;
    const inserted = await tx.$executeRaw`INSERT INTO idempotency_key (scope, key, request_hash, peer_id, expires_at)
      VALUES (${k.scope}, ${k.key}, ${k.requestHash}, ${k.peerId}::uuid, now() + ${k.ttlMs} * interval '1 millisecond')
      ON CONFLICT (scope, key) DO NOTHING`;
    if (inserted === 1) {
      return;
    }
    const [row] = await tx.$queryRaw<{ request_hash: string; peer_id: string }[]>`SELECT request_hash, peer_id::text
      FROM idempotency_key WHERE scope = ${k.scope} AND key = ${k.key}`;
    if (row === undefined) {
      // Expired and pruned between the two statements (a race of milliseconds): ask for a retry.
      throw new DomainError(
        409,
        'idempotency-key-busy',
        'This Idempotency-Key changed meanwhile',
        'Send the request again.',
      );
    }
    throw new Replay({ requestHash: row.request_hash, peerId: row.peer_id });
  }

  /** Drops idempotency keys past their 24 h. */
  pruneIdempotencyKeys(): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM idempotency_key WHERE expires_at <= now()`;
  }

  private async takeAddress(tx: Tx, networkId: string, pinned: number | null, start: number): Promise<number> {
    if (pinned !== null) {
      const rows = await tx.$queryRaw<{ host_number: number }[]>`DELETE FROM free_address
        WHERE network_id = ${networkId}::uuid AND host_number = ${pinned} AND available_at <= now()
        RETURNING host_number`;
      if (rows.length === 0) {
        throw new Rollback('address-unavailable');
      }
      return pinned;
    }
    for (const range of [Prisma.sql`host_number >= ${start}`, Prisma.sql`host_number < ${start}`]) {
      const rows = await tx.$queryRaw<{ host_number: number }[]>`DELETE FROM free_address
        WHERE network_id = ${networkId}::uuid AND host_number = (
          SELECT host_number FROM free_address
          WHERE network_id = ${networkId}::uuid AND ${range} AND available_at <= now()
          ORDER BY host_number LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING host_number`;
      if (rows.length > 0) {
        return rows[0].host_number;
      }
    }
    throw new Rollback('pool-exhausted');
  }

  /**
   * Serve once (invariant 2): one guarded UPDATE marks the claim served and wipes the stored
   * private key; the CTE hands back the key it wiped. Concurrent claims queue on the row lock
   * and, once the first commits, find served_at set and get nothing.
   */
  async serveClaim(claimTokenHash: string, event: (peer: PeerRecord) => AuditInput): Promise<ServedClaim | null> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; private_key_enc: Uint8Array | null }[]>`
        WITH target AS (
          SELECT id, private_key_enc FROM peer WHERE claim_token_hash = ${claimTokenHash} FOR UPDATE
        )
        UPDATE peer p SET served_at = now(), private_key_enc = NULL, status = 'active', updated_at = now()
        FROM target t
        WHERE p.id = t.id AND p.status = 'pending' AND p.served_at IS NULL AND p.claim_expires_at > now()
        RETURNING p.id, t.private_key_enc`;
      if (rows.length === 0) {
        return null;
      }
      const peer = (await tx.peer.findUniqueOrThrow({ where: { id: rows[0].id }, select: PEER_FIELDS })) as PeerRecord;
      await this.audit.record(event(peer), tx);
      return { peer, privateKeyEnc: rows[0].private_key_enc };
    });
  }

  async findByClaimHash(claimTokenHash: string): Promise<PeerRecord | null> {
    return (await this.prisma.peer.findUnique({ where: { claimTokenHash }, select: PEER_FIELDS })) as PeerRecord | null;
  }

  async findById(id: string): Promise<PeerRecord | null> {
    return (await this.prisma.peer.findUnique({ where: { id }, select: PEER_FIELDS })) as PeerRecord | null;
  }

  async list(filter: {
    networkId: string;
    ownerId?: string;
    status?: PeerStatus;
    nameContains?: string;
    afterId?: string;
    limit: number;
  }): Promise<PeerRecord[]> {
    return (await this.prisma.peer.findMany({
      where: {
        networkId: filter.networkId,
        ...(filter.ownerId ? { ownerId: filter.ownerId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.nameContains ? { name: { contains: filter.nameContains, mode: 'insensitive' } } : {}),
        ...(filter.afterId ? { id: { gt: filter.afterId } } : {}),
      },
      orderBy: { id: 'asc' },
      take: filter.limit,
      select: PEER_FIELDS,
    })) as PeerRecord[];
  }

  /** New keys for a live peer; the old public key leaves the desired state in the same commit. */
  async rekey(id: string, material: KeyMaterial, event: AuditInput): Promise<EnrollResult | null> {
    try {
      const peer = await this.prisma.$transaction(async (tx) => {
        const rows = await tx.peer.updateManyAndReturn({
          where: { id, status: { in: ['pending', 'active'] } },
          // New keys: a new device as far as the hub can tell, so its handshake record and any
          // duplicate flag start over.
          data: {
            ...material,
            updatedAt: new Date(),
            flaggedAt: null,
            flagReason: null,
            quarantined: false,
            endpointHistory: [],
            endpoint: null,
            firstHandshakeAt: null,
            lastHandshakeAt: null,
          },
          select: PEER_FIELDS,
        });
        if (rows.length === 0) {
          return null;
        }
        await this.audit.record(event, tx);
        return rows[0] as PeerRecord;
      });
      return peer === null ? null : { ok: true, peer };
    } catch (error) {
      const reason = failureOf(error);
      if (reason === null) {
        throw error;
      }
      return { ok: false, reason };
    }
  }

  /** Revokes one live peer: off the desired state, key wiped, address into cool-down. */
  async revoke(id: string, cooldownMs: number, actor: string): Promise<boolean> {
    const done = await this.retire(
      Prisma.sql`SELECT id FROM peer WHERE id = ${id}::uuid AND status IN ('pending', 'active') FOR UPDATE`,
      'revoked',
      cooldownMs,
      actor,
      Prisma.sql`'revoked'`,
    );
    return done.length > 0;
  }

  /** Expires live peers past expiresAt and pending peers whose claim link ran out. */
  async expireDue(cooldownMs: number, batch = 500): Promise<string[]> {
    return this.retire(
      Prisma.sql`SELECT id FROM peer
        WHERE status IN ('pending', 'active')
          AND (expires_at <= now() OR (status = 'pending' AND claim_expires_at <= now()))
        ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED`,
      'expired',
      cooldownMs,
      'system',
      Prisma.sql`CASE WHEN upd.expires_at <= now() THEN 'expiresAt' ELSE 'claim-expired' END`,
    );
  }

  /**
   * One statement, so it is atomic and safe to run from several replicas at once: each peer
   * changes status once, so each release and audit event happens once.
   */
  private async retire(
    due: Prisma.Sql,
    status: 'revoked' | 'expired',
    cooldownMs: number,
    actor: string,
    reason: Prisma.Sql,
  ) {
    const rows = await this.prisma.$queryRaw<{ target_id: string }[]>`
      WITH due AS (${due}),
      upd AS (
        UPDATE peer p SET status = ${status}::peer_status, private_key_enc = NULL, updated_at = now(),
          revoked_at = CASE WHEN ${status} = 'revoked' THEN now() ELSE p.revoked_at END
        FROM due WHERE p.id = due.id
        RETURNING p.id, p.network_id, p.host_number, p.name, p.expires_at
      ),
      freed AS (
        INSERT INTO free_address (network_id, host_number, available_at)
        SELECT network_id, host_number, now() + make_interval(secs => ${cooldownMs / 1000}) FROM upd
      ),
      closed AS (
        UPDATE lease l SET released_at = now() FROM upd WHERE l.peer_id = upd.id AND l.released_at IS NULL
      )
      INSERT INTO audit_event (actor, action, network_id, target_type, target_id, details)
      SELECT ${actor}, ${`peer.${status}`}, upd.network_id, 'peer', upd.id::text,
        jsonb_build_object('name', upd.name, 'reason', ${reason})
      FROM upd
      RETURNING target_id`;
    return rows.map((r) => r.target_id);
  }

  async recordAudit(event: AuditInput): Promise<void> {
    await this.audit.record(event);
  }
}
