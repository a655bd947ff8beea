/**
 * Is this error the database being away (down, restarting, unreachable, connections cut, pool
 * timed out) rather than a fault of the request or the code? Such errors become 503
 * `database-unavailable`, never a 500. Prisma wraps driver errors in several ways, so the whole
 * cause chain is searched: Prisma codes, Postgres SQLSTATEs, Node socket codes and the pg
 * driver's messages.
 */

/**
 * Prisma: can't reach server, timed out, server closed the connection, transaction closed under
 * it, pool timeout, interactive transaction could not start or ran out of time (rolled back).
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P1018', 'P2024', 'P2028']);
/** Driver adapter error kinds (Prisma 7) that mean the connection, not the query. */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionAlreadyClosed',
]);
/** Postgres: connection exceptions (class 08), shutdown/crash/starting up, too many connections. */
const SQLSTATE = /^(08\d{3}|57P0[1-4]|53300|53400)$/;
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Can't reach database server/i,
  /Server has closed the connection/i,
  /Client has encountered a connection error/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to/i,
  /Connection refused/i,
  /Timed out fetching a new connection from the connection pool/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 8 || error === null || typeof error !== 'object') {
    return false;
  }
  const e = error as {
    code?: unknown;
    errorCode?: unknown;
    kind?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { code?: unknown; driverAdapterError?: unknown };
    errors?: unknown;
  };
  for (const code of [e.code, e.errorCode, e.meta?.code]) {
    if (typeof code === 'string' && (PRISMA_CODES.has(code) || SQLSTATE.test(code) || SOCKET_CODES.has(code))) {
      return true;
    }
  }
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) {
    return true;
  }
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) {
    return true;
  }
  const nested = [e.cause, e.meta?.driverAdapterError, ...(Array.isArray(e.errors) ? e.errors : [])];
  return nested.some((n) => isDatabaseUnavailable(n, depth + 1));
}
