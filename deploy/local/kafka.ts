// Apache Kafka, one node in KRaft mode (broker + controller), run from Maven Central jars.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { brokerAddress, isLoopbackHost, type LooperConfig } from '../../services/lib/config.js';
import { StackError } from '../../services/lib/errors.js';
import { kafkaSecurityOptions } from '../../services/lib/kafka.js';
import type { Log, StackComponent } from './component.js';
import { pinnedVersion, runMaven } from './maven.js';
import { componentDir, stackPaths } from './paths.js';
import {
  lastLines,
  runLogged,
  runningPid,
  startDetached,
  stopProcess,
  waitFor,
  type ManagedProcess,
} from './processes.js';
import { canConnect } from './tcp.js';
import { scramCredential, type SecuredStack } from './secure.js';

const startTimeoutMs = 120_000;

/** Kafka's cluster ids are 16 random bytes in URL-safe base64, not starting with '-'. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * A SASL_SSL listener in place of the PLAINTEXT one: clients, and the broker itself (inter-broker),
 * authenticate with SCRAM over TLS. The controller listener stays PLAINTEXT on `host` (loopback).
 */
export interface SaslSslListener {
  readonly mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  /** PKCS12 keystore with the broker's key and certificate. */
  readonly keystore: string;
  readonly keystorePassword: string;
  /** PEM file of the CA the broker trusts when it connects to itself. */
  readonly truststore: string;
  /** The SCRAM user the broker connects to itself as; its password is written into the properties. */
  readonly interBroker: { readonly username: string; readonly password: string };
}

function saslSslLines(secured: SaslSslListener): string[] {
  const { mechanism, interBroker } = secured;
  return [
    `sasl.enabled.mechanisms=${mechanism}`,
    `sasl.mechanism.inter.broker.protocol=${mechanism}`,
    `listener.name.sasl_ssl.${mechanism.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${interBroker.username}" password="${interBroker.password}";`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${secured.keystore}`,
    `ssl.keystore.password=${secured.keystorePassword}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${secured.truststore}`,
  ];
}

export function kafkaServerProperties(
  host: string,
  port: number,
  dataDir: string,
  secured: SaslSslListener | null = null,
): string {
  const controllerPort = port + 1;
  const listener = secured === null ? 'PLAINTEXT' : 'SASL_SSL';
  return [
    secured === null
      ? '# Written by `looper stack up`: a single-node KRaft broker + controller.'
      : '# A single-node KRaft broker + controller: clients and the broker itself use SASL (SCRAM) over TLS.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=${listener}://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=${listener}://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    `inter.broker.listener.name=${listener}`,
    `listener.security.protocol.map=${listener}:${listener},CONTROLLER:PLAINTEXT`,
    ...(secured === null ? [] : saslSslLines(secured)),
    `log.dirs=${dataDir}`,
    '# One node: every internal topic has one replica.',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    '# Consumers join at once instead of waiting for more members.',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    'auto.create.topics.enable=true',
    '',
  ].join('\n');
}

/** Where the stack keeps the Kafka jars (fetched by `looper stack up` on its first run). */
export function kafkaLibs(dataDir: string): string {
  return join(stackPaths(dataDir).downloads, `kafka-${pinnedVersion('kafka.version')}`, 'libs');
}

/**
 * Whether the jars are all there: the broker's and the tools' (added later, so a stack fetched
 * before has the broker's only, and fetches again once).
 */
export function kafkaLibsComplete(dataDir: string): boolean {
  const libs = kafkaLibs(dataDir);
  const version = pinnedVersion('kafka.version');
  return [`kafka_2.13-${version}.jar`, `kafka-tools-${version}.jar`].every((jar) => existsSync(join(libs, jar)));
}

/** The broker's process: its pid file and log in `dir`, recognised by its properties file. */
export function kafkaProcess(dir: string, propertiesFile: string): ManagedProcess {
  return { pidFile: join(dir, 'kafka.pid'), logFile: join(dir, 'kafka.log'), marker: propertiesFile };
}

/** Formats the broker's storage (a new cluster id) with the jars in `libs`; `extraArgs` e.g. --add-scram. */
export async function formatKafkaStorage(
  libs: string,
  propertiesFile: string,
  logFile: string,
  extraArgs: readonly string[] = [],
): Promise<void> {
  const code = await runLogged(
    'java',
    ['-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propertiesFile, ...extraArgs],
    logFile,
  );
  if (code !== 0) throw new StackError('kafka', `kafka.tools.StorageTool format failed (exit ${code})`, logFile);
}

/** Starts the broker detached (log and pid file as `proc` says); returns its pid. */
export function startKafkaBroker(proc: ManagedProcess, libs: string, propertiesFile: string, dir: string): number {
  return startDetached(
    proc,
    'java',
    [
      '-Xms256m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      '-cp',
      `${libs}/*`,
      'kafka.Kafka',
      propertiesFile,
    ],
    dir,
    { ...process.env, KAFKA_HEAP_OPTS: '' },
  );
}

/**
 * The stack's broker; with `secured`, its only client listener is SASL_SSL, on storage of its own
 * (data-secure: the SCRAM users are created when it is formatted) so that the open stack's topics
 * are left as they were.
 */
export function createKafka(config: LooperConfig, secured: SecuredStack | null = null): StackComponent {
  const paths = stackPaths(config.dataDir);
  const version = pinnedVersion('kafka.version');
  const libs = kafkaLibs(config.dataDir);
  const dir = componentDir(paths, 'kafka');
  const propertiesFile = join(dir, 'server.properties');
  const proc = kafkaProcess(dir, propertiesFile);
  const broker = config.kafkaBrokers[0]!;
  const { host, port } = brokerAddress(broker);

  async function healthy(): Promise<boolean> {
    if (!(await canConnect(host, port, 1000))) return false;
    const admin = new Kafka({
      brokers: config.kafkaBrokers,
      ...kafkaSecurityOptions(config),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async function start(log: Log): Promise<void> {
    if (!isLoopbackHost(host)) {
      throw new StackError(
        'kafka',
        `${broker} does not answer, and the local stack only starts Kafka on this machine; check LOOPER_KAFKA_BROKERS`,
        null,
      );
    }
    mkdirSync(dir, { recursive: true });
    if (!kafkaLibsComplete(config.dataDir)) {
      mkdirSync(libs, { recursive: true });
      log(`kafka: fetching Apache Kafka ${version} jars (first run, or jars added to the stack since)`);
      await runMaven({
        component: 'kafka',
        goalArgs: ['dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'],
        mavenRepo: join(paths.mavenRepo, 'kafka'),
        logFile: proc.logFile,
        log,
      });
    }
    const dataDir = join(dir, secured === null ? 'data' : 'data-secure');
    const listener: SaslSslListener | null =
      secured === null
        ? null
        : {
            mechanism: 'SCRAM-SHA-512',
            keystore: secured.keystore,
            keystorePassword: secured.keystorePassword,
            truststore: secured.ca,
            interBroker: { username: 'broker', password: secured.kafkaUsers['broker']! },
          };
    // Mode 600: secured, it holds the broker's own SCRAM password and the keystore's.
    writeFileSync(propertiesFile, kafkaServerProperties(host, port, dataDir, listener), { mode: 0o600 });
    chmodSync(propertiesFile, 0o600); // an older file keeps its mode through writeFileSync
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      log(`kafka: formatting ${secured === null ? 'storage' : 'the secured storage'} (first run only)`);
      const scram =
        secured === null
          ? []
          : Object.entries(secured.kafkaUsers).flatMap(([name, password]) => [
              '--add-scram',
              scramCredential(name, password),
            ]);
      await formatKafkaStorage(libs, propertiesFile, proc.logFile, scram);
    }
    const pid = startKafkaBroker(proc, libs, propertiesFile, dir);
    const outcome = await waitFor(healthy, startTimeoutMs, () => runningPid(proc) === pid);
    if (outcome !== 'ready') {
      const tail = lastLines(proc.logFile, 8);
      throw new StackError(
        'kafka',
        outcome === 'exited'
          ? `the broker exited while starting (java -cp … kafka.Kafka ${propertiesFile}):\n${tail}`
          : `the broker did not answer at ${broker} within ${startTimeoutMs / 1000} s`,
        proc.logFile,
      );
    }
  }

  return {
    name: 'kafka',
    address: broker,
    logFile: proc.logFile,
    healthy: () => healthy().catch(() => false),
    managedPid: () => runningPid(proc),
    start,
    stop: () => stopProcess(proc, 30_000),
  };
}
