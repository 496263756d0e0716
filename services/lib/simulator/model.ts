// The simulated product's generative model: each user's hidden traits, how they produce events,
// and the known click probability of a push notification. A model sees the traits only through
// the events (stream features) and the decide request's context.
import { countries, platforms, type Country, type NotificationContext, type Platform } from './product.js';
import type { Random } from './random.js';

const HOUR_MS = 3_600_000;

/** What the simulator knows about a user and a model can only infer. */
export interface UserTraits {
  userId: string;
  /** Latent engagement, Normal(0, 1): drives open and session rates, session length and clicks. */
  engagement: number;
  /** The local hour the user most likes to be notified at: around 20h (sd 1.5h), so the local hour in the context reveals it. */
  preferredHour: number;
  platform: Platform;
  country: Country;
  /** Mean app opens per day: exp(2.3 + 0.9·engagement). */
  opensPerDay: number;
  /** Mean sessions per day: exp(1.2 + 0.5·engagement). */
  sessionsPerDay: number;
  /** Session duration is lognormal: ln(duration_s) ~ Normal(ln 60 + 0.45·engagement, 0.5). */
  sessionLogMean: number;
}

/** The constants of the model, for reading and for the report; change them only with the tests. */
export const simulationModel = {
  platformShares: { ios: 0.45, android: 0.45, web: 0.1 } as Record<Platform, number>,
  countryShares: { US: 0.3, BR: 0.15, DE: 0.2, IN: 0.2, JP: 0.15 } as Record<Country, number>,
  /** Hours from UTC (whole hours, no daylight saving: a simulation). */
  utcOffsetHours: { US: -5, BR: -3, DE: 1, IN: 5, JP: 9 } as Record<Country, number>,
  /**
   * Share of users who prefer the evening (the rest: mornings around 8h). All of them, so that every
   * hidden trait is visible through the features (a per-user preference no feature shows would make
   * the oracle unreachable by any model).
   */
  eveningShare: 1,
  opens: { intercept: 2.3, engagement: 0.9 },
  sessions: { intercept: 1.2, engagement: 0.5 },
  sessionDuration: { logMean: Math.log(60), engagement: 0.45, logSd: 0.5 },
  /** Click logit when sent: intercept + engagement·e + hourMatch·cos(2π(hour − preferredHour)/24) + platform. */
  click: {
    intercept: -1.7,
    engagement: 1.6,
    hourMatch: 1.0,
    platform: { ios: 0.25, android: 0, web: -0.6 } as Record<Platform, number>,
  },
  /** Unsubscribe probability when sent: scale·(1 − click probability)². */
  unsubscribeScale: 0.02,
  /** Mean delay from a notification to its click or dismissal, ms (exponential: 1 in e^15 after the 30m window). */
  clickDelayMeanMs: 2 * 60_000,
  /** Share of sent, unclicked notifications the app reports as dismissed (outcome value 0); the rest report nothing. */
  dismissShare: 0.5,
} as const;

const m = simulationModel;

function share<K extends string>(random: Random, keys: readonly K[], shares: Record<K, number>): K {
  return keys[random.weighted(keys.map((k) => shares[k]))]!;
}

/** Draws one user's traits. */
export function drawUser(userId: string, random: Random): UserTraits {
  const engagement = random.normal();
  const evening = random.next() < m.eveningShare;
  const preferredHour = ((Math.round(random.normal(evening ? 20 : 8, 1.5)) % 24) + 24) % 24;
  return {
    userId,
    engagement,
    preferredHour,
    platform: share(random, platforms, m.platformShares),
    country: share(random, countries, m.countryShares),
    opensPerDay: Math.exp(m.opens.intercept + m.opens.engagement * engagement),
    sessionsPerDay: Math.exp(m.sessions.intercept + m.sessions.engagement * engagement),
    sessionLogMean: m.sessionDuration.logMean + m.sessionDuration.engagement * engagement,
  };
}

/** The user's local hour at `nowMs`, 0..23. */
export function localHour(country: Country, nowMs: number): number {
  const hours = Math.floor(nowMs / HOUR_MS) + m.utcOffsetHours[country];
  return ((hours % 24) + 24) % 24;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The log-odds of a click if the notification is sent. */
export function clickLogit(user: UserTraits, context: NotificationContext): number {
  const hourMatch = Math.cos((2 * Math.PI * (context.hour - user.preferredHour)) / 24);
  return (
    m.click.intercept +
    m.click.engagement * user.engagement +
    m.click.hourMatch * hourMatch +
    m.click.platform[context.platform]
  );
}

/** One session's duration in whole seconds (at least 1). */
export function drawSessionSeconds(user: UserTraits, random: Random): number {
  return Math.max(1, Math.round(Math.exp(random.normal(user.sessionLogMean, m.sessionDuration.logSd))));
}
