// Decisions are logged asynchronously in small batches so the reply never waits for Kafka;
// one batch is in flight at a time, and a failed batch is retried before newer ones. A batch is
// bounded like any send (kafka.ts chunkEnd), so a backlog built while Kafka was away goes out in
// several.
import type { Producer } from 'kafkajs';
import type { Decision } from '../lib/schemas/generated.js';
import type { TopicCodec } from '../lib/topic-codec.js';
import { errorMessage } from '../lib/errors.js';
import { chunkEnd } from '../lib/kafka.js';
import { topics } from '../../topology/topics.js';

export interface DecisionLog {
  append(decision: Decision): void;
  /** Sends everything buffered; resolves when it is acknowledged. */
  flush(): Promise<void>;
  /** Decisions acknowledged by Kafka so far. */
  logged(): number;
}

export function createDecisionLog(
  producer: Producer,
  codec: TopicCodec,
  log: (line: string) => void,
  lingerMs = 5,
): DecisionLog {
  let buffer: Array<{ key: string; value: Buffer }> = [];
  let inFlight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let acknowledged = 0;

  async function sendAll(): Promise<void> {
    while (buffer.length > 0) {
      // Bounded sends: decisions buffered while Kafka was away must not become one batch it refuses.
      const batch = buffer.splice(0, chunkEnd(buffer, 0));
      try {
        await producer.send({ topic: topics.decisions.name, acks: -1, messages: batch });
        acknowledged += batch.length;
      } catch (error) {
        log(`decision log: ${batch.length} decisions not yet written (${errorMessage(error)}); retrying`);
        buffer = batch.concat(buffer);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  function schedule(): void {
    if (inFlight || timer) return;
    timer = setTimeout(() => {
      timer = null;
      inFlight = sendAll().finally(() => {
        inFlight = null;
        if (buffer.length > 0) schedule();
      });
    }, lingerMs);
  }

  return {
    append(decision) {
      buffer.push({ key: decision.entity, value: codec.encode(topics.decisions, decision) });
      schedule();
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      while (inFlight || buffer.length > 0) {
        if (inFlight) await inFlight;
        else await (inFlight = sendAll().finally(() => (inFlight = null)));
      }
    },
    logged: () => acknowledged,
  };
}
