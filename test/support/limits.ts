/**
 * Every abuse limit off (0 = off): the suite's apps and processes are trusted bulk clients.
 * Specs about the limits set the one they prove.
 */
export const LIMITS_OFF: Readonly<Record<string, string>> = {
  RATE_LIMIT_PER_MINUTE: '0',
  AUTH_FAILURES_PER_MINUTE: '0',
  AUTH_FAILURES_PER_CREDENTIAL: '0',
  RATE_LIMIT_ENROLL_PER_ADDRESS: '0',
  RATE_LIMIT_ENROLL_PER_CREDENTIAL: '0',
  RATE_LIMIT_CLAIM_PER_ADDRESS: '0',
  RATE_LIMIT_CLAIM_PER_TOKEN: '0',
};
