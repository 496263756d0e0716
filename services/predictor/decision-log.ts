// Decisions are logged after the reply, so the reply never waits for Kafka or the disk.
//
// While Kafka takes them, decisions wait in memory a few milliseconds and go out in small batches,
// one send in flight, each bounded like any send (kafka.ts chunkEnd); nothing touches the disk. Once
// Kafka cannot take them — a send failed, or a whole chunk more arrived while a send is still
// outstanding (Kafka answers a healthy send in milliseconds, so that is a broker in trouble, and
// memory would hold ever more decisions a crash would lose) — every decision not acknowledged yet,
// and every new one, goes to the decision log on disk (a SegmentLog under the predictor's state
// folder) rather than the heap. The log drains in order, oldest first, a chunk at a time, and each
// chunk's read position is persisted once Kafka acknowledges it; once caught up, memory again. A
// predictor that starts with decisions left on disk sends them before any newer one.
//
// Exactly once, per path: a decision is sent from memory or from the disk. A batch in flight when
// decisions move to disk is copied there too; if its send succeeds, the log's position is moved past
// the copy, so the copy is never sent. A decision goes to looper.decisions twice only after a send
// whose outcome the client cannot know (a timeout after the broker wrote it), a crash between a
// chunk's acknowledgement and its position's write (at most that one chunk), or a stop that could
// not wait closeWaitMs for a send in flight (its copy on disk is sent by the next start). The joiner
// makes each harmless: a decision already pending or done (a done marker outlives its window by an hour) is
// dropped by its id (services/lib/joiner/join.ts onDecision), so it yields one example.
//
// Past the log's bound, or when the disk refuses a write, a decision is dropped and counted
// (looper_decisions_not_logged_total) with a line at most every lineEveryMs: the predictor never
// stops answering because logging is down.
import type { Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Decision } from '../lib/schemas/generated.js';
import type { TopicCodec } from '../lib/topic-codec.js';
import { errorMessage } from '../lib/errors.js';
import { chunkEnd, SEND_CHUNK_BYTES, SEND_CHUNK_MESSAGES } from '../lib/kafka.js';
import { LineThrottle } from '../lib/line-throttle.js';
import { looperCounter, looperGauge } from '../lib/observability/service-metrics.js';
import type { AppendRefusal, LogPosition, SegmentLog } from '../lib/wal/segment-log.js';
import { topics } from '../../topology/topics.js';

export interface DecisionLog {
  append(decision: Decision): void;
  /** Resolves once every decision appended so far is on looper.decisions (those on disk included); after close(), at once. */
  flush(): Promise<void>;
  /**
   * For shutdown: what memory holds goes to Kafka if it takes it within closeWaitMs, else to the
   * disk, which is synced; decisions appended from then on go to the disk, for the next start.
   */
  close(): Promise<void>;
  /** Decisions acknowledged by Kafka so far. */
  logged(): number;
}

export interface DecisionLogOptions {
  /** How long a decision waits in memory for others to share its send (ms). */
  readonly lingerMs: number;
  /** The pause after a send Kafka refused, before the next (ms). */
  readonly retryMs: number;
  /** How long close() waits for a send in flight (ms). */
  readonly closeWaitMs: number;
  /** Least time between two lines about the same trouble (ms). */
  readonly lineEveryMs: number;
  /** The setting that bounds the log on disk, named when it is full. */
  readonly maxBytesSetting: string;
}

export const decisionLogDefaults: DecisionLogOptions = {
  lingerMs: 5,
  retryMs: 1000,
  closeWaitMs: 5000,
  lineEveryMs: 30_000,
  maxBytesSetting: 'the bound',
};

export interface DecisionLogDeps {
  readonly producer: Pick<Producer, 'send'>;
  readonly codec: TopicCodec;
  /** The log on disk, opened: what it holds is sent first. */
  readonly disk: SegmentLog;
  readonly metrics: Registry;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

/** A decision encoded for looper.decisions; read back from the disk, its key is bytes. */
interface Outgoing {
  readonly key: string | Buffer;
  readonly value: Buffer;
}
type Encoded = { readonly key: string; readonly value: Buffer };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createDecisionLog(
  deps: DecisionLogDeps,
  options: DecisionLogOptions = decisionLogDefaults,
): DecisionLog {
  const { producer, codec, disk, log } = deps;
  const now = deps.now ?? Date.now;
  const notLogged = looperCounter(deps.metrics, 'decisionsNotLogged');
  // Exported at 0 from the start, so that a rate over it is defined before the first drop.
  for (const reason of ['full', 'write_failed'] satisfies AppendRefusal[]) notLogged.inc({ reason }, 0);
  looperGauge(deps.metrics, 'decisionLogBytes', () => disk.bytes());
  const lines = {
    full: new LineThrottle(options.lineEveryMs),
    write_failed: new LineThrottle(options.lineEveryMs),
    refused: new LineThrottle(options.lineEveryMs),
    disk: new LineThrottle(options.lineEveryMs),
  };

  let buffer: Encoded[] = [];
  let bufferBytes = 0;
  let timer: NodeJS.Timeout | null = null;
  /** The batch the memory path is sending, while its send is outstanding. */
  let inFlight: Encoded[] | null = null;
  let sending: Promise<void> | null = null;
  let draining: Promise<void> | null = null;
  /** True while decisions go to the disk: from a spill (or a start with a backlog) until the log is drained. */
  let onDisk = !disk.caughtUp();
  /** The batch in flight when decisions moved to disk: its copy there ends at `end`, and `refused` of it did not fit. */
  let adopted: { end: LogPosition; refused: number; reason: AppendRefusal } | null = null;
  let pauseFirst = false;
  let closing = false;
  let acknowledged = 0;
  let drained = 0;

  function dropped(reason: AppendRefusal, count: number): void {
    notLogged.inc({ reason }, count);
    const reported = lines[reason].note(now(), count);
    if (reported === 0) return;
    log(
      reason === 'full'
        ? `decision log: the log on disk is full (${disk.bytes()} bytes; ${options.maxBytesSetting}): ${reported} decisions answered will never reach ${topics.decisions.name}`
        : `decision log: the disk refused ${reported} decisions (${disk.lastWriteError()}): they will never reach ${topics.decisions.name}`,
    );
  }

  /** Moves what memory holds to the disk (the batch in flight first, if any) and sends new decisions there. */
  function spill(batch: Encoded[] | null, outstanding: boolean, why: string): void {
    if (timer) clearTimeout(timer);
    timer = null;
    onDisk = true;
    const moved = (batch?.length ?? 0) + buffer.length;
    let refused = 0;
    let reason: AppendRefusal = 'full';
    for (const record of batch ?? []) {
      const refusal = disk.append(record.key, record.value);
      if (refusal !== null) [refused, reason] = [refused + 1, refusal];
    }
    if (outstanding) adopted = { end: disk.end(), refused, reason };
    else if (refused > 0) dropped(reason, refused);
    for (const record of buffer) {
      const refusal = disk.append(record.key, record.value);
      if (refusal !== null) dropped(refusal, 1);
    }
    buffer = [];
    bufferBytes = 0;
    if (moved > 0)
      log(`decision log: ${why}: ${moved} decisions and those that follow go to ${disk.dir} until Kafka takes them`);
  }

  async function send(records: ReadonlyArray<Outgoing>): Promise<unknown> {
    try {
      await producer.send({ topic: topics.decisions.name, acks: -1, messages: records as Outgoing[] });
      acknowledged += records.length;
      return null;
    } catch (error) {
      const reported = lines.refused.note(now());
      if (reported > 0)
        log(
          `decision log: Kafka did not take ${records.length} decisions (${errorMessage(error)}); sends refused since the last such line: ${reported}; decisions waiting on disk: ${disk.pendingBytes()} bytes`,
        );
      return error ?? new Error('send failed');
    }
  }

  /** Persists the read position; false (with a line) when the disk refused, and the chunk will be sent again. */
  async function acknowledgeOnDisk(end: LogPosition): Promise<boolean> {
    try {
      await disk.acknowledge(end);
      return true;
    } catch (error) {
      if (lines.disk.note(now()) > 0)
        log(`decision log: cannot read or record the log on disk: ${errorMessage(error)}`);
      return false;
    }
  }

  async function sendFromMemory(): Promise<void> {
    while (!onDisk && buffer.length > 0) {
      const batch = buffer.splice(0, chunkEnd(buffer, 0));
      for (const record of batch) bufferBytes -= record.key.length + record.value.length;
      inFlight = batch;
      const failure = await send(batch);
      inFlight = null;
      const copy = adopted;
      adopted = null;
      if (failure !== null) pauseFirst = true;
      if (copy && failure === null) await acknowledgeOnDisk(copy.end);
      else if (copy && copy.refused > 0) dropped(copy.reason, copy.refused);
      else if (!copy && failure !== null) spill(batch, false, `Kafka did not take a send (${errorMessage(failure)})`);
    }
  }

  async function drain(): Promise<void> {
    while (!closing) {
      const pendingBefore = disk.pendingBytes();
      if (pauseFirst) {
        pauseFirst = false;
        await sleep(options.retryMs);
        continue;
      }
      let chunk;
      try {
        chunk = await disk.read(SEND_CHUNK_MESSAGES, SEND_CHUNK_BYTES);
      } catch (error) {
        if (lines.disk.note(now()) > 0)
          log(`decision log: cannot read or record the log on disk: ${errorMessage(error)}`);
        pauseFirst = true;
        continue;
      }
      if (chunk.records.length > 0 && (await send(chunk.records)) !== null) {
        pauseFirst = true;
        continue;
      }
      if (!(await acknowledgeOnDisk(chunk.end))) {
        pauseFirst = true;
        continue;
      }
      drained += chunk.records.length;
      if (disk.caughtUp()) {
        onDisk = false;
        log(
          `decision log: caught up: ${drained} decisions from ${disk.dir} are on ${topics.decisions.name}; logging from memory again`,
        );
        drained = 0;
        return;
      } else if (disk.pendingBytes() === pendingBefore) pauseFirst = true; // no progress: never spin
    }
  }

  function startDraining(): void {
    if (draining || sending || closing) return;
    draining = drain().finally(() => (draining = null));
  }

  function sendNow(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (sending || onDisk) return;
    sending = sendFromMemory().finally(() => {
      sending = null;
      if (onDisk) startDraining();
      else if (buffer.length > 0) timer ??= setTimeout(sendNow, options.lingerMs);
    });
  }

  if (onDisk) {
    log(
      `decision log: ${disk.pendingBytes()} bytes of decisions left in ${disk.dir} by an earlier run: sending them before newer ones`,
    );
    startDraining();
  }

  return {
    append(decision) {
      const record = { key: decision.entity, value: codec.encode(topics.decisions, decision) };
      if (onDisk) {
        const refusal = disk.append(record.key, record.value);
        if (refusal !== null) dropped(refusal, 1);
        startDraining();
        return;
      }
      buffer.push(record);
      bufferBytes += record.key.length + record.value.length;
      if (sending && (buffer.length >= SEND_CHUNK_MESSAGES || bufferBytes >= SEND_CHUNK_BYTES))
        spill(
          inFlight,
          inFlight !== null,
          `a send to Kafka is still outstanding after ${buffer.length} more decisions`,
        );
      else if (!sending) timer ??= setTimeout(sendNow, options.lingerMs);
    },
    async flush() {
      while (!closing) {
        if (timer) sendNow();
        if (onDisk) startDraining();
        const pending = sending ?? draining;
        if (pending === null) return;
        await pending;
      }
    },
    async close() {
      closing = true;
      let expire: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>(
        (resolve) => (expire = setTimeout(() => resolve(false), options.closeWaitMs)),
      );
      try {
        while (!onDisk && (sending || buffer.length > 0)) {
          sendNow();
          if (!(await Promise.race([sending!.then(() => true), deadline]))) break;
        }
        if (!onDisk) spill(inFlight, inFlight !== null, 'stopping');
        // A send in flight may still succeed, and then its copy on disk is skipped rather than sent again.
        await Promise.race([Promise.all([sending, draining]), deadline]);
      } finally {
        clearTimeout(expire);
      }
      await disk.sync();
    },
    logged: () => acknowledged,
  };
}
