import { NO_RATE_LIMITS } from '../../src/config/env';

/**
 * Every abuse limit off (0 = off): the suite's apps and processes are trusted bulk clients.
 * Specs about the limits set the one they prove.
 */
export const LIMITS_OFF = NO_RATE_LIMITS;
