import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { AGENT_HEALTHY_MS } from '../domain/peer/lifecycle';
import type { HubApplied } from '../peers/peers.dto';
import { HubRepository } from './hub.repository';
import { RevisionNotifier } from './revision-notifier';

function agentReporting(lastSeenAt: Date | null): boolean {
  return lastSeenAt !== null && Date.now() - lastSeenAt.getTime() < AGENT_HEALTHY_MS;
}

/**
 * Whether the hub has a peer yet, waiting up to HUB_APPLY_WAIT for it: an answer that hands a
 * node its config waits until the network's hub agent reports an applied revision that includes
 * the peer, so a node that brings its tunnel up at once finds the hub ready for its first
 * handshake. Event-driven: the database announces every newly applied revision at commit
 * (the applied-revision trigger) and every API process hears it on its LISTEN connection.
 */
@Injectable()
export class HubApplyService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'hubApplyWaitMs'>,
    private readonly repository: HubRepository,
    private readonly notifier: RevisionNotifier,
  ) {}

  /**
   * The peer (just committed) on the hub: applied once the agent reported a revision at or after
   * the one whose commit put the peer in the desired state. Waits only while an agent is
   * reporting (healthy) and the wait is on; a peer not in the desired state is never applied.
   */
  async waitForPeer(network: { id: string; agentLastSeenAt: Date | null }, peerId: string): Promise<HubApplied> {
    // Without a wait, or without an agent reporting (as of the request's read of the network),
    // there is nothing to wait for and no read is spent: the hub cannot have the peer yet.
    if (this.config.hubApplyWaitMs <= 0 || !agentReporting(network.agentLastSeenAt) || this.notifier.stopping) {
      return { applied: false, revision: null };
    }
    const reports = this.notifier.subscribeApplied(network.id, this.config.hubApplyWaitMs);
    try {
      for (;;) {
        const row = await this.repository.peerOnHub(peerId);
        if (row === null) {
          return { applied: false, revision: null };
        }
        const answer = (applied: boolean): HubApplied => ({ applied, revision: row.revision.toString() });
        if (row.appliedRevision !== null && row.appliedRevision >= row.revision) {
          return answer(true);
        }
        if (!agentReporting(row.agentLastSeenAt) || this.notifier.stopping) {
          return answer(false);
        }
        // The next report, or null (deadline, listener reconnected, shutdown): then read again.
        let reported: bigint | null;
        while ((reported = await reports.next()) !== null) {
          if (reported >= row.revision) {
            return answer(true);
          }
        }
        if (reports.over || this.notifier.stopping) {
          const last = await this.repository.peerOnHub(peerId);
          return answer(last !== null && last.appliedRevision !== null && last.appliedRevision >= last.revision);
        }
      }
    } finally {
      reports.cancel();
    }
  }
}
