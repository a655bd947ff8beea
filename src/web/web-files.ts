import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DomainError } from '../domain/problems/problems';

/** Where `npm run build` (scripts/build-web.mjs) puts the bundled pages: dist/public. */
export const PUBLIC_DIR = resolve(__dirname, '..', '..', 'dist', 'public');

/**
 * One policy for every page: scripts, styles and data only from this origin, no inline script
 * or style, no framing, forms post only here. QR codes are drawn on a canvas, downloads are
 * blob: URLs made by the page.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const cache = new Map<string, string>();

/** A page's HTML from dist/public (read once per process). */
export function pageHtml(file: string): string {
  let html = cache.get(file);
  if (html === undefined) {
    const path = join(PUBLIC_DIR, file);
    if (!existsSync(path)) {
      throw new DomainError('web-assets-missing', 'Run `npm run build` (it bundles the pages into dist/public).');
    }
    html = readFileSync(path, 'utf8');
    cache.set(file, html);
  }
  return html;
}

/** The node-side join script, as it is in the repository (deploy/join.sh). */
export const JOIN_SCRIPT_FILE = resolve(__dirname, '..', '..', 'deploy', 'join.sh');

/** The one line of deploy/join.sh the service fills in: where the script came from. */
const JOIN_SERVER_LINE = /^JOIN_SERVER_DEFAULT=''$/m;

let joinScript: string | undefined;

/**
 * deploy/join.sh with its `JOIN_SERVER_DEFAULT=''` line set to this service's public URL
 * (single-quoted for sh), so that `curl …/join.sh | sh -s -- --key …` needs no --server. Every
 * other byte is the file's.
 */
export function servedJoinScript(publicUrl: string): string {
  if (joinScript === undefined) {
    if (!existsSync(JOIN_SCRIPT_FILE)) {
      throw new DomainError('web-assets-missing', `The join script ${JOIN_SCRIPT_FILE} is missing from this install.`);
    }
    joinScript = readFileSync(JOIN_SCRIPT_FILE, 'utf8');
  }
  if (!JOIN_SERVER_LINE.test(joinScript)) {
    throw new Error(`${JOIN_SCRIPT_FILE} has no JOIN_SERVER_DEFAULT='' line`);
  }
  const quoted = `'${publicUrl.replaceAll("'", `'\\''`)}'`;
  return joinScript.replace(JOIN_SERVER_LINE, () => `JOIN_SERVER_DEFAULT=${quoted}`);
}
