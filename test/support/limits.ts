import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'pg';
import { NO_RATE_LIMITS } from '../../src/config/env';

/**
 * Every abuse limit off (0 = off): the suite's apps and processes are trusted bulk clients.
 * Specs about the limits set the one they prove.
 */
export const LIMITS_OFF = NO_RATE_LIMITS;

/**
 * The limits count per fixed minute by the database's clock. A spec that counts up to a limit
 * starts with at least `needed` seconds left in the current window, so the window cannot roll
 * over between its first request and the one that must be refused.
 */
export async function freshWindow(sql: Pick<Client, 'query'>, needed = 15): Promise<void> {
  const { rows } = await sql.query<{ s: number }>('SELECT extract(second FROM now())::float AS s');
  if (60 - rows[0].s < needed) {
    await sleep((60.5 - rows[0].s) * 1000);
  }
}
