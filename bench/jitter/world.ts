// The demo's world as the decision-loop test runs it: the simulator's users with 24 h of history,
// live events published in 100 ms ticks at the demo's speed, and each user's stream features as
// the features service would compute them (observedStreamFeatures stands in for it). Who clicks is
// the world's click model (./click-models.ts): the same users and events under either.
import type { FeatureValues } from '../../services/lib/feature-values.js';
import {
  createSimulator,
  observedStreamFeatures,
  type NotificationContext,
  type ProductEvent,
  type Simulator,
} from '../../services/lib/simulator/index.js';
import { clickModels, type ClickModel } from './click-models.js';

const USERS = 2000; // demoDefaults.users
/** demoDefaults.speed: live events and outcome delays run 20× faster. */
export const SPEED = 20;
const HISTORY_HOURS = 24; // demoDefaults.historyHours

export class World {
  readonly sim: Simulator;
  private readonly events = new Map<string, ProductEvent[]>();
  private readonly eventsPerSecond: number;
  private eventClock: number;
  private eventCarry = 0;

  constructor(
    seed: number,
    startMs: number,
    private readonly click: ClickModel = clickModels.demo,
  ) {
    this.sim = createSimulator({ seed, users: USERS });
    for (const u of this.sim.users) this.events.set(u.userId, []);
    for (const e of this.sim.eventsBetween(startMs - HISTORY_HOURS * 3_600_000, startMs)) this.add(e);
    this.eventsPerSecond = (this.sim.users.reduce((s, u) => s + u.opensPerDay + u.sessionsPerDay, 0) / 86_400) * SPEED;
    this.eventClock = startMs;
  }

  private add(e: ProductEvent): void {
    this.events.get(e.key)?.push(e);
  }

  /** Live events up to `nowMs`, in 100 ms ticks as the demo publishes them. */
  advance(nowMs: number): void {
    while (this.eventClock + 100 <= nowMs) {
      this.eventClock += 100;
      this.eventCarry += this.eventsPerSecond * 0.1;
      const count = Math.floor(this.eventCarry);
      this.eventCarry -= count;
      if (count > 0) for (const e of this.sim.nextEvents(this.eventClock, count)) this.add(e);
    }
  }

  /** The true probability that `entity` clicks a notification sent in `context`. */
  truth(entity: string, context: NotificationContext): number {
    return this.click(this.sim.user(entity), context);
  }

  features(entity: string, context: { hour: number; platform: string }, nowMs: number): FeatureValues {
    const s = observedStreamFeatures(this.events.get(entity) ?? [], nowMs);
    return {
      hour: context.hour,
      platform: context.platform,
      opens_1d: s.opens_1d,
      session_mean_7d: s.session_mean_7d,
      session_ewma: s.session_ewma,
      last_country: s.last_country,
    };
  }
}
