// API problems as sentences a person can act on, attached to the field they concern: the one
// code → sentence table of every page. A code reads differently where the person stands (the
// enrollment form speaks of their key, the status page of the admin's token), so an entry has
// one sentence per page that can meet it.
import { ApiProblem } from './api';

export type Field = 'credential' | 'name' | 'network' | 'form';
export type Page = 'enroll' | 'status' | 'claim';

export interface FieldMessage {
  readonly field: Field;
  readonly message: string;
}

interface Context {
  readonly page: Page;
  /** The network the enrollment form names ('' when none yet). */
  readonly network?: string;
}

type Sentence = string | ((problem: ApiProblem, context: Context) => string | FieldMessage[]);
type Entry = { readonly field?: Field; readonly text: Sentence };

const ASK_NEW_KEY = 'Ask your administrator for a new one.';
const UNREACHABLE = 'The service cannot be reached. Check your connection and try again.';
const TOO_MANY = 'Too many attempts from here. Wait a minute, then try again.';
const TOKEN_NOT_ACCEPTED = 'This token was not accepted: it may be mistyped, revoked or expired.';
const UNAVAILABLE = 'The service is unavailable right now. Try again in a moment.';

const onEnroll = (field: Field, text: Sentence): Partial<Record<Page, Entry>> => ({ enroll: { field, text } });

const PROBLEMS: Record<string, Partial<Record<Page, Entry>>> = {
  'network-error': { enroll: { text: UNREACHABLE }, status: { text: UNREACHABLE }, claim: { text: UNREACHABLE } },
  'rate-limited': {
    enroll: { text: TOO_MANY },
    status: { text: 'Too many requests: wait a moment and try again.' },
    claim: { text: TOO_MANY },
  },
  unauthenticated: {
    enroll: { field: 'credential', text: 'Enter your enrollment key or API token.' },
    status: { text: TOKEN_NOT_ACCEPTED },
  },
  'invalid-credential': {
    enroll: {
      field: 'credential',
      text: 'This key or token is not known, or it has expired or been revoked. Check that you pasted all of it.',
    },
    status: { text: TOKEN_NOT_ACCEPTED },
  },
  forbidden: {
    enroll: {
      field: 'credential',
      text: 'This credential may not enroll devices. Use an enrollment key or a requester token.',
    },
    status: { text: 'This token is not an admin token. The status page needs a token with the admin role.' },
  },
  'enrollment-key-expired': onEnroll('credential', `This enrollment key has expired. ${ASK_NEW_KEY}`),
  'enrollment-key-revoked': onEnroll('credential', `This enrollment key was revoked. ${ASK_NEW_KEY}`),
  'enrollment-key-spent': onEnroll(
    'credential',
    `This enrollment key has been used as often as it allows. ${ASK_NEW_KEY}`,
  ),
  'network-not-found': {
    enroll: {
      field: 'network',
      text: (_, { network }) =>
        network
          ? `There is no network “${network}” that your credential may use. Check its name.`
          : 'Choose the network to join.',
    },
    status: { text: 'This network no longer exists.' },
  },
  'pool-exhausted': {
    enroll: {
      field: 'network',
      text: (_, { network }) =>
        `The network${network ? ` “${network}”` : ''} has no free addresses left. Ask your administrator to free or add some.`,
    },
    status: { text: 'The address pool of this network is full: revoke unused peers to free addresses.' },
  },
  'hub-not-registered': {
    enroll: {
      field: 'network',
      text: 'The hub of this network is not set up yet (its agent has not registered). Try again once your administrator has started it.',
    },
    status: { text: 'The hub of this network has not registered its key yet, so no config can be made.' },
  },
  'public-key-in-use': onEnroll('form', 'That key pair is already in use. Press the button again to make a new one.'),
  'peer-not-live': { status: { text: 'This peer is no longer active (it was revoked or expired meanwhile).' } },
  'peer-not-found': { status: { text: 'This peer no longer exists.' } },
  'database-unavailable': { status: { text: UNAVAILABLE } },
  'service-unavailable': { status: { text: UNAVAILABLE } },
  'config-already-served': {
    claim: {
      text: (problem) => {
        const servedAt = problem.body.servedAt;
        const at = typeof servedAt === 'string' ? ` on ${humanDate(servedAt)}` : '';
        return `This configuration was already downloaded${at}. It is served only once. If that was not you, tell your administrator; ask them for a reissue to get a new configuration.`;
      },
    },
  },
  'claim-expired': { claim: { text: 'This link has expired. Ask your administrator for a reissue.' } },
  'peer-revoked': {
    claim: {
      text: 'This device was revoked, so its configuration is no longer available. Ask your administrator.',
    },
  },
  'claim-not-found': { claim: { text: 'This claim link is not known. Check that you copied all of it.' } },
  'validation-failed': {
    enroll: {
      text: (problem) => {
        const messages = problem.errors.map((e): FieldMessage => {
          const field: Field = e.field === 'name' ? 'name' : 'form';
          return { field, message: field === 'name' ? `The device name ${e.message}.` : `${e.field}: ${e.message}.` };
        });
        return messages.length > 0 ? messages : (problem.detail ?? problem.title);
      },
    },
    status: {
      text: (problem) =>
        problem.errors.length > 0
          ? `Please correct: ${problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`
          : (problem.detail ?? problem.title),
    },
  },
};

/** What the API said, for a code the page has no sentence of its own for. */
function fallback(problem: ApiProblem, page: Page): string {
  return page === 'status' && problem.detail
    ? `${problem.title}: ${problem.detail}`
    : (problem.detail ?? problem.title);
}

/** The sentences for a problem on a page, each with the field it concerns. */
export function problemMessages(problem: ApiProblem, context: Context): FieldMessage[] {
  const entry = PROBLEMS[problem.code]?.[context.page];
  const field = entry?.field ?? 'form';
  const text = entry === undefined ? fallback(problem, context.page) : entry.text;
  const said = typeof text === 'function' ? text(problem, context) : text;
  return typeof said === 'string' ? [{ field, message: said }] : said;
}

/** The problem as one sentence (the status and claim pages show one line). */
export function problemSentence(problem: ApiProblem, page: Page): string {
  return problemMessages(problem, { page })
    .map((m) => m.message)
    .join(' ');
}

/** The sentences for an enrollment attempt (POST /v1/networks/{n}/peers, GET /v1/whoami). */
export function enrollmentProblem(problem: ApiProblem, network: string): FieldMessage[] {
  return problemMessages(problem, { page: 'enroll', network });
}

/** "26 November 2026, 08:31 UTC" style, in the reader's locale and time zone. */
export function humanDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' }).format(date);
}

/** A problem as one line on the signed-in pages (my devices, people): its title and detail. */
export function problemLine(error: unknown): string {
  return error instanceof ApiProblem ? `${error.title}${error.detail ? `: ${error.detail}` : ''}` : String(error);
}
