// The README's tour, steps 3–5 (README.md "A five-minute tour"): the README quotes what follows
// these two lines; scripts/tour.test.ts keeps the two equal and outcomes-nats.test.ts runs it.
import { Kafka } from 'kafkajs';
import { LooperClient } from './services/sdk/index.js';

// 3. Events: JSON keyed by the entity, stamped with ts, on a topic the blueprint reads
const producer = new Kafka({ brokers: ['127.0.0.1:9092'] }).producer();
await producer.connect();
const session = { ts: Date.now(), duration_s: 240, country: 'DE' };
await producer.send({ topic: 'app.sessions', messages: [{ key: 'user-tour', value: JSON.stringify(session) }] });
await producer.disconnect();

// 4. Decide (over NATS; the default action before any model)
const looper = await LooperClient.connect();
const decision = await looper.decide('notification_send', 'user-tour', { hour: 20, platform: 'ios' });
console.log(decision.action, decision.score, decision.fallback ? decision.fallbackReason : decision.model);

// 5. Outcome: the user opened the notification
if (decision.action === 'send' && decision.decisionId) await looper.outcome(decision.decisionId, 1);
await looper.close();
