// Looper's connection settings: read from the environment once (by a main.ts or the CLI),
// validated here with messages that say what to do, and passed down as one typed object.
import { ConfigError } from './errors.js';

export interface LooperConfig {
  /** Kafka bootstrap brokers, host:port. */
  kafkaBrokers: string[];
  /** Base URL of a Confluent-compatible schema registry API. */
  schemaRegistryUrl: string;
  /** NATS server URL. */
  natsUrl: string;
  /** Where the local stack keeps downloads, data, logs and pid files. */
  dataDir: string;
}

export const configDefaults = {
  kafkaBrokers: '127.0.0.1:9092',
  schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
  natsUrl: 'nats://127.0.0.1:4222',
  dataDirInHome: '.looper',
} as const;

export const configVariables = {
  kafkaBrokers: 'LOOPER_KAFKA_BROKERS',
  schemaRegistryUrl: 'LOOPER_SCHEMA_REGISTRY_URL',
  natsUrl: 'LOOPER_NATS_URL',
  dataDir: 'LOOPER_DATA_DIR',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

function parseHostPort(value: string): { host: string; port: number } | null {
  const match = /^\[?([A-Za-z0-9.\-:]+?)\]?:(\d{1,5})$/.exec(value.trim());
  if (!match) return null;
  const port = Number(match[2]);
  return port > 0 && port < 65536 ? { host: match[1]!, port } : null;
}

/** Validates the LOOPER_* variables of `env`; every problem is reported at once. */
export function compileConfig(env: Env, homeDir: string): LooperConfig {
  const problems: string[] = [];
  const get = (key: keyof typeof configVariables, fallback: string) => {
    const value = env[configVariables[key]]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };

  const brokersText = get('kafkaBrokers', configDefaults.kafkaBrokers);
  const kafkaBrokers = brokersText.split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of kafkaBrokers) {
    if (!parseHostPort(broker)) {
      problems.push(`${configVariables.kafkaBrokers}: "${broker}" is not host:port; set it like 127.0.0.1:9092 (comma-separated for several brokers)`);
    }
  }

  const schemaRegistryUrl = get('schemaRegistryUrl', configDefaults.schemaRegistryUrl).replace(/\/+$/, '');
  if (!isUrl(schemaRegistryUrl, ['http:', 'https:'])) {
    problems.push(`${configVariables.schemaRegistryUrl}: "${schemaRegistryUrl}" is not an http(s) URL; set it like ${configDefaults.schemaRegistryUrl}`);
  }

  const natsUrl = get('natsUrl', configDefaults.natsUrl);
  if (!isUrl(natsUrl, ['nats:', 'tls:', 'ws:', 'wss:'])) {
    problems.push(`${configVariables.natsUrl}: "${natsUrl}" is not a NATS URL; set it like ${configDefaults.natsUrl}`);
  }

  const dataDir = get('dataDir', `${homeDir.replace(/\/+$/, '')}/${configDefaults.dataDirInHome}`);
  if (!dataDir.startsWith('/')) {
    problems.push(`${configVariables.dataDir}: "${dataDir}" must be an absolute path, e.g. $HOME/.looper`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { kafkaBrokers, schemaRegistryUrl, natsUrl, dataDir };
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
