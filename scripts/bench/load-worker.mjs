// @ts-check
// The HTTP load generator on its own thread. The sections boot the service in their own process
// (lib.mjs startStack); a load generator on the same event loop would take CPU from the very
// loop it measures (seen: ~1 ms of the ~8 ms of Node CPU per enrollment is the client). Here it
// runs in a worker thread: same process and machine, its own event loop. `loadGenerator(url,
// token)` gives `enroll(...)` and `redeem(...)`, each resolving what lib.mjs `drive()` returns.

import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { asProblem, drive, makeClient } from './lib.mjs';

/**
 * @typedef {{ id: number; kind: 'enroll'; network: string; total: number; concurrency: number; prefix: string; extra: Record<string, unknown>; collectClaims: boolean }} EnrollJob
 * @typedef {{ id: number; kind: 'redeem'; tokens: string[]; total: number; concurrency: number; expect: number }} RedeemJob
 * @typedef {Awaited<ReturnType<typeof drive>>} Run
 */

/** CPU milliseconds of the calling thread (utime + stime of /proc/thread-self; USER_HZ 100). */
function threadCpuMs() {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

if (!isMainThread && parentPort && workerData?.loadWorker) {
  const port = parentPort;
  const request = makeClient(workerData.url, workerData.token);
  const anonymous = makeClient(workerData.url, null);
  port.on('message', async (/** @type {EnrollJob | RedeemJob} */ job) => {
    try {
      const claims = job.kind === 'enroll' && job.collectClaims ? new Array(job.total) : null;
      /** @type {(i: number) => Promise<true | string>} */
      let task;
      if (job.kind === 'enroll') {
        task = async (i) => {
          const { data, error, response } = await request.POST('/v1/networks/{network}/peers', {
            params: { path: { network: job.network } },
            body: { name: `${job.prefix}-${i}`, ...job.extra },
          });
          const url = data?.claim?.url;
          if (response.status === 201 && data?.peer?.ipv4 && (data?.config?.text || typeof url === 'string')) {
            if (claims && typeof url === 'string') claims[i] = url.slice(url.lastIndexOf('/') + 1);
            return true;
          }
          return `${response.status} ${asProblem(error)?.code ?? (response.status === 201 ? 'malformed-201' : 'no-code')}`;
        };
      } else if (job.kind === 'redeem') {
        task = async (i) => {
          const { data, error, response } = await anonymous.POST('/v1/claims/{claimToken}', {
            params: { path: { claimToken: job.tokens[i] } },
          });
          if (job.expect === 410) {
            return response.status === 410 && asProblem(error)?.code === 'config-already-served'
              ? true
              : `${response.status} ${asProblem(error)?.code}`;
          }
          const text = data?.config?.text;
          if (response.status !== 200 || typeof text !== 'string' || !/^PrivateKey = \S{44}$/m.test(text)) {
            return `${response.status} ${asProblem(error)?.code ?? 'no-config'}`;
          }
          return true;
        };
      } else {
        throw new Error(`unknown job ${/** @type {{ kind: string }} */ (job).kind}`);
      }
      const cpuBefore = threadCpuMs();
      const run = await drive({ total: job.total, concurrency: job.concurrency, task });
      // The load generator's own CPU, so a section can tell the service's share of the process.
      port.postMessage({ id: job.id, run, claims, clientCpuMs: threadCpuMs() - cpuBefore });
    } catch (error) {
      port.postMessage({ id: job.id, error: String(error instanceof Error ? error.stack : error) });
    }
  });
}

/**
 * A load generator thread against the service at `url` with an admin `token`.
 * @param {string} url
 * @param {string} token
 */
export function loadGenerator(url, token) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { loadWorker: true, url, token } });
  worker.unref();
  let nextId = 0;
  /** @typedef {{ id: number; run: Run; claims: string[] | null; clientCpuMs: number; error?: string }} Reply */
  /** @type {Map<number, { resolve: (m: Reply) => void; reject: (e: unknown) => void }>} */
  const pending = new Map();
  worker.on('message', (/** @type {Reply} */ m) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(`load generator: ${m.error}`));
    else p?.resolve(m);
  });
  worker.on('error', (error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });
  /**
   * @param {Omit<EnrollJob, 'id'> | Omit<RedeemJob, 'id'>} payload
   * @returns {Promise<Reply>}
   */
  const job = (payload) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...payload });
    });
  return {
    /**
     * `total` enrollments into `network` (POST /v1/networks/{network}/peers) at `concurrency`.
     * @param {{ network: string; total: number; concurrency: number; prefix: string; extra?: Record<string, unknown>; collectClaims?: boolean }} options
     */
    async enroll({ network, total, concurrency, prefix, extra = {}, collectClaims = false }) {
      const m = await job({ kind: 'enroll', network, total, concurrency, prefix, extra, collectClaims });
      const run = { ...m.run, clientCpuMs: m.clientCpuMs };
      return collectClaims ? { ...run, claims: m.claims } : run;
    },
    /**
     * POST /v1/claims/{token} for each token: expect 200 with a config, 410 config-already-served or another status.
     * @param {{ tokens: string[]; concurrency: number; expect?: number }} options
     */
    async redeem({ tokens, concurrency, expect = 200 }) {
      return (await job({ kind: 'redeem', tokens, total: tokens.length, concurrency, expect })).run;
    },
    close: () => worker.terminate(),
  };
}
