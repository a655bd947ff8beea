import { Injectable } from '@nestjs/common';
import { AuditRepository, type AuditInput } from '../audit/audit.repository';
import {
  postgresErrorCode,
  PrismaService,
  UNIQUE_VIOLATION,
  violatedConstraint,
  type Tx,
} from '../database/prisma.service';
import { LIVE_STATUSES, type Delivery, type LiveStatus } from '../domain/peer/lifecycle';
import { peerAddresses, type NetworkSpec } from '../domain/network/network-spec';
import { DomainError, Problems } from '../domain/problems/problems';
import { allocateConfigName, configNamePrefix, configNameStem } from '../domain/text/text';
import { IpamRepository } from '../ipam/ipam.repository';
import { PEER_FIELDS, type PeerRecord } from '../peers/peers.repository';

/** The keys and delivery of a new or reissued peer, decided by the service. */
export interface KeyMaterial {
  publicKey: string;
  presharedKeyEnc: Uint8Array<ArrayBuffer>;
  privateKeyEnc: Uint8Array<ArrayBuffer> | null;
  status: LiveStatus;
  delivery: Delivery;
  claimTokenHash: string | null;
  claimExpiresAt: Date | null;
  servedAt: Date | null;
  /** The network's settings revision of the config served now (null: served later, by its claim). */
  settingsRevision: bigint | null;
}

/** Everything about a new peer except its address, which the lease decides. */
export interface PeerDraft extends KeyMaterial {
  id: string;
  name: string;
  ownerId: string;
  expiresAt: Date | null;
}

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

export interface EnrollCommand {
  network: Pick<NetworkSpec, 'ipv4Cidr' | 'ipv6Cidr'> & { id: string };
  pinnedHost: number | null;
  startHost: number;
  enrollmentKeyId: string | null;
  peer: PeerDraft;
  /** A self-service enrollment: at most this many live peers of this owner in the network. */
  deviceLimit?: number;
  /** The audit event; the leased addresses are added to its details. */
  event: AuditInput & { details: Record<string, unknown> };
  idempotency?: IdempotencyInput;
}

export type Enrolled = { kind: 'created'; peer: PeerRecord } | { kind: 'replay'; record: IdempotentRecord };

/** Two enrollments chose the same file name at once: the later one runs again. */
function configNameTaken(error: unknown): boolean {
  return postgresErrorCode(error) === UNIQUE_VIOLATION && violatedConstraint(error).includes('config_name');
}

/** How often an enrollment runs again after finding its file name taken. */
const CONFIG_NAME_ATTEMPTS = 5;

/** A second live peer with the same public key breaks a unique index: that is public-key-in-use. */
function publicKeyInUse(error: unknown): boolean {
  return postgresErrorCode(error) === UNIQUE_VIOLATION && violatedConstraint(error).includes('public_key');
}

/**
 * The key is in wg_key already and no live peer holds it (that is the peer index, checked
 * first): the hub holds it, set by a transaction that raced this one past the service's check.
 */
function publicKeyIsHubKey(error: unknown): boolean {
  return postgresErrorCode(error) === UNIQUE_VIOLATION && violatedConstraint(error).startsWith('wg_key');
}

/** The catalogue error behind a refused peer key, or the error itself. */
function keyProblem(error: unknown): unknown {
  if (publicKeyIsHubKey(error)) {
    return Problems.publicKeyIsHubKey();
  }
  return publicKeyInUse(error) ? Problems.publicKeyInUse() : error;
}

class Replay extends Error {
  constructor(readonly record: IdempotentRecord) {
    super('idempotent-replay');
  }
}

@Injectable()
export class EnrollmentRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly ipam: IpamRepository,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * Leases an address and creates the peer in one transaction (invariant 1: the lease comes
   * from IpamRepository.take, unique indexes on live peers back it up). The enrollment key's
   * use is counted last, in the same transaction, so a failed enrollment spends nothing and the
   * key's row is locked only briefly. Failures are DomainErrors (nothing is kept); a retry with
   * a known Idempotency-Key gives the earlier record back instead.
   */
  async enroll(command: EnrollCommand): Promise<Enrolled> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.enrollOnce(command, attempt > 1);
      } catch (error) {
        if (!configNameTaken(error) || attempt >= CONFIG_NAME_ATTEMPTS) {
          throw error;
        }
      }
    }
  }

  private async enrollOnce(command: EnrollCommand, nameTaken: boolean): Promise<Enrolled> {
    try {
      const peer = await this.prisma.$transaction(async (tx) => {
        if (command.idempotency) {
          await this.claimIdempotencyKey(tx, command.idempotency, command.peer.id);
        }
        const networkId = command.network.id;
        if (command.deviceLimit !== undefined) {
          await this.refuseOverLimit(tx, networkId, command.peer.ownerId, command.deviceLimit);
        }
        const hostNumber = await this.ipam.take(tx, networkId, command.pinnedHost, command.startHost);
        const addresses = peerAddresses(command.network, hostNumber);
        const configName = nameTaken
          ? await this.freeConfigName(tx, networkId, command.peer.name)
          : allocateConfigName(command.peer.name, new Set());
        const peer = await tx.peer.create({
          // A config served in the response is served as the peer is created: one instant for
          // both (the database's now() is the transaction's start, after the service's clock).
          data: {
            ...command.peer,
            ...addresses,
            networkId,
            hostNumber,
            configName,
            revision: 0n,
            ...(command.peer.servedAt !== null ? { createdAt: command.peer.servedAt } : {}),
          },
          select: PEER_FIELDS,
        });
        await this.ipam.open(tx, { peerId: peer.id, networkId, hostNumber, ...addresses, ownerId: peer.ownerId });
        const { name, ...rest } = command.event.details;
        await this.audit.record({ ...command.event, details: { name, ...addresses, ...rest } }, tx);
        if (command.enrollmentKeyId !== null) {
          await this.spendEnrollmentKey(tx, command.enrollmentKeyId);
        }
        return peer as PeerRecord;
      });
      return { kind: 'created', peer };
    } catch (error) {
      if (error instanceof Replay) {
        return { kind: 'replay', record: error.record };
      }
      throw keyProblem(error);
    }
  }

  /**
   * Counts the owner's live peers under a transaction-scoped advisory lock on (network, owner),
   * so two enrollments of one person at once cannot both take the last place.
   */
  private async refuseOverLimit(tx: Tx, networkId: string, ownerId: string, limit: number): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`devices:${networkId}:${ownerId}`}, 0))`;
    const [{ count }] = await tx.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM peer
      WHERE network_id = ${networkId}::uuid AND owner_id = ${ownerId} AND status IN ('pending', 'active')`;
    if (count >= limit) {
      throw new DomainError('device-limit-reached', `You have ${count} of ${limit} devices here: revoke one first.`, {
        limit,
      });
    }
  }

  /** New keys for a live peer; the old public key leaves the desired state in the same commit. */
  async rekey(id: string, material: KeyMaterial, event: AuditInput): Promise<PeerRecord> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const rows = await tx.peer.updateManyAndReturn({
          where: { id, status: { in: [...LIVE_STATUSES] } },
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
          throw Problems.peerNotLive('The peer was revoked or expired meanwhile.');
        }
        await this.audit.record(event, tx);
        return rows[0] as PeerRecord;
      });
    } catch (error) {
      throw keyProblem(error);
    }
  }

  /**
   * The device's file name once its first choice was taken (allocateConfigName): the first try
   * of an enrollment takes the name itself (its stem) and reads nothing, and the unique index
   * says when it is taken — most devices have names of their own, and reading every live name
   * of a prefix costs each enrollment a scan of the network ("node-1" … "node-60000" share one),
   * while a lock per prefix made them take turns. Enrollments whose names met take turns here
   * through a transaction lock, so the later one reads the earlier one's committed name; the
   * unique index stays the guarantee (a lost race runs the enrollment again).
   */
  private async freeConfigName(tx: Tx, networkId: string, device: string): Promise<string> {
    const prefix = configNamePrefix(configNameStem(device));
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`config-name:${networkId}:${prefix}`}, 0))`;
    const rows = await tx.$queryRaw<{ config_name: string }[]>`SELECT config_name FROM peer
      WHERE network_id = ${networkId}::uuid AND status IN ('pending', 'active')
        AND left(config_name, ${prefix.length}) = ${prefix}`;
    return allocateConfigName(device, new Set(rows.map((r) => r.config_name)));
  }

  private async spendEnrollmentKey(tx: Tx, enrollmentKeyId: string): Promise<void> {
    const used = await tx.$executeRaw`UPDATE enrollment_key SET uses = uses + 1
      WHERE id = ${enrollmentKeyId}::uuid AND revoked_at IS NULL AND uses < max_uses
        AND (expires_at IS NULL OR expires_at > now())`;
    if (used === 0) {
      throw Problems.enrollmentKeySpent();
    }
  }

  /**
   * First statement of an enrollment with an Idempotency-Key. The insert waits on the primary
   * key while another transaction holds the same (scope, key); once that one commits, the key is
   * taken and its record comes back as a replay (this transaction did nothing yet); if it
   * rolled back, this one proceeds. An expired row is replaced.
   */
  private async claimIdempotencyKey(tx: Tx, k: IdempotencyInput, peerId: string): Promise<void> {
    await tx.$executeRaw`DELETE FROM idempotency_key WHERE scope = ${k.scope} AND key = ${k.key} AND expires_at <= now()`;
    const inserted = await tx.$executeRaw`INSERT INTO idempotency_key (scope, key, request_hash, peer_id, expires_at)
      VALUES (${k.scope}, ${k.key}, ${k.requestHash}, ${peerId}::uuid, now() + ${k.ttlMs} * interval '1 millisecond')
      ON CONFLICT (scope, key) DO NOTHING`;
    if (inserted === 1) {
      return;
    }
    const [row] = await tx.$queryRaw<{ request_hash: string; peer_id: string }[]>`SELECT request_hash, peer_id::text
      FROM idempotency_key WHERE scope = ${k.scope} AND key = ${k.key}`;
    if (row === undefined) {
      // Expired and pruned between the two statements (a race of milliseconds): ask for a retry.
      throw new DomainError('idempotency-key-busy', 'Send the request again.');
    }
    throw new Replay({ requestHash: row.request_hash, peerId: row.peer_id });
  }
}
