// The one handler for poison records: each goes to looper.dlq with what failed, where and why,
// and the consumer that met it carries on.
import type { Producer } from 'kafkajs';
import type { DeadLetter } from './schemas/generated.js';
import type { TopicCodec } from './topic-codec.js';
import { topics } from '../../topology/topics.js';

export interface PoisonRecord {
  sourceTopic: string;
  partition: number | null;
  offset: string | null;
  key: Buffer | null;
  payload: Buffer;
}

export interface DeadLetterSink {
  send(record: PoisonRecord, errorCode: string, reason: string): Promise<void>;
}

export function createDeadLetterSink(
  service: string,
  producer: Producer,
  codec: TopicCodec,
  log: (line: string) => void,
): DeadLetterSink {
  return {
    async send(record, errorCode, reason) {
      const letter: DeadLetter = {
        sourceTopic: record.sourceTopic,
        sourcePartition: record.partition,
        sourceOffset: record.offset,
        service,
        reason,
        errorCode,
        key: record.key,
        payload: record.payload,
        ts: Date.now(),
      };
      log(
        `dead letter from ${record.sourceTopic}[${record.partition ?? '-'}]@${record.offset ?? '-'}: ${errorCode}: ${reason}`,
      );
      await producer.send({
        topic: topics.deadLetters.name,
        acks: -1,
        messages: [{ key: record.sourceTopic, value: codec.encode(topics.deadLetters, letter) }],
      });
    },
  };
}
