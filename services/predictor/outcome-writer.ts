// Outcomes reported over NATS go to looper.outcomes through here, and each request hears back only
// once Kafka has acknowledged its records or its deadline has passed. The requests that arrive
// while a send is in flight go out together in the next one (one send in flight at a time, as the
// shared idempotent producer allows), so a burst costs a few sends rather than one each, and
// nothing waits for a batch to fill. A request whose deadline passes before its records were sent
// is dropped from the queue: `unavailable` then means they were never written. One whose records
// were already sent may still land after its `unavailable`; reporting it again is safe, the joiner
// keeps a decision's first outcome.
import { errorMessage } from '../lib/errors.js';
import { topics } from '../../topology/topics.js';
import type { OutcomeErrorBody } from '../lib/outcome/reply.js';

export interface OutcomeRecord {
  key: string;
  value: Buffer;
}

/** Produces records to looper.outcomes, acknowledged by every in-sync replica; rejects on failure. */
export type SendOutcomes = (records: OutcomeRecord[]) => Promise<void>;

export type WriteResult = { ok: true } | { ok: false; error: OutcomeErrorBody };

export interface OutcomeWriterOptions {
  /** How long a request waits for Kafka's acknowledgement before it is answered `unavailable` (ms). */
  readonly deadlineMs: number;
  /**
   * Records queued or in flight beyond which a new request is refused `unavailable` at once: while
   * Kafka is away, requests are answered at their deadline instead of memory growing with them.
   */
  readonly maxPending: number;
}

interface Pending {
  readonly records: OutcomeRecord[];
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve(result: WriteResult): void;
}

const unavailable = (message: string): WriteResult => ({ ok: false, error: { code: 'unavailable', message } });

export class OutcomeWriter {
  /** Requests not sent yet, in arrival order. */
  private readonly queue = new Set<Pending>();
  private queued = 0;
  private inFlight = 0;
  private sending = false;

  constructor(
    private readonly send: SendOutcomes,
    private readonly options: OutcomeWriterOptions,
  ) {}

  /** Records queued or being sent. */
  pending(): number {
    return this.queued + this.inFlight;
  }

  /** Writes `records` (one request's), resolving once Kafka acknowledged them all, or `unavailable`. */
  write(records: OutcomeRecord[]): Promise<WriteResult> {
    if (records.length === 0) return Promise.resolve({ ok: true });
    if (this.pending() + records.length > this.options.maxPending)
      return Promise.resolve(
        unavailable(
          `${this.pending()} outcomes are waiting for Kafka already (the predictor's limit is ${this.options.maxPending}); retry with backoff`,
        ),
      );
    return new Promise<WriteResult>((resolve) => {
      const pending: Pending = { records, settled: false, timer: undefined, resolve };
      pending.timer = setTimeout(() => {
        if (this.queue.delete(pending)) this.queued -= records.length;
        this.settle(
          pending,
          unavailable(
            `Kafka did not acknowledge the outcome within ${this.options.deadlineMs} ms; it may not be on ${topics.outcomes.name}: report it again (the joiner keeps a decision's first outcome)`,
          ),
        );
      }, this.options.deadlineMs);
      this.queue.add(pending);
      this.queued += records.length;
      void this.pump();
    });
  }

  private settle(pending: Pending, result: WriteResult): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  /** Sends everything queued, one send at a time, until the queue is empty. */
  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.size > 0) {
        const group = [...this.queue];
        this.queue.clear();
        const records = group.flatMap((p) => p.records);
        this.queued -= records.length;
        this.inFlight += records.length;
        let result: WriteResult;
        try {
          await this.send(records);
          result = { ok: true };
        } catch (error) {
          result = unavailable(`Kafka did not take the outcome (${errorMessage(error)}); report it again`);
        } finally {
          this.inFlight -= records.length;
        }
        for (const pending of group) this.settle(pending, result);
      }
    } finally {
      this.sending = false;
    }
  }
}
