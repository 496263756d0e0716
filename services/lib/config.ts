// Looper's connection settings: read from the environment once (by a main.ts or the CLI),
// validated here with messages that say what to do, and passed down as one typed object.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError } from './errors.js';
import { compileSecurity, type ReadFile, type SecuritySettings } from './security-config.js';

/**
 * Looper's service processes, each with its offset from the base ops port: the ports stay put as
 * services are added (a new one takes the next offset), so dashboards and scrape configs can name them.
 */
export const opsPortOffsets = {
  features: 0,
  joiner: 1,
  trainer: 2,
  predictor: 3,
  automl: 4,
  rollout: 5,
  monitor: 6,
} as const;
export type LooperServiceName = keyof typeof opsPortOffsets;
export const looperServiceNames = Object.keys(opsPortOffsets) as LooperServiceName[];
const MAX_OPS_OFFSET = Math.max(...Object.values(opsPortOffsets));

export interface LooperConfig {
  /** Kafka bootstrap brokers, host:port. */
  kafkaBrokers: string[];
  /** Base URL of a Confluent-compatible schema registry API. */
  schemaRegistryUrl: string;
  /** NATS server URL. */
  natsUrl: string;
  /** Where the local stack keeps downloads, data, logs and pid files. */
  dataDir: string;
  /** Interface the services' ops servers (/metrics, /healthz, /readyz) listen on. */
  opsHost: string;
  /** Each service's ops port is this plus its offset (opsPortOffsets); 0: every service takes an ephemeral port. */
  opsPortBase: number;
  /** Ops ports set for one service (LOOPER_OPS_PORT_<SERVICE>); they win over the base. 0: an ephemeral port. */
  opsPorts: Partial<Record<LooperServiceName, number>>;
  /** Credentials and TLS for NATS, Kafka and the schema registry (security-config.ts); none by default. */
  security: SecuritySettings;
  /** Names this instance's state folder (services/<service>-<instance>), for several instances on one machine. */
  instance: string;
  /** Decide requests a predictor answers at once; more are refused as overloaded. */
  predictorMaxInFlight: number;
  /** How often the monitor evaluates its alert rules, in milliseconds. */
  monitorTickMs: number;
  /** Bytes a predictor's decision log on disk (decisions Kafka has not taken yet) may take; past it they are counted and dropped. */
  decisionLogMaxBytes: number;
}

export const configDefaults = {
  kafkaBrokers: '127.0.0.1:9092',
  schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
  natsUrl: 'nats://127.0.0.1:4222',
  dataDirInHome: '.looper',
  // Loopback: metrics and health are for this machine unless asked otherwise.
  opsHost: '127.0.0.1',
  // The OpenTelemetry Prometheus exporter's port, clear of the stack's Kafka, registry and NATS ports.
  opsPortBase: 9464,
  instance: '0',
  predictorMaxInFlight: 2000,
  monitorTickMs: 5000,
  // 1 GiB: some 3 million decisions of the example blueprint (about 350 bytes each on disk), 8 hours of
  // an outage at 100 decisions a second.
  decisionLogMaxBytes: 1024 * 1024 * 1024,
} as const;

export const configVariables = {
  kafkaBrokers: 'LOOPER_KAFKA_BROKERS',
  schemaRegistryUrl: 'LOOPER_SCHEMA_REGISTRY_URL',
  natsUrl: 'LOOPER_NATS_URL',
  dataDir: 'LOOPER_DATA_DIR',
  opsHost: 'LOOPER_OPS_HOST',
  opsPortBase: 'LOOPER_OPS_PORT',
  instance: 'LOOPER_INSTANCE',
  predictorMaxInFlight: 'LOOPER_PREDICTOR_MAX_IN_FLIGHT',
  monitorTickMs: 'LOOPER_MONITOR_TICK_MS',
  decisionLogMaxBytes: 'LOOPER_DECISION_LOG_MAX_BYTES',
} as const;

/** The variable that sets one service's ops port, e.g. LOOPER_OPS_PORT_PREDICTOR. */
export function opsPortVariable(service: LooperServiceName): string {
  return `${configVariables.opsPortBase}_${service.toUpperCase()}`;
}

/** The port `service`'s ops server listens on: its own setting, else the base plus its offset (0: ephemeral). */
export function opsPortOf(config: Pick<LooperConfig, 'opsPortBase' | 'opsPorts'>, service: LooperServiceName): number {
  const own = config.opsPorts[service];
  if (own !== undefined) return own;
  return config.opsPortBase === 0 ? 0 : config.opsPortBase + opsPortOffsets[service];
}

type Env = Readonly<Record<string, string | undefined>>;

function parseHostPort(value: string): { host: string; port: number } | null {
  const match = /^\[?([A-Za-z0-9.\-:]+?)\]?:(\d{1,5})$/.exec(value.trim());
  if (!match) return null;
  const port = Number(match[2]);
  return port > 0 && port < 65536 ? { host: match[1]!, port } : null;
}

/** Validates the LOOPER_* variables of `env`; every problem is reported at once. */
export function compileConfig(
  env: Env,
  homeDir: string,
  readFile: ReadFile = (path) => readFileSync(path, 'utf8'),
): LooperConfig {
  const problems: string[] = [];
  const get = (key: keyof typeof configVariables, fallback: string) => {
    const value = env[configVariables[key]]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };

  const brokersText = get('kafkaBrokers', configDefaults.kafkaBrokers);
  const kafkaBrokers = brokersText
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const broker of kafkaBrokers) {
    if (!parseHostPort(broker)) {
      problems.push(
        `${configVariables.kafkaBrokers}: "${broker}" is not host:port; set it like 127.0.0.1:9092 (comma-separated for several brokers)`,
      );
    }
  }

  const schemaRegistryUrl = get('schemaRegistryUrl', configDefaults.schemaRegistryUrl).replace(/\/+$/, '');
  if (!isUrl(schemaRegistryUrl, ['http:', 'https:'])) {
    problems.push(
      `${configVariables.schemaRegistryUrl}: "${schemaRegistryUrl}" is not an http(s) URL; set it like ${configDefaults.schemaRegistryUrl}`,
    );
  }

  const natsUrl = get('natsUrl', configDefaults.natsUrl);
  if (!natsUrl.split(',').every((url) => isUrl(url.trim(), ['nats:', 'tls:', 'ws:', 'wss:']))) {
    problems.push(
      `${configVariables.natsUrl}: "${natsUrl}" is not a NATS URL (or a comma-separated list of them); set it like ${configDefaults.natsUrl}`,
    );
  }

  const dataDir = get('dataDir', `${homeDir.replace(/\/+$/, '')}/${configDefaults.dataDirInHome}`);
  if (!dataDir.startsWith('/')) {
    problems.push(`${configVariables.dataDir}: "${dataDir}" must be an absolute path, e.g. $HOME/.looper`);
  }

  const instance = get('instance', configDefaults.instance);
  if (!/^[A-Za-z0-9_.-]+$/.test(instance) || instance.startsWith('.')) {
    problems.push(
      `${configVariables.instance}: "${instance}" cannot name a state folder; use letters, digits, "-", "_" or ".", e.g. 1`,
    );
  }
  const whole = (key: 'predictorMaxInFlight' | 'monitorTickMs' | 'decisionLogMaxBytes', min: number, unit: string) => {
    const text = get(key, String(configDefaults[key]));
    const n = Number(text);
    if (Number.isSafeInteger(n) && n >= min) return n;
    problems.push(
      `${configVariables[key]}: "${text}" is not a whole number${unit} ≥ ${min}; set it like ${configDefaults[key]}`,
    );
    return configDefaults[key];
  };
  const predictorMaxInFlight = whole('predictorMaxInFlight', 1, '');
  const monitorTickMs = whole('monitorTickMs', 100, ' of milliseconds');
  // A MiB at least: room for a few chunks of decisions, so that draining can run ahead of appends.
  const decisionLogMaxBytes = whole('decisionLogMaxBytes', 1024 * 1024, ' of bytes');

  const ops = compileOps(env, problems);
  const security = compileSecurity(env, problems, readFile);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    kafkaBrokers,
    schemaRegistryUrl,
    natsUrl,
    dataDir,
    ...ops,
    security,
    instance,
    predictorMaxInFlight,
    monitorTickMs,
    decisionLogMaxBytes,
  };
}

function compileOps(env: Env, problems: string[]): Pick<LooperConfig, 'opsHost' | 'opsPortBase' | 'opsPorts'> {
  const read = (variable: string) => {
    const value = env[variable]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const hostText = read(configVariables.opsHost) ?? configDefaults.opsHost;
  const opsHost = hostText.replace(/^\[(.*)\]$/, '$1');
  if (!isHostName(opsHost)) {
    problems.push(
      `${configVariables.opsHost}: "${hostText}" is not a host name or IP address; set it like ${configDefaults.opsHost} (or 0.0.0.0 to serve metrics on every interface)`,
    );
  }

  const maxBase = 65535 - MAX_OPS_OFFSET;
  const baseText = read(configVariables.opsPortBase);
  const opsPortBase = baseText === undefined ? configDefaults.opsPortBase : parsePort(baseText, maxBase);
  if (opsPortBase === null) {
    problems.push(
      `${configVariables.opsPortBase}: "${baseText}" is not a port from 1 to ${maxBase} (services listen on it plus 0–${MAX_OPS_OFFSET}); set it like ${configDefaults.opsPortBase}, or 0 for ephemeral ports`,
    );
  }

  const opsPorts: Partial<Record<LooperServiceName, number>> = {};
  for (const service of looperServiceNames) {
    const text = read(opsPortVariable(service));
    if (text === undefined) continue;
    const port = parsePort(text, 65535);
    if (port === null)
      problems.push(
        `${opsPortVariable(service)}: "${text}" is not a port from 1 to 65535; set it like ${configDefaults.opsPortBase + opsPortOffsets[service]}, or 0 for an ephemeral port`,
      );
    else opsPorts[service] = port;
  }
  const prefix = `${configVariables.opsPortBase}_`;
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith(prefix) || env[variable] === undefined) continue;
    const service = variable.slice(prefix.length).toLowerCase();
    if (!Object.hasOwn(opsPortOffsets, service)) {
      problems.push(
        `${variable}: no Looper service is called "${service}"; the ops port variables are ${looperServiceNames.map(opsPortVariable).join(', ')}`,
      );
    }
  }

  const config = { opsPortBase: opsPortBase ?? configDefaults.opsPortBase, opsPorts };
  problems.push(...opsPortClashes(config));
  return { opsHost, ...config };
}

/** Two services given the same fixed port: the one set on its own is told to move (one of them always is). */
function opsPortClashes(config: Pick<LooperConfig, 'opsPortBase' | 'opsPorts'>): string[] {
  const owners = new Map<number, LooperServiceName>();
  const clashes: string[] = [];
  for (const service of looperServiceNames) {
    const port = opsPortOf(config, service);
    if (port === 0) continue;
    const other = owners.get(port);
    if (other === undefined) {
      owners.set(port, service);
      continue;
    }
    const [moved, kept] = config.opsPorts[service] !== undefined ? [service, other] : [other, service];
    clashes.push(`${opsPortVariable(moved)}: ${port} is also the ops port of ${kept}; give each service its own port`);
  }
  return clashes;
}

/** A whole port number from 0 to `max`, or null. */
function parsePort(text: string, max: number): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port <= max ? port : null;
}

function isHostName(host: string): boolean {
  return (
    isIP(host) !== 0 ||
    /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
      host,
    )
  );
}

function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export function brokerAddress(broker: string): { host: string; port: number } {
  const parsed = parseHostPort(broker);
  if (!parsed) throw new ConfigError([`"${broker}" is not host:port`]);
  return parsed;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
