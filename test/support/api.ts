import { expect } from 'vitest';
import { bearer, rememberSecretsIn, type TestApp } from './app';

/** Small client for the flows the specs repeat; every secret it sees is remembered. */
export class Api {
  constructor(readonly t: TestApp) {}

  /** A network with a (made-up) hub key, so enrolling works at once. */
  createNetwork(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.createNetworkWithoutHub({ hubPublicKey: 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=', ...body });
  }

  /** A network whose hub key an agent will register. */
  async createNetworkWithoutHub(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await this.t.http
      .post('/v1/networks')
      .set(bearer(this.t.adminToken))
      .send({ endpoint: 'hub.example.org:51820', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async enrollmentKey(network: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await this.t.http
      .post(`/v1/networks/${network}/enrollment-keys`)
      .set(bearer(this.t.adminToken))
      .send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    rememberSecretsIn(res.body);
    return res.body.key;
  }

  async token(role: string, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
    const res = await this.t.http
      .post('/v1/tokens')
      .set(bearer(this.t.adminToken))
      .send({ name: `${role} token`, role, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    rememberSecretsIn(res.body);
    return res.body;
  }

  /** POST …/peers; returns the raw response (secrets remembered). */
  async enroll(network: string, secret: string, body: Record<string, unknown>, accept = 'application/json') {
    const res = await this.t.http
      .post(`/v1/networks/${network}/peers`)
      .set(bearer(secret))
      .set('Accept', accept)
      .send(body);
    rememberSecretsIn(res.type === 'text/plain' ? res.text : res.body);
    return res;
  }

  async claim(url: string, accept = 'application/json') {
    const path = new URL(url).pathname.replace(/^\/claim\//, '/v1/claims/');
    const res = await this.t.http.post(path).set('Accept', accept);
    rememberSecretsIn(res.type === 'text/plain' ? res.text : res.body);
    return res;
  }
}

export function expectProblem(
  res: { status: number; type: string; body: Record<string, unknown> },
  status: number,
  code: string,
): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.type).toBe('application/problem+json');
  expect(res.body.code).toBe(code);
  expect(res.body.status).toBe(status);
  expect(typeof res.body.title).toBe('string');
  expect(res.body.type).toBe(`urn:wg-enroll:problem:${code}`);
}
