// A simulated product that sends push notifications, with a known answer: the click probability
// of every (user, context) is known, so a learned model can be checked against the oracle. Pure:
// it returns plain records and the caller does the I/O; time comes in as arguments, randomness from
// the seed (one independent stream per method, so calls of one never change what another returns).
import { ConfigError } from '../errors.js';
import { UnknownUserError } from './errors.js';
import {
  clickLogit,
  drawSessionSeconds,
  drawUser,
  localHour,
  sigmoid,
  simulationModel,
  type UserTraits,
} from './model.js';
import {
  productTopics,
  SEND,
  SKIP,
  type DecideRequest,
  type NotificationAction,
  type NotificationContext,
  type ProductEvent,
} from './product.js';
import { createRandom, type Random } from './random.js';

export interface SimulatorOptions {
  /** Any safe integer; the same seed gives the same users, events and requests. */
  seed: number;
  /** How many users, at least 1; default 1000. */
  users: number;
  /** User ids are this plus a zero-padded number; default "user-". */
  userPrefix: string;
}

export const simulatorDefaults = { users: 1000, userPrefix: 'user-' } as const;

export function compileSimulatorOptions(
  options: Partial<SimulatorOptions> & Pick<SimulatorOptions, 'seed'>,
): SimulatorOptions {
  const compiled: SimulatorOptions = { ...simulatorDefaults, ...options };
  const problems: string[] = [];
  if (!Number.isSafeInteger(compiled.seed))
    problems.push(`simulator seed: ${compiled.seed} is not an integer; pass any whole number, e.g. 42`);
  if (!Number.isSafeInteger(compiled.users) || compiled.users < 1) {
    problems.push(
      `simulator users: ${compiled.users} is not a whole number ≥ 1; the default is ${simulatorDefaults.users}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return compiled;
}

export interface Simulator {
  readonly options: SimulatorOptions;
  /** Every user's hidden traits, in id order. */
  readonly users: readonly UserTraits[];
  /** One user's hidden traits; throws UnknownUserError. */
  user(userId: string): UserTraits;
  /** `count` live product events at nowMs: users drawn in proportion to their activity, opens or sessions by their rates. */
  nextEvents(nowMs: number, count: number): ProductEvent[];
  /** The events every user would have made in [fromMs, toMs) at their daily rates (Poisson), in time order: a history to warm features with. */
  eventsBetween(fromMs: number, toMs: number): ProductEvent[];
  /** A decide request at nowMs for a uniformly drawn user, with the user's local hour and platform. */
  nextDecideRequest(nowMs: number): DecideRequest;
  /** The true probability that the user clicks if the notification is sent, in (0, 1). */
  clickProbability(entity: string, context: NotificationContext): number;
  /** 1 when the user clicks: only if `action` is send, and then when `u` (uniform in [0, 1)) < clickProbability. */
  outcomeFor(entity: string, context: NotificationContext, action: string, u: number): 0 | 1;
  /** How long after the notification a click comes, for `u` uniform in [0, 1) (exponential, mean 2 min). */
  clickDelayMs(u: number): number;
  /**
   * What the app reports on looper.outcomes for a decision, as the example blueprint describes:
   * value 1 when the notification is opened (clicked), 0 when it is dismissed (half of the
   * unclicked ones), nothing otherwise or when skipped; delayMs after the decision.
   */
  reportedOutcome(
    entity: string,
    context: NotificationContext,
    action: string,
    random: Random,
  ): { value: 0 | 1; delayMs: number } | null;
  /** The true probability of an unsubscribe if sent: 0.02·(1 − clickProbability)². */
  unsubscribeProbability(entity: string, context: NotificationContext): number;
  /** The app.unsubscribes event a sent notification causes when `u` < unsubscribeProbability; none when skipped. */
  guardrailEventsFor(
    entity: string,
    context: NotificationContext,
    action: string,
    nowMs: number,
    u: number,
  ): ProductEvent[];
  /** The oracle: send exactly when the true click probability is at least `threshold`. */
  oraclePolicy(entity: string, context: NotificationContext, threshold: number): NotificationAction;
}

export function createSimulator(options: Partial<SimulatorOptions> & Pick<SimulatorOptions, 'seed'>): Simulator {
  const compiled = compileSimulatorOptions(options);
  const root = createRandom(compiled.seed);
  const width = Math.max(4, String(compiled.users).length);
  const userRandom = root.fork('users');
  const users = Array.from({ length: compiled.users }, (_, i) =>
    drawUser(`${compiled.userPrefix}${String(i).padStart(width, '0')}`, userRandom),
  );
  const byId = new Map(users.map((u) => [u.userId, u]));
  const liveRandom = root.fork('live-events');
  const historyRandom = root.fork('history-events');
  const requestRandom = root.fork('decide-requests');

  // Live events pick a user in proportion to activity: cumulative weights for a binary search.
  const cumulative: number[] = [];
  let totalActivity = 0;
  for (const u of users) cumulative.push((totalActivity += u.opensPerDay + u.sessionsPerDay));

  const user = (userId: string): UserTraits => {
    const found = byId.get(userId);
    if (found === undefined) throw new UnknownUserError(userId);
    return found;
  };
  const open = (u: UserTraits, ts: number): ProductEvent => ({
    topic: productTopics.opens,
    key: u.userId,
    value: { platform: u.platform },
    ts,
  });
  const session = (u: UserTraits, ts: number, random: Random): ProductEvent => ({
    topic: productTopics.sessions,
    key: u.userId,
    value: { duration_s: drawSessionSeconds(u, random), country: u.country, platform: u.platform },
    ts,
  });
  const pickActive = (): UserTraits => {
    const r = liveRandom.next() * totalActivity;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return users[lo]!;
  };
  const clickProbability = (entity: string, context: NotificationContext): number =>
    sigmoid(clickLogit(user(entity), context));
  const clickDelayMs = (u: number): number => Math.round(-Math.log1p(-u) * simulationModel.clickDelayMeanMs);
  const unsubscribeProbability = (entity: string, context: NotificationContext): number =>
    simulationModel.unsubscribeScale * (1 - clickProbability(entity, context)) ** 2;

  return {
    options: compiled,
    users,
    user,
    nextEvents(nowMs, count) {
      return Array.from({ length: count }, () => {
        const u = pickActive();
        return liveRandom.next() * (u.opensPerDay + u.sessionsPerDay) < u.opensPerDay
          ? open(u, nowMs)
          : session(u, nowMs, liveRandom);
      });
    },
    eventsBetween(fromMs, toMs) {
      const day = 86_400_000;
      const events: ProductEvent[] = [];
      for (const u of users) {
        for (
          let ts = fromMs + historyRandom.exponential(day / u.opensPerDay);
          ts < toMs;
          ts += historyRandom.exponential(day / u.opensPerDay)
        ) {
          events.push(open(u, Math.floor(ts)));
        }
        for (
          let ts = fromMs + historyRandom.exponential(day / u.sessionsPerDay);
          ts < toMs;
          ts += historyRandom.exponential(day / u.sessionsPerDay)
        ) {
          events.push(session(u, Math.floor(ts), historyRandom));
        }
      }
      return events.sort((a, b) => a.ts - b.ts);
    },
    nextDecideRequest(nowMs) {
      const u = users[requestRandom.int(users.length)]!;
      return { entity: u.userId, context: { hour: localHour(u.country, nowMs), platform: u.platform } };
    },
    clickProbability,
    outcomeFor(entity, context, action, u) {
      return action === SEND && u < clickProbability(entity, context) ? 1 : 0;
    },
    clickDelayMs,
    reportedOutcome(entity, context, action, random) {
      if (action !== SEND) return null;
      const clicked = random.next() < clickProbability(entity, context);
      if (!clicked && random.next() >= simulationModel.dismissShare) return null;
      return { value: clicked ? 1 : 0, delayMs: clickDelayMs(random.next()) };
    },
    unsubscribeProbability,
    guardrailEventsFor(entity, context, action, nowMs, u) {
      if (action !== SEND || u >= unsubscribeProbability(entity, context)) return [];
      return [{ topic: productTopics.unsubscribes, key: entity, value: { channel: 'push' }, ts: nowMs }];
    },
    oraclePolicy(entity, context, threshold) {
      return clickProbability(entity, context) >= threshold ? SEND : SKIP;
    },
  };
}
