// @ts-check
// The factories of every test tier and of the bench: networks, tokens, enrollment keys, peers and
// claims made through the API with the contract's typed client (src/contract; the bench loads
// its build in dist/contract), each call required to answer its success status.

/**
 * @typedef {import('../../src/contract/index.js').ApiClient} ApiClient
 * @typedef {Omit<import('../../src/contract/index.js').RequestBody<'/v1/networks', 'post'>, 'endpoint'> & { endpoint?: string }} NetworkInput
 */

/** A valid (made-up) hub public key: a network with it enrolls at once, without an agent. */
export const HUB_KEY = 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=';

/**
 * The body of a call that must answer `status`; any other answer throws, naming the path, both
 * statuses and the start of the body.
 * @template T
 * @param {number} status
 * @param {Promise<import('../../src/contract/index.js').Answer<T>>} call
 * @returns {Promise<T>}
 */
export async function expectStatus(status, call) {
  const { data, error, response } = await call;
  if (response.status !== status) {
    const path = response.url ? new URL(response.url).pathname : '(unknown path)';
    const body = JSON.stringify(error ?? data ?? null).slice(0, 500);
    throw new Error(`${path}: expected ${status}, got ${response.status}: ${body}`);
  }
  return /** @type {T} */ (data);
}

/**
 * A network (endpoint hub.example.org:51820 unless given). Without `hubPublicKey` enrolling
 * waits for an agent to register the hub; pass HUB_KEY to enroll at once.
 * @param {ApiClient} api an admin's client
 * @param {NetworkInput} body
 */
export function createNetwork(api, body) {
  return expectStatus(201, api.POST('/v1/networks', { body: { endpoint: 'hub.example.org:51820', ...body } }));
}

/**
 * @param {ApiClient} api an admin's client
 * @param {import('../../src/contract/index.js').RequestBody<'/v1/tokens', 'post'>} body
 */
export function createToken(api, body) {
  return expectStatus(201, api.POST('/v1/tokens', { body }));
}

/**
 * @param {ApiClient} api an admin's client
 * @param {string} network
 * @param {import('../../src/contract/index.js').RequestBody<'/v1/networks/{network}/enrollment-keys', 'post'>} body
 */
export function createEnrollmentKey(api, network, body) {
  return expectStatus(201, api.POST('/v1/networks/{network}/enrollment-keys', { params: { path: { network } }, body }));
}

/**
 * Enrolls a peer (201), as whoever the client's credential is.
 * @param {ApiClient} api
 * @param {string} network
 * @param {import('../../src/contract/index.js').RequestBody<'/v1/networks/{network}/peers', 'post'>} body
 */
export function enrollPeer(api, network, body) {
  return expectStatus(201, api.POST('/v1/networks/{network}/peers', { params: { path: { network } }, body }));
}

/**
 * The claim token of a claim link (…/claim/<token>).
 * @param {string} url
 */
export const claimTokenOf = (url) => decodeURIComponent(new URL(url).pathname.replace(/^\/claim\//, ''));

/**
 * Redeems a claim link (200: the peer and its config, once).
 * @param {ApiClient} api any client (a claim needs no credential)
 * @param {string} url the claim link
 */
export function redeemClaim(api, url) {
  return expectStatus(
    200,
    api.POST('/v1/claims/{claimToken}', { params: { path: { claimToken: claimTokenOf(url) } } }),
  );
}
