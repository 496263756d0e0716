// The predictor's side of feature lookups. Decides that arrive together (one read from the NATS
// socket dispatches them all synchronously) and ask the same lookup subject for the same blueprint
// share one request: the features service answers a list of entities in one store read, and the
// machine moves one message each way instead of one per decide. Replies come to one inbox
// subscription, matched by a number, with one timer per batch: nats.js's request() builds two
// Error objects (stack traces) and a timer per call, which profiles showed as a fifth of the
// predictor's time.
import { createInbox, type Msg, type NatsConnection, type Subscription } from 'nats';
import type { FeatureValues } from './feature-values.js';
import type { FeatureLookupReply, FeatureLookupRequest, LookupResult } from './features-client.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Entities in one lookup request at most (the features service accepts up to 1,000). */
export const MAX_BATCH = 256;

interface Waiter {
  readonly resolve: (result: LookupResult) => void;
  /** performance.now() by which the decide needs its features. */
  readonly deadline: number;
  settled: boolean;
}

interface Batch {
  readonly subject: string;
  readonly blueprint: string;
  readonly entities: string[];
  readonly waiters: Waiter[];
  timer: NodeJS.Timeout | null;
}

export class FeatureLookupClient {
  private readonly inbox = `${createInbox()}.`;
  private readonly replies: Subscription;
  /** Batches being filled in this turn of the event loop, by subject, then blueprint (no key string built per lookup). */
  private readonly forming = new Map<string, Map<string, Batch>>();
  /** Batches sent and not yet answered, by their number in the reply subject. */
  private readonly sent = new Map<number, Batch>();
  private sentCount = 0;
  private flushQueued = false;
  private requestCount = 0;

  constructor(private readonly nats: NatsConnection) {
    this.replies = nats.subscribe(`${this.inbox}*`, {
      callback: (err, msg) => (err ? this.failAll(err.message) : this.answer(msg)),
    });
  }

  /** Stream feature values of one entity; a failure says whether the deadline passed or the service could not answer. */
  lookup(subject: string, blueprint: string, entity: string, timeoutMs: number): Promise<LookupResult> {
    if (timeoutMs < 1)
      return Promise.resolve({ ok: false, reason: 'deadline', message: 'no time left for the lookup' });
    return new Promise((resolve) => {
      let bySubject = this.forming.get(subject);
      if (!bySubject) this.forming.set(subject, (bySubject = new Map()));
      let batch = bySubject.get(blueprint);
      if (!batch) {
        batch = { subject, blueprint, entities: [], waiters: [], timer: null };
        bySubject.set(blueprint, batch);
      }
      batch.entities.push(entity);
      batch.waiters.push({ resolve, deadline: performance.now() + timeoutMs, settled: false });
      if (batch.entities.length >= MAX_BATCH) {
        bySubject.delete(blueprint);
        this.send(batch);
      } else if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Lookup requests sent so far (each carrying one or more entities). */
  requests(): number {
    return this.requestCount;
  }

  close(): void {
    this.replies.unsubscribe();
    this.failAll('the lookup client closed');
  }

  private flush(): void {
    this.flushQueued = false;
    for (const bySubject of this.forming.values()) {
      for (const batch of bySubject.values()) this.send(batch);
      bySubject.clear();
    }
  }

  private send(batch: Batch): void {
    const id = ++this.sentCount;
    const request: FeatureLookupRequest = { blueprint: batch.blueprint, entities: batch.entities };
    try {
      this.nats.publish(batch.subject, encoder.encode(JSON.stringify(request)), { reply: this.inbox + id });
    } catch (error) {
      settle(batch, {
        ok: false,
        reason: 'features_unavailable',
        message: `the lookup could not be sent: ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    this.requestCount++;
    this.sent.set(id, batch);
    this.armTimer(id, batch);
  }

  /** Fails the waiters whose deadline has come; waits on for the rest until theirs. */
  private armTimer(id: number, batch: Batch): void {
    let earliest = Infinity;
    for (const waiter of batch.waiters) if (!waiter.settled && waiter.deadline < earliest) earliest = waiter.deadline;
    if (earliest === Infinity) {
      this.sent.delete(id);
      return;
    }
    batch.timer = setTimeout(
      () => {
        const now = performance.now();
        for (const waiter of batch.waiters) {
          if (!waiter.settled && waiter.deadline <= now + 0.5) {
            waiter.settled = true;
            waiter.resolve({
              ok: false,
              reason: 'deadline',
              message: `no lookup reply on ${batch.subject} within the decide deadline`,
            });
          }
        }
        this.armTimer(id, batch);
      },
      Math.max(1, Math.ceil(earliest - performance.now())),
    );
  }

  private answer(msg: Msg): void {
    const id = Number(msg.subject.slice(this.inbox.length));
    const batch = this.sent.get(id);
    // A reply after every waiter's deadline: nobody is waiting for it any more.
    if (!batch) return;
    this.sent.delete(id);
    if (batch.timer) clearTimeout(batch.timer);
    // The server's answer when no features instance subscribes to the subject (no responders).
    if (msg.headers?.code === 503) {
      settle(batch, {
        ok: false,
        reason: 'features_unavailable',
        message: `no features instance answers ${batch.subject}`,
      });
      return;
    }
    let reply: FeatureLookupReply;
    try {
      reply = JSON.parse(decoder.decode(msg.data)) as FeatureLookupReply;
    } catch (error) {
      settle(batch, {
        ok: false,
        reason: 'features_unavailable',
        message: `the lookup reply is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    const values = reply.values;
    if (!Array.isArray(values) || values.length !== batch.entities.length) {
      settle(batch, {
        ok: false,
        reason: 'features_unavailable',
        message:
          reply.error?.message ??
          `the lookup reply holds ${Array.isArray(values) ? values.length : 'no'} values for ${batch.entities.length} entities`,
      });
      return;
    }
    batch.waiters.forEach((waiter, i) => {
      if (waiter.settled) return;
      waiter.settled = true;
      waiter.resolve({ ok: true, values: values[i] as FeatureValues });
    });
  }

  private failAll(message: string): void {
    for (const batch of this.sent.values()) {
      if (batch.timer) clearTimeout(batch.timer);
      settle(batch, { ok: false, reason: 'features_unavailable', message });
    }
    this.sent.clear();
  }
}

function settle(batch: Batch, result: LookupResult): void {
  for (const waiter of batch.waiters) {
    if (waiter.settled) continue;
    waiter.settled = true;
    waiter.resolve(result);
  }
}
