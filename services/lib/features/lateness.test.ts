// How events arrived against their partition's event time: classified, tallied per aggregation,
// and attributed to every blueprint feature the aggregation computes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../blueprint/compile.js';
import { DEFAULT_LATENESS_MS } from '../blueprint/compile-features.js';
import { blueprintWith } from '../blueprint/test-blueprints.js';
import type { Blueprint } from '../schemas/generated.js';
import { ArrivalTally, arrivalOf, featureArrivals, judged, type Arrival } from './lateness.js';
import { planFeatureStreams } from './registry.js';
import { Feed, T0, specOf } from './test-feed.js';
import type { AggregatorSpec } from './state.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Pushes [value, dt] events as the features service does and classifies each as it would. */
function arrivals(
  spec: AggregatorSpec,
  events: ReadonlyArray<readonly [number, number]>,
  feed = new Feed(spec),
): Array<Arrival | null> {
  return events.map(([value, dt]) => {
    const newestBefore = feed.watermark;
    return arrivalOf(feed.push(value, dt), T0 + dt, newestBefore);
  });
}

function blueprint(name: string, streams: unknown[]): Blueprint {
  const result = compileBlueprint(
    blueprintWith((bp) => {
      bp['blueprint'] = name;
      bp['features'] = { streams };
    }),
  );
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return { ...result.blueprint, version: 1 };
}

describe('event arrival', () => {
  it('arrival - an applied event behind the newest event time is late_applied, one at or after it in_order; late is late_dropped, ignored is none', () => {
    assert.equal(arrivalOf('applied', T0, T0), 'in_order');
    assert.equal(arrivalOf('applied', T0 + 1, T0), 'in_order');
    assert.equal(arrivalOf('applied', T0 - 1, T0), 'late_applied');
    assert.equal(arrivalOf('late', T0 - 1, T0), 'late_dropped');
    assert.equal(arrivalOf('ignored', T0 - 1, T0), null);
    assert.equal(arrivalOf('applied', T0, -Infinity), 'in_order', 'the first event of a partition');
  });

  it('arrival - under the default lateness an event 2 s behind its partition is late but counted; 6 s behind it is dropped', () => {
    const spec = specOf('count', { windowMs: MINUTE, latenessMs: DEFAULT_LATENESS_MS });
    const feed = new Feed(spec);
    const events = [
      [1, 10 * SECOND],
      [1, 8 * SECOND], // 2 s behind: a producer that warmed up before sending
      [1, 4 * SECOND], // 6 s behind: past the 5 s lateness
      [1, 11 * SECOND],
    ] as const;
    assert.deepEqual(arrivals(spec, events, feed), ['in_order', 'late_applied', 'late_dropped', 'in_order']);
    assert.equal(feed.at(11 * SECOND), 3, 'the 2 s late event counts, the 6 s late one does not');
  });

  it('arrival - under lateness 0 the same event 2 s behind is dropped, as before the default changed', () => {
    const spec = specOf('count', { windowMs: MINUTE, latenessMs: 0 });
    assert.deepEqual(
      arrivals(spec, [
        [1, 10 * SECOND],
        [1, 8 * SECOND],
      ]),
      ['in_order', 'late_dropped'],
    );
  });

  it('arrival - an event out of the window as of the newest event is dropped whatever the lateness', () => {
    const spec = specOf('sum', { windowMs: MINUTE, latenessMs: 10 * MINUTE });
    assert.deepEqual(
      arrivals(spec, [
        [5, 2 * MINUTE],
        [7, 30 * SECOND],
      ]),
      ['in_order', 'late_dropped'],
    );
  });

  it('tally - counts by spec, adds another tally in, and take() hands the counts over and starts afresh', () => {
    const tally = new ArrivalTally();
    tally.add('a', 'in_order');
    tally.add('a', 'late_applied', 2);
    const batch = new ArrivalTally();
    batch.add('a', 'late_dropped');
    batch.add('b', 'in_order', 4);
    tally.merge(batch);
    const taken = tally.take();
    assert.deepEqual(Object.fromEntries(taken), {
      a: { inOrder: 1, lateApplied: 2, lateDropped: 1 },
      b: { inOrder: 4, lateApplied: 0, lateDropped: 0 },
    });
    assert.equal(judged(taken.get('a')!), 4);
    assert.equal(tally.bySpec.size, 0);
    assert.equal(batch.bySpec.size, 2, 'the merged tally is left as it was');
  });

  it('features - an aggregation shared by two blueprints counts for each of their features, in plan order; features without counts are left out', () => {
    const plan = planFeatureStreams([
      blueprint('b_email', [{ name: 'daily_opens', topic: 'app.opens', aggregate: 'count', window: '1d' }]),
      blueprint('a_push', [
        { name: 'opens_1d', topic: 'app.opens', aggregate: 'count', window: '1d' },
        { name: 'opens_strict', topic: 'app.opens', aggregate: 'count', window: '1d', lateness: '0s' },
        { name: 'buys', topic: 'app.buys', aggregate: 'count', window: '1d' },
      ]),
    ]);
    const tally = new ArrivalTally();
    tally.add('app.opens|count|-|86400000|-|-|5000|-', 'in_order', 10);
    tally.add('app.opens|count|-|86400000|-|-|5000|-', 'late_applied', 3);
    tally.add('app.opens|count|-|86400000|-|-|0|-', 'late_dropped', 3);
    assert.deepEqual(featureArrivals(plan, tally.bySpec), [
      {
        blueprint: 'a_push',
        feature: 'opens_1d',
        topic: 'app.opens',
        latenessMs: 5000,
        counts: { inOrder: 10, lateApplied: 3, lateDropped: 0 },
      },
      {
        blueprint: 'a_push',
        feature: 'opens_strict',
        topic: 'app.opens',
        latenessMs: 0,
        counts: { inOrder: 0, lateApplied: 0, lateDropped: 3 },
      },
      {
        blueprint: 'b_email',
        feature: 'daily_opens',
        topic: 'app.opens',
        latenessMs: 5000,
        counts: { inOrder: 10, lateApplied: 3, lateDropped: 0 },
      },
    ]);
  });
});
