import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../database/prisma.service';
import { LIVE_STATUSES } from '../domain/peer/lifecycle';
import { Prisma } from '../generated/prisma/client';

export interface PoolUsage {
  readonly leased: number;
  readonly free: number;
  readonly cooling: number;
}

/** A lease ending: the peer, its network and the host number that goes back to the pool. */
export interface Release {
  readonly peerId: string;
  readonly networkId: string;
  readonly hostNumber: number;
}

/**
 * Taking a lease, as the two parts of the enrollment's one statement (EnrollmentRepository
 * composes them with the peer's INSERT, so an enrollment is one round trip): the SQL that knows
 * the free-address pool and the lease history stays here.
 */
export const LEASE_SQL = {
  /**
   * A data-modifying CTE body that takes one host number from the network's pool and returns it
   * (`host_number`): the pinned one, or the first free one at or after a random start, then
   * before it (coalesce runs the second search only when the first finds nothing), locked
   * FOR UPDATE SKIP LOCKED, so concurrent enrollments never wait on each other and the cost
   * does not grow with the number of leases. No free host: no row. Arguments: the SQL
   * parameters (e.g. `$1::uuid`) of the network id, the pinned host (int or null) and the start.
   */
  takeHost: (network: string, pinned: string, start: string): string => `DELETE FROM free_address f
    WHERE f.network_id = ${network} AND f.available_at <= now() AND f.host_number = coalesce(${pinned},
      (SELECT host_number FROM free_address
        WHERE network_id = ${network} AND host_number >= ${start} AND available_at <= now()
        ORDER BY host_number LIMIT 1 FOR UPDATE SKIP LOCKED),
      (SELECT host_number FROM free_address
        WHERE network_id = ${network} AND host_number < ${start} AND available_at <= now()
        ORDER BY host_number LIMIT 1 FOR UPDATE SKIP LOCKED))
    RETURNING f.host_number`,
  /** The lease history row of each peer the CTE `peers` returns (its columns as peer's). */
  openLease: (peers: string): string => `INSERT INTO lease (id, network_id, peer_id, host_number, ipv4, ipv6, owner_id)
    SELECT id, network_id, id, host_number, ipv4, ipv6, owner_id FROM ${peers}`,
};

/**
 * Address management: the free-address pool and the lease history. Every method runs inside
 * the caller's transaction, so a lease is given back in the same commit as the peer change it
 * belongs to (invariant 1). Taking a lease is part of the enrollment's one statement (LEASE_SQL).
 */
@Injectable()
export class IpamRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A new network's pool: every leasable host (first..last), free at once. */
  async fill(tx: Tx, networkId: string, hosts: { first: number; last: number }): Promise<void> {
    await tx.$executeRaw`INSERT INTO free_address (network_id, host_number, available_at)
      SELECT ${networkId}::uuid, h, '-infinity'::timestamptz FROM generate_series(${hosts.first}::int, ${hosts.last}::int) AS h`;
  }

  /** Gives addresses back: into cool-down in the pool, and the lease history rows closed. */
  async release(tx: Tx, releases: readonly Release[], cooldownMs: number): Promise<void> {
    if (releases.length === 0) {
      return;
    }
    const networks = releases.map((r) => r.networkId);
    const hosts = releases.map((r) => r.hostNumber);
    await tx.$executeRaw`INSERT INTO free_address (network_id, host_number, available_at)
      SELECT n, h, now() + make_interval(secs => ${cooldownMs / 1000})
      FROM unnest(${networks}::uuid[], ${hosts}::int[]) AS t(n, h)`;
    const peers = releases.map((r) => r.peerId);
    await tx.$executeRaw`UPDATE lease SET released_at = now()
      WHERE peer_id = ANY(${peers}::uuid[]) AND released_at IS NULL`;
  }

  /** Addresses held by live peers, free now, and cooling down. */
  async usage(networkId: string): Promise<PoolUsage> {
    const [{ leased, free, cooling }] = await this.usageRows(Prisma.sql`WHERE n.id = ${networkId}::uuid`);
    return { leased, free, cooling };
  }

  /** The pool use of every network (for the metrics gauges). */
  usageOfAll(): Promise<(PoolUsage & { networkId: string })[]> {
    return this.usageRows(Prisma.empty);
  }

  private usageRows(where: Prisma.Sql) {
    return this.prisma.$queryRaw<(PoolUsage & { networkId: string })[]>`SELECT n.id::text AS "networkId",
        (SELECT count(*)::int FROM peer WHERE network_id = n.id AND status = ANY(${[...LIVE_STATUSES]}::peer_status[])) AS leased,
        f.free, f.cooling
      FROM network n
      CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE available_at <= now())::int AS free,
                                 count(*) FILTER (WHERE available_at > now())::int AS cooling
                          FROM free_address WHERE network_id = n.id) f
      ${where}`;
  }
}
