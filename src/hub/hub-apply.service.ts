import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { AGENT_HEALTHY_MS } from '../domain/peer/lifecycle';
import type { HubApplied } from '../peers/peers.dto';
import { HubRepository } from './hub.repository';
import { RevisionNotifier } from './revision-notifier';
import { RevisionTicker } from '../database/revision-ticker';

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
  private readonly logger = new Logger('HubApplyService');

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'hubApplyWaitMs'>,
    private readonly repository: HubRepository,
    private readonly notifier: RevisionNotifier,
    private readonly ticker: RevisionTicker,
  ) {}

  /**
   * The peer (just committed) on the hub: its change is stamped with a revision first (a stamp
   * that starts after the commit, shared with the other answers of the moment), then it is
   * applied once the agent reported a revision at or after that one. Waits only while an agent is
   * reporting (healthy) and the wait is on; a peer not in the desired state is never applied.
   * Without a wait the stamp still runs, unawaited: the agents hear of the change at once.
   */
  async waitForPeer(network: { id: string; agentLastSeenAt: Date | null }, peerId: string): Promise<HubApplied> {
    // Without a wait, or without an agent reporting (as of the request's read of the network),
    // there is nothing to wait for and no read is spent: the hub cannot have the peer yet.
    if (this.config.hubApplyWaitMs <= 0 || !agentReporting(network.agentLastSeenAt) || this.notifier.stopping) {
      this.ticker.poke(network.id);
      return { applied: false, revision: null };
    }
    const reports = this.notifier.subscribeApplied(network.id, this.config.hubApplyWaitMs);
    // The change is committed: a failed stamp (the backstop stamps it later) must not fail the answer.
    const stamped = (): Promise<boolean> =>
      this.ticker.stamp(network.id).then(
        () => true,
        (error: Error) => {
          this.logger.warn({ msg: 'revision stamp failed', network: network.id, err: error.message });
          return false;
        },
      );
    try {
      if (!(await stamped())) {
        return { applied: false, revision: null };
      }
      for (;;) {
        const row = await this.repository.peerOnHub(peerId);
        if (row === null) {
          return { applied: false, revision: null };
        }
        if (row.revision === null) {
          // Changed again after the stamp (another answer's commit): stamp that too.
          if (reports.over || this.notifier.stopping || !(await stamped())) {
            return { applied: false, revision: null };
          }
          continue;
        }
        const revision = row.revision;
        const answer = (applied: boolean): HubApplied => ({ applied, revision: revision.toString() });
        if (row.appliedRevision !== null && row.appliedRevision >= revision) {
          return answer(true);
        }
        if (!agentReporting(row.agentLastSeenAt) || this.notifier.stopping) {
          return answer(false);
        }
        // The next report, or null (deadline, listener reconnected, shutdown): then read again.
        let reported: bigint | null;
        while ((reported = await reports.next()) !== null) {
          if (reported >= revision) {
            return answer(true);
          }
        }
        if (reports.over || this.notifier.stopping) {
          const last = await this.repository.peerOnHub(peerId);
          return answer(
            last !== null &&
              last.revision !== null &&
              last.appliedRevision !== null &&
              last.appliedRevision >= last.revision,
          );
        }
      }
    } finally {
      reports.cancel();
    }
  }
}
