import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { JsonLogger, logFormatFrom, prettySink } from '../common/logging/json-logger';
import { HubAgent, type ApplyMode } from './agent';
import { INTERFACE_NAME_PATTERN, INTERFACE_NAME_RULE } from '../domain/wg/interface-name';

export const AGENT_HELP = `wg-enroll agent — keeps a hub's WireGuard interface equal to the desired state

Usage: wg-enroll agent [options]

Options (each also as an environment variable):
  --api-url URL        AGENT_API_URL       the wg-enroll API, e.g. https://vpn.example.org
  --token TOKEN        AGENT_TOKEN         an agent token of the network (or AGENT_TOKEN_FILE)
  --network NAME       AGENT_NETWORK       the network this hub serves
  --interface NAME     AGENT_INTERFACE     the WireGuard interface (default wg0)
  --config-dir DIR     AGENT_CONFIG_DIR    where <interface>.conf and <interface>.key live
                                           (default /etc/wireguard)
  --apply MODE         AGENT_APPLY         syncconf (default): apply to the interface (peer
                                           deltas; wg syncconf when the interface itself
                                           changes); none: only write the file
  --report-interval S  AGENT_REPORT_INTERVAL  seconds between status reports (default 10)
  --log-level LEVEL    LOG_LEVEL           debug | info | warn | error (default info)
  -h, --help

On first run it creates the hub's private key (<config-dir>/<interface>.key, mode 0600) and
registers only the public key. It then long-polls the desired state, writes
<config-dir>/<interface>.conf atomically and applies it (peer deltas, or \`wg syncconf\` on
the same config without wg-quick's keys), which never takes the interface down.
Bring the interface up once yourself (for example \`wg-quick up <config-dir>/<interface>.conf\`
after the first write, or wireguard-go); the agent never creates or restarts it.
`;

/** The environment variables the agent reads (documented in .env.example; a test checks). */
export const AGENT_ENV_VARIABLES = [
  'AGENT_API_URL',
  'AGENT_TOKEN',
  'AGENT_NETWORK',
  'AGENT_INTERFACE',
  'AGENT_CONFIG_DIR',
  'AGENT_APPLY',
  'AGENT_REPORT_INTERVAL',
] as const;

export class AgentConfigError extends Error {}

function parseAgentArgs(argv: string[]) {
  try {
    return parseAgentArgsStrict(argv);
  } catch (error) {
    // Unknown flags, missing values, stray words: a usage error (exit 2), nothing runs.
    throw new AgentConfigError(
      `${(error as Error).message}\nUsage: wg-enroll agent [options] (wg-enroll agent --help)`,
    );
  }
}

function parseAgentArgsStrict(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      'api-url': { type: 'string' },
      token: { type: 'string' },
      network: { type: 'string' },
      interface: { type: 'string' },
      'config-dir': { type: 'string' },
      apply: { type: 'string' },
      'report-interval': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

export function agentOptionsFrom(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseAgentArgs(argv);
  if (values.help) {
    return null;
  }
  const problems: string[] = [];
  const token =
    values.token ??
    env.AGENT_TOKEN ??
    (env.AGENT_TOKEN_FILE ? readFileSync(env.AGENT_TOKEN_FILE, 'utf8').trim() : undefined);
  const apiUrl = values['api-url'] ?? env.AGENT_API_URL;
  const network = values.network ?? env.AGENT_NETWORK;
  const iface = values.interface ?? env.AGENT_INTERFACE ?? 'wg0';
  const apply = (values.apply ?? env.AGENT_APPLY ?? 'syncconf') as ApplyMode;
  const reportS = Number(values['report-interval'] ?? env.AGENT_REPORT_INTERVAL ?? 10);
  if (!apiUrl || !/^https?:\/\//.test(apiUrl)) {
    problems.push('--api-url / AGENT_API_URL: the API URL (http:// or https://)');
  }
  if (!token) {
    problems.push('--token / AGENT_TOKEN: an agent token of the network');
  }
  if (!network) {
    problems.push('--network / AGENT_NETWORK: the network name');
  }
  if (!INTERFACE_NAME_PATTERN.test(iface)) {
    problems.push(`--interface / AGENT_INTERFACE: ${INTERFACE_NAME_RULE}`);
  }
  if (apply !== 'syncconf' && apply !== 'none') {
    problems.push('--apply / AGENT_APPLY: syncconf or none');
  }
  if (!Number.isFinite(reportS) || reportS < 1) {
    problems.push('--report-interval / AGENT_REPORT_INTERVAL: seconds, at least 1');
  }
  if (problems.length > 0) {
    throw new AgentConfigError(`Invalid agent configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    options: {
      apiUrl: apiUrl!,
      token: token!,
      network: network!,
      iface,
      configDir: values['config-dir'] ?? env.AGENT_CONFIG_DIR ?? '/etc/wireguard',
      apply,
      reportIntervalMs: reportS * 1000,
    },
    logLevel: (values['log-level'] ?? env.LOG_LEVEL ?? 'info') as 'debug' | 'info' | 'warn' | 'error',
  };
}

/** Runs the agent until SIGTERM/SIGINT. */
export async function runAgent(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = agentOptionsFrom(argv, env);
  if (parsed === null) {
    process.stdout.write(AGENT_HELP);
    return 0;
  }
  const pretty = logFormatFrom(env.LOG_FORMAT, process.stdout.isTTY === true) === 'pretty';
  const logger = new JsonLogger(parsed.logLevel, pretty ? prettySink() : undefined);
  const agent = new HubAgent(parsed.options, logger);
  await agent.register();
  agent.start();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await agent.close();
  process.exit(0);
}
