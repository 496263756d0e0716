// Ask Looper whether to send a notification, then report what the user did.
// Run it against a running Looper (npm start): npx tsx examples/sdk-example.ts
import { LooperClient } from '../services/sdk/index.js';

const looper = await LooperClient.connect(); // LOOPER_NATS_URL, … or their defaults: decisions and outcomes both go over NATS

const decision = await looper.decide(
  'notification_send',
  'user-0042',
  { hour: 20, platform: 'ios' },
  { deadlineMs: 50 },
);
console.log(
  `action ${decision.action} (score ${decision.score ?? '—'}, fallback ${decision.fallback}, model ${decision.model ?? 'none yet'})`,
);

if (decision.action === 'send' && decision.decisionId) {
  // … send the notification; later, when the app learns whether it was opened:
  await looper.outcome(decision.decisionId, 1);
}
await looper.close();
