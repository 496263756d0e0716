// The CLI's Kafka client: kafkajs's own retry logs stay quiet (a failure ends the command with one
// clear message) unless LOOPER_DEBUG is set.
import type { Kafka } from 'kafkajs';
import type { LooperConfig } from '../lib/config.js';
import { createKafkaClient } from '../lib/kafka.js';

export function cliKafka(config: LooperConfig): Kafka {
  const debug = Boolean(process.env['LOOPER_DEBUG']);
  return createKafkaClient(config, { clientId: 'looper-cli', onLog: debug ? undefined : () => undefined });
}
