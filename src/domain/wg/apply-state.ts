/**
 * What the hub agent last said about the interface, as the status shows it:
 * - applied: wg has the hub file;
 * - not-applied: the file is written, but not applied (no wg tools, no interface, or the agent
 *   only writes files) — nothing can connect through this hub until it is;
 * - failed: wg refused it; the interface keeps its previous state.
 */
export const APPLY_STATES = ['applied', 'not-applied', 'failed'] as const;
export type ApplyState = (typeof APPLY_STATES)[number];

/** The state and its reason from an agent's report (an older agent sends neither field). */
export function applyStateOf(report: { applyError?: string | null; notApplied?: string | null }): {
  state: ApplyState;
  problem: string | null;
} {
  if (report.applyError) {
    return { state: 'failed', problem: report.applyError };
  }
  if (report.notApplied) {
    return { state: 'not-applied', problem: report.notApplied };
  }
  return { state: 'applied', problem: null };
}
