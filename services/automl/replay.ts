// Replays a blueprint's examples from looper.examples: the records written since `sinceMs`
// (by record time, which is when the label became known), the blueprint's own, those that teach
// its score, each with its entity, ready for the split that keeps an entity on one side.
import type { Kafka } from 'kafkajs';
import type { TopicCodec } from '../lib/topic-codec.js';
import type { Blueprint, Example } from '../lib/schemas/generated.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { trainingFeatures } from '../lib/learners/teaches-score.js';
import { countsForSearch } from './enough-examples.js';
import type { TimedExample } from '../lib/automl/dataset.js';
import { topics } from '../../topology/topics.js';

export interface Replay {
  readonly examples: TimedExample[];
  /** Records read, all blueprints included. */
  readonly read: number;
  /** The blueprint's examples that do not teach the score (e.g. an action that was not the first). */
  readonly notTeaching: number;
  readonly duplicates: number;
  readonly undecodable: number;
}

export async function replayExamples(
  kafka: Kafka,
  codec: TopicCodec,
  bp: Blueprint,
  sinceTs?: number,
): Promise<Replay> {
  const records = await readTopicToEnd(kafka, topics.examples.name, 600_000, sinceTs);
  const examples: TimedExample[] = [];
  const seen = new Set<string>();
  let notTeaching = 0;
  let duplicates = 0;
  let undecodable = 0;
  for (const { message } of records) {
    if (!message.value) continue;
    let example: Example;
    try {
      example = await codec.decode<Example>(topics.examples, message.value);
    } catch {
      undecodable++;
      continue;
    }
    if (example.blueprint !== bp.name) continue;
    // The joiner writes each example once, but a replay after its crash may repeat one.
    if (seen.has(example.exampleId)) {
      duplicates++;
      continue;
    }
    seen.add(example.exampleId);
    if (!countsForSearch(bp, example)) {
      notTeaching++;
      continue;
    }
    examples.push({
      decisionTs: example.decisionTs,
      entity: example.entity,
      features: trainingFeatures(bp, example),
      label: example.label,
      weight: example.weight,
    });
  }
  return { examples, read: records.length, notTeaching, duplicates, undecodable };
}
