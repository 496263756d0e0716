// `looper events publish TOPIC [FILE|-]`: product events from a file or stdin, one JSON object per
// line, published to a Kafka topic, each keyed by --key or by its --key-field. Every line is checked
// first (a file is published whole or not at all); the topic must exist, since a typo must not make
// a new topic, and --create creates it.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Admin } from 'kafkajs';
import type { LooperConfig } from '../lib/config.js';
import { LooperError, UsageError, errorMessage } from '../lib/errors.js';
import { producerDefaults, sendInChunks } from '../lib/kafka.js';
import { allTopics } from '../../topology/topics.js';
import { cliKafka } from './clients.js';
import { eventKeying, parseEventLines, topicNameProblem, type EventKeying } from './events-input.js';

interface PublishOptions {
  key?: string;
  keyField?: string;
  create?: boolean;
}

/** The input's text and its name in messages: a file, or stdin for `-` or no file. */
async function readInput(file: string | undefined): Promise<{ text: string; source: string }> {
  if (file !== undefined && file !== '-') {
    try {
      return { text: await readFile(file, 'utf8'), source: file };
    } catch (error) {
      throw new UsageError(`events publish: cannot read ${file} (${errorMessage(error)})`);
    }
  }
  if (file === undefined && process.stdin.isTTY)
    throw new UsageError(
      'events publish: give a file of events, or pipe them in: looper events publish TOPIC - < FILE',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { text: Buffer.concat(chunks).toString('utf8'), source: 'stdin' };
}

/** Refuses a topic that is not there (unless --create makes it) and Looper's own topics. */
async function ensureTopic(admin: Admin, config: LooperConfig, topic: string, create: boolean): Promise<void> {
  const own = allTopics.find((t) => t.name === topic);
  if (own)
    throw new UsageError(
      `events publish: ${topic} is Looper's own topic (${own.valueSchema ?? 'bytes'} values written by ${own.producers.join(', ')}), not a product topic: publish product events to the topics your blueprints read`,
    );
  if ((await admin.listTopics()).includes(topic)) return;
  if (create) {
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    return;
  }
  const brokers = config.kafkaBrokers.join(',');
  throw new LooperError(
    'unknown_topic',
    `events publish: topic ${topic} does not exist on Kafka at ${brokers}; pass --create to create it (the broker's default partitions and replication) or create it yourself (kafka-topics.sh --bootstrap-server ${config.kafkaBrokers[0]} --create --topic ${topic} --partitions N). looper does not let the broker auto-create it, so that a misspelt topic is refused rather than made`,
  );
}

const describeKeying = (keying: EventKeying): string =>
  keying.kind === 'key' ? `key ${keying.key}` : `field ${keying.field}`;

export async function publishEvents(
  config: LooperConfig,
  topic: string,
  file: string | undefined,
  options: PublishOptions,
): Promise<string> {
  const topicProblem = topicNameProblem(topic);
  if (topicProblem !== null) throw new UsageError(`events publish: ${topicProblem}`);
  const keying = eventKeying(options);
  const { text, source } = await readInput(file);
  const events = parseEventLines(text, source, keying);
  if (events.length === 0) throw new UsageError(`events publish: ${source} has no events (one JSON object per line)`);

  const kafka = cliKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, config, topic, options.create === true);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ ...producerDefaults, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await sendInChunks(
      producer,
      topic,
      events.map((e) => ({ key: e.key, value: e.value })),
    );
  } catch (error) {
    if (error instanceof LooperError) throw error;
    throw new LooperError(
      'publish_failed',
      `events publish: ${topic} did not take the events (${errorMessage(error)})`,
      {
        cause: error,
        retriable: true,
      },
    );
  } finally {
    await producer.disconnect();
  }
  const noun = events.length === 1 ? 'event' : 'events';
  return `published ${events.length} ${noun} to ${topic} (keyed by ${describeKeying(keying)})`;
}

export function registerEventsCommands(program: Command, getConfig: () => LooperConfig): void {
  const events = program.command('events').description('product events on Kafka topics');

  events
    .command('publish <topic> [file]')
    .description(
      'publish JSON events, one object per line, from FILE or stdin (- or no FILE) to TOPIC; every line is checked before any is published',
    )
    .option('--key-field <field>', "key each event by its own field's value (a string or a number), e.g. user")
    .option('--key <key>', 'key every event by KEY')
    .option('--create', "create TOPIC when it does not exist (the broker's default partitions and replication)")
    .action(async (topic: string, file: string | undefined, options: PublishOptions) => {
      console.log(await publishEvents(getConfig(), topic, file, options));
    });
}
