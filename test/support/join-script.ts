import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The PATH the join script gets unless a spec takes a tool away. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What a node does: fetch the served script with curl and run it with dash, PATH=$SCRIPT_PATH. */
export const FETCH_AND_RUN = 'curl -fsS "$JOIN_URL/join.sh" | PATH="$SCRIPT_PATH" /usr/bin/dash -s -- "$@"';

/** Every command deploy/join.sh runs (besides the shell's builtins). */
const SCRIPT_TOOLS = [
  'curl',
  'wg',
  'wg-quick',
  'id',
  'hostname',
  'tr',
  'sed',
  'cut',
  'head',
  'tail',
  'grep',
  'awk',
  'cat',
  'rm',
  'mv',
  'mkdir',
  'mktemp',
  'chmod',
  'sha256sum',
  'sleep',
] as const;

/** A folder for PATH with links to the script's tools except `missing`: "curl is missing" and such. */
export function toolsWithout(dir: string, ...missing: (typeof SCRIPT_TOOLS)[number][]): string {
  mkdirSync(dir);
  for (const tool of SCRIPT_TOOLS.filter((t) => !missing.includes(t))) {
    const where = execFileSync('sh', ['-c', `command -v ${tool}`], { env: { PATH: SYSTEM_PATH } })
      .toString()
      .trim();
    symlinkSync(where, join(dir, tool));
  }
  return dir;
}
