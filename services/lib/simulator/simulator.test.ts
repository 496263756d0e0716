import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { UnknownUserError } from './errors.js';
import { localHour, simulationModel } from './model.js';
import { eventsByUser, observedStreamFeatures } from './observed.js';
import { countries, DEFAULT_ACTION, productTopics, SEND, SKIP } from './product.js';
import { createRandom } from './random.js';
import { createSimulator } from './simulator.js';
import { auc, bayesAuc, defaultSummary, oracleSummary, sampleDecideRequests, sendAllSummary } from './summary.js';
import { fitLogistic } from './test-learn.js';

const T0 = Date.UTC(2025, 0, 6);
const DAY = 86_400_000;
const THRESHOLD = 0.3; // examples/notification_send.yaml decision.threshold

describe('simulator', () => {
  it('simulator - the same seed gives the same users, events and requests', () => {
    const run = (seed: number) => {
      const sim = createSimulator({ seed, users: 50 });
      return {
        users: sim.users,
        live: sim.nextEvents(T0, 20),
        history: sim.eventsBetween(T0 - DAY, T0),
        requests: [0, 1, 2].map((i) => sim.nextDecideRequest(T0 + i)),
      };
    };
    assert.deepEqual(run(42), run(42));
    assert.notDeepEqual(run(42).users, run(43).users);
    assert.equal(createSimulator({ seed: 42, users: 50 }).users[0]!.userId, 'user-0000');
  });

  it('simulator - drawing from one method never changes what another returns', () => {
    const busy = createSimulator({ seed: 9, users: 100 });
    const fresh = createSimulator({ seed: 9, users: 100 });
    busy.nextEvents(T0, 500);
    busy.eventsBetween(T0 - DAY, T0);
    assert.deepEqual(busy.nextDecideRequest(T0), fresh.nextDecideRequest(T0));
    fresh.nextDecideRequest(T0);
    fresh.nextEvents(T0, 500);
    assert.deepEqual(busy.nextEvents(T0, 5), fresh.nextEvents(T0, 5));
  });

  it('simulator - click probabilities lie strictly between 0 and 1', () => {
    const sim = createSimulator({ seed: 1, users: 500 });
    for (const user of sim.users) {
      for (let hour = 0; hour < 24; hour++) {
        for (const platform of ['ios', 'android', 'web'] as const) {
          const p = sim.clickProbability(user.userId, { hour, platform });
          assert.ok(p > 0 && p < 1, `${user.userId} ${hour} ${platform}: ${p}`);
        }
      }
    }
  });

  it('simulator - the oracle policy beats the default policy (always skip) by a known margin', () => {
    const sim = createSimulator({ seed: 42, users: 2000 });
    const requests = sampleDecideRequests(sim, T0, T0 + DAY, 6000);
    const base = defaultSummary(sim, requests);
    const oracle = oracleSummary(sim, requests, THRESHOLD);
    const all = sendAllSummary(sim, requests);
    assert.deepEqual([base.sends, base.expectedClicks, base.clickRate], [0, 0, 0]);
    // Known answer for seed 42: the oracle sends about a third and gets ~0.18 clicks per decision.
    assert.ok(oracle.clickRate > 0.15, `oracle click rate ${oracle.clickRate}`);
    assert.ok(oracle.sendRate > 0.25 && oracle.sendRate < 0.45, `oracle send rate ${oracle.sendRate}`);
    // Sending only when p ≥ 0.3 doubles the clicks per notification and keeps most clicks...
    assert.ok(oracle.clicksPerSend > 2 * all.clicksPerSend, `${oracle.clicksPerSend} vs ${all.clicksPerSend}`);
    assert.ok(oracle.expectedClicks > 0.65 * all.expectedClicks);
    // ...at a fraction of the unsubscribes.
    assert.ok(oracle.expectedUnsubscribes < 0.2 * all.expectedUnsubscribes);
  });

  it('simulator - the Bayes-optimal AUC on a sample is above 0.75', () => {
    const sim = createSimulator({ seed: 42, users: 2000 });
    const value = bayesAuc(sim, sampleDecideRequests(sim, T0, T0 + DAY, 6000));
    assert.ok(value > 0.75, String(value));
  });

  it('simulator - a logistic regression on the observable features ranks clicks with AUC above 0.78', () => {
    const sim = createSimulator({ seed: 42, users: 2000 });
    const byUser = eventsByUser(sim.eventsBetween(T0 - 7 * DAY, T0 + DAY));
    const requests = sampleDecideRequests(sim, T0, T0 + DAY, 6000);
    const labels = createRandom(99);
    const rows = requests.map((r) => {
      const f = observedStreamFeatures(byUser.get(r.entity) ?? [], r.ts);
      const x = [
        f.opens_1d,
        Math.log1p(f.opens_1d),
        f.session_mean_7d ?? 0,
        f.session_mean_7d === null ? 1 : 0,
        f.session_ewma ?? 0,
        r.context.hour,
        r.context.platform === 'ios' ? 1 : 0,
        r.context.platform === 'web' ? 1 : 0,
        ...countries.map((c) => (f.last_country === c ? 1 : 0)),
      ];
      return { x, y: sim.outcomeFor(r.entity, r.context, SEND, labels.next()) };
    });
    const train = rows.slice(0, 4500);
    const test = rows.slice(4500);
    const model = fitLogistic(
      train.map((r) => r.x),
      train.map((r) => r.y),
    );
    const value = auc(
      test.map((r) => model.score(r.x)),
      test.map((r) => r.y),
    );
    assert.ok(value > 0.78, String(value));
  });

  it('simulator - a user clicks only when sent, with the true probability', () => {
    const sim = createSimulator({ seed: 3, users: 10 });
    const { entity, context } = sim.nextDecideRequest(T0);
    const p = sim.clickProbability(entity, context);
    assert.equal(sim.outcomeFor(entity, context, SKIP, 0), 0);
    assert.equal(sim.outcomeFor(entity, context, SEND, p * 0.999), 1);
    assert.equal(sim.outcomeFor(entity, context, SEND, p), 0);
    const r = createRandom(4);
    const clicks = Array.from({ length: 40_000 }, () => sim.outcomeFor(entity, context, SEND, r.next())).reduce<number>(
      (a, b) => a + b,
      0,
    );
    assert.ok(Math.abs(clicks / 40_000 - p) < 0.01, `${clicks / 40_000} vs ${p}`);
    assert.equal(sim.oraclePolicy(entity, context, p), SEND);
    assert.equal(sim.oraclePolicy(entity, context, p + 1e-9), SKIP);
    assert.equal(DEFAULT_ACTION, SKIP);
  });

  it('simulator - clicks come within the 30m label window', () => {
    const sim = createSimulator({ seed: 3, users: 1 });
    assert.equal(sim.clickDelayMs(0), 0);
    assert.equal(sim.clickDelayMs(1 - Math.exp(-1)), simulationModel.clickDelayMeanMs);
    assert.ok(sim.clickDelayMs(0.999999) < 30 * 60_000);
  });

  it('simulator - a sent notification may cause an unsubscribe event, a skipped one never', () => {
    const sim = createSimulator({ seed: 3, users: 10 });
    const { entity, context } = sim.nextDecideRequest(T0);
    const q = sim.unsubscribeProbability(entity, context);
    assert.ok(q > 0 && q <= simulationModel.unsubscribeScale);
    assert.deepEqual(sim.guardrailEventsFor(entity, context, SKIP, T0, 0), []);
    assert.deepEqual(sim.guardrailEventsFor(entity, context, SEND, T0, q), []);
    assert.deepEqual(sim.guardrailEventsFor(entity, context, SEND, T0, 0), [
      { topic: 'app.unsubscribes', key: entity, value: { channel: 'push' }, ts: T0 },
    ]);
  });

  it("simulator - history events follow each user's daily rates, in time order within the range", () => {
    const sim = createSimulator({ seed: 11, users: 300 });
    const events = sim.eventsBetween(T0 - 7 * DAY, T0);
    assert.ok(events.every((e, i) => e.ts >= T0 - 7 * DAY && e.ts < T0 && (i === 0 || events[i - 1]!.ts <= e.ts)));
    const expectedOpens = sim.users.reduce((s, u) => s + 7 * u.opensPerDay, 0);
    const opens = events.filter((e) => e.topic === productTopics.opens).length;
    assert.ok(Math.abs(opens / expectedOpens - 1) < 0.05, `${opens} vs ${expectedOpens}`);
    const sessions = events.filter((e) => e.topic === productTopics.sessions);
    assert.ok(
      sessions.every(
        (e) => e.topic === productTopics.sessions && Number.isInteger(e.value.duration_s) && e.value.duration_s >= 1,
      ),
    );
    assert.ok(sessions.every((e) => e.topic === productTopics.sessions && e.value.country === sim.user(e.key).country));
  });

  it('simulator - live events come from active users more often, stamped now', () => {
    const sim = createSimulator({ seed: 11, users: 300 });
    const events = sim.nextEvents(T0, 20_000);
    assert.ok(events.every((e) => e.ts === T0 && e.topic !== productTopics.unsubscribes));
    const count = new Map<string, number>();
    for (const e of events) count.set(e.key, (count.get(e.key) ?? 0) + 1);
    const byEngagement = [...sim.users].sort((a, b) => a.engagement - b.engagement);
    const events0 = byEngagement.slice(0, 100).reduce((s, u) => s + (count.get(u.userId) ?? 0), 0);
    const events2 = byEngagement.slice(200).reduce((s, u) => s + (count.get(u.userId) ?? 0), 0);
    assert.ok(events2 > 4 * events0, `${events2} vs ${events0}`);
  });

  it("simulator - a decide request carries the user's local hour and platform", () => {
    const sim = createSimulator({ seed: 5, users: 100 });
    for (let i = 0; i < 50; i++) {
      const ts = T0 + i * 3_600_000;
      const { entity, context } = sim.nextDecideRequest(ts);
      const user = sim.user(entity);
      assert.deepEqual(context, { hour: localHour(user.country, ts), platform: user.platform });
    }
    assert.equal(localHour('US', T0), 19);
    assert.equal(localHour('JP', T0), 9);
  });

  it('simulator - rejects unknown users and invalid options', () => {
    const sim = createSimulator({ seed: 5, users: 2 });
    assert.throws(
      () => sim.clickProbability('user-9999', { hour: 1, platform: 'ios' }),
      (e: unknown) => e instanceof UnknownUserError && e.code === 'unknown_user',
    );
    assert.throws(
      () => createSimulator({ seed: 1.5, users: 0 }),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 2,
    );
  });
});
