import type { Response } from 'express';
import { DomainError } from '../domain/problems/problems';
import type { EnrollResponse } from '../peers/peers.dto';
import { Replayed } from './idempotency';

/** True when the client asks for text/plain rather than JSON. */
export function prefersText(accept: string | undefined): boolean {
  if (!accept) {
    return false;
  }
  const types = accept.split(',').map((part) => {
    const [type, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)).find(Boolean);
    return { type: type.trim().toLowerCase(), q: q ? Number(q[1]) : 1 };
  });
  const weight = (t: string) => Math.max(0, ...types.filter((x) => x.type === t).map((x) => x.q));
  return weight('text/plain') > 0 && weight('text/plain') > weight('application/json');
}

/** Whether the hub had the peer when the answer left (`hub.applied` of a JSON answer). */
export const HUB_APPLIED_HEADER = 'Hub-Applied';

/** The headers of an answer that carries a config (enrollment, reissue, claim). */
export const CONFIG_HEADERS_DOC = {
  [HUB_APPLIED_HEADER]: {
    description:
      'true when the hub agent reported an applied revision that includes the peer before this answer (as `hub.applied`); false otherwise',
    schema: { type: 'string', enum: ['true', 'false'] },
    required: true,
  },
  'Content-Disposition': {
    description: 'With the text/plain body: `attachment; filename="<name>.conf"`, the name wg-quick takes',
    schema: { type: 'string' },
  },
};

/**
 * The peer's own URL on a 201 (enroll or reissue): with `Accept: text/plain` the body is the
 * bare .conf, and this is how a script (deploy/join.sh) learns which peer it got.
 */
export const PEER_CREATED_HEADERS_DOC = {
  ...CONFIG_HEADERS_DOC,
  Location: {
    description: 'The peer: /v1/peers/{id} (also on a text/plain answer, whose body is only the .conf)',
    schema: { type: 'string' },
  },
};

/** The .conf file itself, named so that `wg-quick up ./<file>` works. */
export function sendConfigFile(res: Response, config: { filename: string; text: string }): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${config.filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(config.text);
}

/**
 * 201 with the enrollment as JSON, or the bare .conf when the client prefers text/plain. A
 * claim link has no text form; that is refused before anything is created. An idempotent
 * replay is 200 with the peer only (and Idempotent-Replayed: true).
 */
export async function respondWithConfig(
  res: Response,
  accept: string | undefined,
  delivery: 'inline' | 'link',
  produce: () => Promise<EnrollResponse | Replayed>,
): Promise<EnrollResponse | undefined> {
  const text = prefersText(accept);
  if (text && delivery === 'link') {
    throw new DomainError('not-acceptable', 'Use Accept: application/json with delivery "link".');
  }
  const result = await produce();
  if (result instanceof Replayed) {
    // A retry (Idempotency-Key) of an enrollment whose claim link is not redeemed yet.
    res.status(200);
    res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }
  res.status(201);
  res.setHeader(HUB_APPLIED_HEADER, String(result.hub.applied));
  res.setHeader('Location', `/v1/peers/${result.peer.id}`);
  if (text && result.config) {
    sendConfigFile(res, result.config);
    return undefined;
  }
  return result;
}
