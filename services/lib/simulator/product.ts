// The simulated product's names, declared once: its event topics and their fields, the
// notification actions and the context it sends with a decide request. They match
// examples/notification_send.yaml (checked by product.test.ts).

export const productTopics = {
  /** One record per app open; counted by opens_1d. */
  opens: 'app.opens',
  /** One record per app session, with duration_s and country; read by session_mean_7d, session_ewma, last_country. */
  sessions: 'app.sessions',
  /** One record per unsubscribe from push notifications; the blueprint's unsubscribes guardrail. */
  unsubscribes: 'app.unsubscribes',
} as const;
export type ProductTopic = (typeof productTopics)[keyof typeof productTopics];

export const platforms = ['ios', 'android', 'web'] as const;
export type Platform = (typeof platforms)[number];

export const countries = ['US', 'BR', 'DE', 'IN', 'JP'] as const;
export type Country = (typeof countries)[number];

/** The blueprint's actions: the first when the policy says yes; the default before any model. */
export const SEND = 'send';
export const SKIP = 'skip';
export type NotificationAction = typeof SEND | typeof SKIP;
export const DEFAULT_ACTION: NotificationAction = SKIP;

export interface OpenEvent {
  platform: Platform;
}

export interface SessionEvent {
  /** Whole seconds, at least 1. */
  duration_s: number;
  country: Country;
  platform: Platform;
}

export interface UnsubscribeEvent {
  channel: 'push';
}

/** A record for the caller to produce: `key` is the user id (the blueprint's entity is the record key). */
export type ProductEvent =
  | { topic: typeof productTopics.opens; key: string; value: OpenEvent; ts: number }
  | { topic: typeof productTopics.sessions; key: string; value: SessionEvent; ts: number }
  | { topic: typeof productTopics.unsubscribes; key: string; value: UnsubscribeEvent; ts: number };

/** The context of a decide request, as the blueprint's context features name it. */
export interface NotificationContext {
  /** The user's local hour, 0..23. */
  hour: number;
  platform: Platform;
}

/** The body of a decide request (DESIGN.md: Decide). */
export interface DecideRequest {
  entity: string;
  context: NotificationContext;
}
