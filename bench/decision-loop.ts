// Benchmarks of the decision loop on the running stack, each beside its raw baseline from the
// same run: decide vs a NATS echo, feature ingest vs a raw kafkajs consume of the same topic,
// training examples/s, and freshness (event → feature visible).
import { requestFeatures } from '../services/lib/features-client.js';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { serviceStateDir } from '../services/lib/service-paths.js';
import type { NatsConnection } from 'nats';
import { connectNats } from '../services/lib/nats-connect.js';
import type { Admin, Kafka } from 'kafkajs';
import type { LooperConfig } from '../services/lib/config.js';
import { createKafkaClient, producerDefaults } from '../services/lib/kafka.js';
import { createSchemaRegistryClient } from '../services/lib/schema-registry.js';
import { registerBlueprint } from '../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../services/lib/blueprint/parse.js';
import { createTopicCodec } from '../services/lib/topic-codec.js';
import {
  createLearner,
  featureSchemaFromBlueprint,
  benchTraining,
  initBackend,
} from '../services/lib/learners/index.js';
import { consumerGroups, subjects } from '../services/lib/names.js';
import { superviseServices, type Supervisor } from '../services/lib/supervisor.js';
import type { Blueprint, ModelVersion } from '../services/lib/schemas/generated.js';
import { allTopics, DATA_PARTITIONS, topics } from '../topology/topics.js';
import { applyTopology } from '../topology/apply.js';
import { driveRequests, rawConsume, type RequestFigures } from './baselines.js';
import { summarize, type LatencySummary } from './stats.js';
import { pollUntil } from '../services/lib/poll.js';
import { busyWhile, cpuWhile, pidsMatching } from './process-cpu.js';
import { openCpuCaps } from './cpu-cap.js';
import { heldPartitionsIn } from '../services/lib/partitioning/holding-line.js';
import { InvariantError } from '../services/lib/errors.js';

function benchBlueprint(name: string, opensTopic: string, sessionsTopic: string): Blueprint {
  const yaml = readFileSync('examples/notification_send.yaml', 'utf8')
    .replace(/^blueprint: notification_send\b/m, `blueprint: ${name}`)
    .replaceAll('topic: app.opens', `topic: ${opensTopic}`)
    .replaceAll('topic: app.sessions', `topic: ${sessionsTopic}`)
    // The bench's decisions get no outcomes: without a `missing` label and with a short window they
    // leave the joiner no examples to write and no pending state to keep, so a stack that is
    // benchmarked does not later flood its trainer with hundreds of thousands of empty labels.
    .replace(/^ {2}window: 30m\b.*$/m, '  window: 1m')
    .replace(/^ {2}missing: 0\b.*$/m, '')
    .replace(/^ {2}deadline: 20ms/m, '  deadline: 1s');
  const result = parseBlueprintYaml(yaml);
  if (!result.ok)
    throw new InvariantError(`the bench's blueprint does not compile: ${JSON.stringify(result.problems)}`);
  return result.blueprint;
}

async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return ends.reduce(
    (lag, end) =>
      lag +
      Number(end.high) -
      Math.max(0, Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1')),
    0,
  );
}

async function produceEvents(kafka: Kafka, topic: string, count: number, users: number, field: boolean): Promise<void> {
  const producer = kafka.producer(producerDefaults);
  await producer.connect();
  const now = Date.now();
  for (let sent = 0; sent < count; sent += 1000) {
    const messages = Array.from({ length: Math.min(1000, count - sent) }, (_, i) => {
      const n = sent + i;
      const value = field
        ? { duration_s: 30 + (n % 90), country: ['US', 'DE', 'JP'][n % 3], ts: now - (count - n) }
        : { platform: 'ios', ts: now - (count - n) };
      return { key: `bench-user-${n % users}`, value: JSON.stringify(value) };
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

/** A model for the bench blueprint, trained on a few synthetic rows: the bench measures serving, not learning. */
async function publishModel(kafka: Kafka, config: LooperConfig, bp: Blueprint): Promise<void> {
  await initBackend();
  const learner = createLearner('logistic', featureSchemaFromBlueprint(bp), 'classification');
  const xs = Array.from({ length: 512 }, (_, i) => ({
    hour: i % 24,
    platform: ['ios', 'android', 'web'][i % 3]!,
    opens_1d: i % 17,
    session_mean_7d: 40 + (i % 50),
    session_ewma: 45 + (i % 40),
    last_country: 'US',
  }));
  await learner.learnMany(
    xs,
    xs.map((x) => (x.opens_1d > 8 ? 1 : 0)),
  );
  const artifact = learner.toArtifact();
  const record: ModelVersion = {
    modelVersion: `${bp.name}/1`,
    blueprint: bp.name,
    blueprintVersion: bp.version,
    sequence: 1,
    family: learner.family,
    role: 'trained',
    hyperParameters: JSON.stringify(learner.hyperParameters),
    featureNames: [...learner.featureNames],
    artifact: Buffer.from(artifact),
    artifactFormat: learner.artifactFormat,
    sizeBytes: artifact.length,
    p99InferenceUs: null,
    metrics: {},
    trainedOnExamples: xs.length,
    dataStartTs: null,
    dataEndTs: null,
    createdAt: Date.now(),
    search: null,
    parentVersion: null,
    profile: null,
  };
  learner.dispose();
  const codec = await createTopicCodec(createSchemaRegistryClient(config), allTopics);
  const producer = kafka.producer(producerDefaults);
  await producer.connect();
  await producer.send({
    topic: topics.models.name,
    acks: -1,
    messages: [{ key: record.modelVersion, value: codec.encode(topics.models, record) }],
  });
  await producer.disconnect();
}

export interface DecisionLoopFigures {
  decide: RequestFigures[];
  echo: RequestFigures[];
  ingest: { events: number; seconds: number; featuresPerSecond: number; rawConsumePerSecond: number };
  training: Record<string, number>;
  freshness: { eventToFeatureMs: LatencySummary };
  /** CPU µs per request by process at each concurrency, echo and decide (Linux; empty elsewhere). */
  cpuPerRequestUs: Array<{ concurrency: number; echo: Record<string, number>; decide: Record<string, number> }>;
  /**
   * Decide at one concurrency over many entities (every partition), by instances of features and
   * predictor: unlimited, then each instance limited to `cpuPerInstance` cores (skipped, with
   * `limitSkipped` saying why, where no cgroup can be made).
   */
  scaling: Array<{ instances: number; cpuPerInstance: number | null; decide: RequestFigures; machineBusy: number }>;
  limitSkipped: string | null;
  /** A joiner catching up with the decisions logged by the runs above, beside a raw consume of as many decisions. */
  joiner: { decisions: number; joinedPerSecond: number; rawConsumePerSecond: number } | null;
}

/** Decision records a joiner catch-up is timed over at most (a long-lived stack may hold millions). */
const JOINER_BENCH_MAX_BACKLOG = 2_000_000;

/**
 * A joiner started after the decide runs works through the decisions they logged (windows of a
 * minute, no outcomes: each decision is read, kept pending, and forgotten when its window closes),
 * timed from its first progress until its group has no lag on looper.decisions. Baseline: a raw
 * kafkajs consumer (no work per record) reading as many decisions of the same topic.
 */
async function benchJoiner(
  kafka: Kafka,
  admin: Admin,
  log: (line: string) => void,
): Promise<DecisionLoopFigures['joiner']> {
  const backlog = await groupLag(admin, consumerGroups.joiner, topics.decisions.name);
  if (backlog > JOINER_BENCH_MAX_BACKLOG) {
    log(
      `joiner: skipped, its group is ${backlog} decisions behind (more than ${JOINER_BENCH_MAX_BACKLOG}): a stack whose joiner has not run for long`,
    );
    return null;
  }
  const supervisor = superviseServices(['joiner'], {
    log: (line) => (/error|fail/i.test(line) ? log(line) : undefined),
  });
  let decisions: number;
  let joinedSeconds: number;
  try {
    const lag = () => groupLag(admin, consumerGroups.joiner, topics.decisions.name);
    const started = await pollUntil('the joiner to start joining', 120_000, async () => {
      const now = await lag();
      return now < backlog ? { at: performance.now(), lag: now } : undefined;
    });
    await pollUntil('the joiner to catch up', 600_000, async () => ((await lag()) === 0 ? true : undefined));
    decisions = started.lag;
    joinedSeconds = (performance.now() - started.at) / 1000;
  } finally {
    await supervisor.stop();
  }
  const raw = await rawConsume(kafka, topics.decisions.name, decisions);
  const figures = { decisions, joinedPerSecond: decisions / joinedSeconds, rawConsumePerSecond: raw.perSecond };
  log(
    `joiner: ${figures.joinedPerSecond.toFixed(0)} decisions/s vs raw consume ${figures.rawConsumePerSecond.toFixed(0)}/s`,
  );
  return figures;
}

/** Requests for 1,024 entities in turn, so lookups spread over every partition and every features instance. */
function rotatingBodies(): () => Uint8Array {
  const bodies = Array.from({ length: 1024 }, (_, i) =>
    new TextEncoder().encode(JSON.stringify({ entity: `bench-user-${i}`, context: { hour: 9, platform: 'ios' } })),
  );
  let next = 0;
  return () => bodies[next++ & 1023]!;
}

const SCALING_CONCURRENCY = 64;
const INGEST_POLL_MS = 20;
/**
 * Cores each features and predictor instance may use in the limited runs: a quarter, so that two
 * pairs (a core in all) leave the client, NATS and Kafka the other core of a two-core machine.
 */
const CPU_PER_INSTANCE = 0.25;
/**
 * Requests in flight per pair in the limited runs. A limited instance that has spent its quota waits
 * for the next period with requests in hand, so a decide waits longer, and a closed-loop client
 * needs more requests in flight to keep the instances busy rather than measure their waits.
 */
const LIMITED_CONCURRENCY_PER_PAIR = 256;

export async function benchDecisionLoop(
  config: LooperConfig,
  seconds: number,
  events: number,
  log: (line: string) => void,
): Promise<DecisionLoopFigures> {
  const kafka = createKafkaClient(config, { clientId: 'looper-bench' });
  const admin = kafka.admin();
  await admin.connect();
  const registry = createSchemaRegistryClient(config);
  await applyTopology(admin, registry, allTopics);
  const id = randomUUID().slice(0, 8);
  const opensTopic = `bench.opens.${id}`;
  const sessionsTopic = `bench.sessions.${id}`;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [opensTopic, sessionsTopic].map((topic) => ({ topic, numPartitions: DATA_PARTITIONS })),
  });
  log(`producing ${events} events to ${opensTopic} and ${sessionsTopic}`);
  await produceEvents(kafka, opensTopic, events, 5000, false);
  await produceEvents(kafka, sessionsTopic, events, 5000, true);

  // Raw baseline: the same topic consumed by kafkajs with no work per record.
  const raw = await rawConsume(kafka, sessionsTopic, events);

  const bp = (await registerBlueprint({ kafka, registry }, benchBlueprint(`bench_${id}`, opensTopic, sessionsTopic)))
    .blueprint;
  /** The partitions the first features instance holds, from its log. */
  let firstHolds = 0;
  const supervisor: Supervisor = superviseServices(['features', 'predictor'], {
    log: (line) => {
      const held = heldPartitionsIn(line, 'features');
      if (held) firstHolds = held.length;
      if (/error|fail/i.test(line)) log(line);
    },
  });
  try {
    // Ingest: the features service reads both topics (4 stream features); timed from its first
    // progress to lag 0, as its committed offsets show them (polled often: a backlog of 100,000
    // events a topic takes about a second).
    const total = async () =>
      (await groupLag(admin, consumerGroups.features, opensTopic).catch(() => events)) +
      (await groupLag(admin, consumerGroups.features, sessionsTopic).catch(() => events));
    const started = await pollUntil(
      'the features service to start ingesting',
      120_000,
      async () => ((await total()) < 2 * events ? performance.now() : undefined),
      INGEST_POLL_MS,
    );
    const startLag = await total();
    await pollUntil(
      'the features service to catch up',
      600_000,
      async () => ((await total()) === 0 ? true : undefined),
      INGEST_POLL_MS,
    );
    const ingestSeconds = (performance.now() - started) / 1000;
    const ingestRate = startLag / ingestSeconds;
    log(
      `ingest: ${ingestRate.toFixed(0)} events/s into RocksDB aggregates vs raw consume ${raw.perSecond.toFixed(0)}/s`,
    );

    await publishModel(kafka, config, bp);
    const nats: NatsConnection = await connectNats(config, 'looper-bench');
    const subject = subjects.decide(bp.name);
    const body = new TextEncoder().encode(
      JSON.stringify({ entity: 'bench-user-42', context: { hour: 9, platform: 'ios' } }),
    );
    await pollUntil('a served model', 60_000, async () => {
      const reply = JSON.parse(new TextDecoder().decode((await nats.request(subject, body, { timeout: 2000 })).data));
      return reply.fallback === false ? true : undefined;
    });
    // Echo baseline and decide, interleaved per concurrency level in the same run.
    const echoSubject = `looper.bench.echo.${id}`;
    const echo = nats.subscribe(echoSubject, { queue: 'bench', callback: (_e, m) => m.respond(m.data) });
    const decide: RequestFigures[] = [];
    const echoes: RequestFigures[] = [];
    const cpuPerRequestUs: DecisionLoopFigures['cpuPerRequestUs'] = [];
    // Where each request's CPU goes: the bench client (and the echo responder, in the same process),
    // the NATS server, the services, and Kafka's broker (the decision log).
    const processes = {
      client: [process.pid],
      'nats-server': pidsMatching(/nats-server/),
      predictor: [supervisor.pid('predictor') ?? -1],
      features: [supervisor.pid('features') ?? -1],
      kafka: pidsMatching(/kafka\.Kafka /),
    };
    const perRequest = (cpu: Record<string, number>, f: RequestFigures, seconds: number) =>
      Object.fromEntries(Object.entries(cpu).map(([name, s]) => [name, (s * 1e6) / (f.requestsPerSecond * seconds)]));
    for (const c of [1, 16, 64]) {
      const e = await cpuWhile(processes, () =>
        driveRequests('nats echo', c, seconds * 1000, () => nats.request(echoSubject, body, { timeout: 5000 })),
      );
      const d = await cpuWhile(processes, () =>
        driveRequests('decide', c, seconds * 1000, () => nats.request(subject, body, { timeout: 5000 })),
      );
      echoes.push(e.result);
      decide.push(d.result);
      cpuPerRequestUs.push({
        concurrency: c,
        echo: perRequest(e.cpuSeconds, e.result, seconds),
        decide: perRequest(d.cpuSeconds, d.result, seconds),
      });
    }
    echo.unsubscribe();

    // Scale-out: the same load over many entities with one, then two instances each of features and
    // predictor (the second pair started here, given its partitions and ready before it is measured).
    const scaling: DecisionLoopFigures['scaling'] = [];
    let limitSkipped: string | null = null;
    const nextBody = rotatingBodies();
    // Unlimited, every run has the same concurrency. Limited, it grows with the pairs: a predictor
    // batches the lookups of the decides that arrive together, so a fixed load split over more
    // instances costs each decide more, and scaling out is for load that has grown.
    const measure = async (instances: number, cpuPerInstance: number | null) => {
      const label = `decide, ${instances} instance(s) each${cpuPerInstance === null ? '' : ` limited to ${cpuPerInstance} core`}`;
      const concurrency = cpuPerInstance === null ? SCALING_CONCURRENCY : LIMITED_CONCURRENCY_PER_PAIR * instances;
      const { result, busy } = await busyWhile(() =>
        driveRequests(label, concurrency, seconds * 1000, () => nats.request(subject, nextBody(), { timeout: 5000 })),
      );
      scaling.push({ instances, cpuPerInstance, decide: result, machineBusy: busy });
    };
    const warmUp = () =>
      driveRequests('warm-up', SCALING_CONCURRENCY, 5000, () => nats.request(subject, nextBody(), { timeout: 5000 }));
    await measure(1, null);
    const secondInstance = `bench-${id}`;
    let secondReady = { features: false, predictor: false };
    const second = superviseServices(['features', 'predictor'], {
      env: { ...process.env, LOOPER_INSTANCE: secondInstance, LOOPER_OPS_PORT: '0' },
      log: (line) => {
        if ((heldPartitionsIn(line, 'features')?.length ?? 0) > 0) secondReady = { ...secondReady, features: true };
        if (/\[predictor\] answering decide requests/.test(line)) secondReady = { ...secondReady, predictor: true };
        if (/error|fail/i.test(line)) log(line);
      },
    });
    try {
      await pollUntil('the second features and predictor instances', 120_000, async () =>
        secondReady.features && secondReady.predictor ? true : undefined,
      );
      // Warm the new pair (its JIT, its first routes) and let the rebalance settle before measuring.
      await warmUp();
      await measure(2, null);
      // The same with every instance limited, as each would be on a machine or a container of its
      // own: two pairs, then (the second stopped, its partitions back with the first) one.
      const limits = openCpuCaps(`looper-bench-${id}`);
      if ('unavailable' in limits) {
        limitSkipped = limits.unavailable;
        log(`decide by instances with a CPU limit each: skipped, ${limitSkipped}`);
      } else {
        try {
          for (const pid of [
            supervisor.pid('features'),
            supervisor.pid('predictor'),
            second.pid('features'),
            second.pid('predictor'),
          ])
            if (pid !== undefined) limits.caps.cap(pid, CPU_PER_INSTANCE);
          await warmUp();
          await measure(2, CPU_PER_INSTANCE);
          await second.stop();
          await pollUntil('the first features instance to hold every partition again', 120_000, async () =>
            firstHolds === DATA_PARTITIONS ? true : undefined,
          );
          await warmUp();
          await measure(1, CPU_PER_INSTANCE);
        } finally {
          limits.caps.release();
        }
      }
    } finally {
      await second.stop();
      rmSync(serviceStateDir(config.dataDir, 'features', secondInstance), { recursive: true, force: true });
    }

    const joiner = await benchJoiner(kafka, admin, log);

    // Freshness: an event for a new entity, then lookups until the feature shows it.
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      const entity = `fresh-${id}-${i}`;
      const t0 = performance.now();
      await producer.send({
        topic: opensTopic,
        acks: -1,
        messages: [{ key: entity, value: JSON.stringify({ platform: 'ios', ts: Date.now() }) }],
      });
      await pollUntil(
        'the event to show in a lookup',
        30_000,
        async () => {
          const reply = await requestFeatures(nats, bp.name, entity, DATA_PARTITIONS);
          return reply.values?.[0]?.['opens_1d'] === 1 ? true : undefined;
        },
        5,
      );
      samples.push(performance.now() - t0);
    }
    await producer.disconnect();
    await nats.close();

    const training: Record<string, number> = {};
    for (const family of ['logistic', 'mlp']) training[family] = await benchTraining(family, 100_000);
    return {
      decide,
      echo: echoes,
      ingest: {
        events: startLag,
        seconds: ingestSeconds,
        featuresPerSecond: ingestRate,
        rawConsumePerSecond: raw.perSecond,
      },
      training,
      freshness: { eventToFeatureMs: summarize(samples) },
      scaling,
      limitSkipped,
      cpuPerRequestUs,
      joiner,
    };
  } finally {
    await supervisor.stop();
    await admin.deleteTopics({ topics: [opensTopic, sessionsTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
