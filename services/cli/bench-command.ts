import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
import { kafkaRawBaseline } from '../../bench/baselines.js';
import { benchDecisionLoop } from '../../bench/decision-loop.js';
import { table } from '../../deploy/local/stack.js';

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

export function registerBenchCommand(program: Command, getConfig: () => LooperConfig): void {
  program
    .command('bench')
    .description('measure decide, ingest, training and freshness beside raw NATS and Kafka baselines on the running stack; prints figures and writes bench/results/')
    .option('--seconds <s>', 'duration of each request-reply run', '5')
    .option('--events <n>', 'events per topic for the ingest run', '100000')
    .action(async (options: { seconds: string; events: string }) => {
      const config = getConfig();
      const log = (line: string) => console.log(`# ${line}`);
      const loop = await benchDecisionLoop(config, Number(options.seconds), Number(options.events), log);
      const kafka = await kafkaRawBaseline(config, Number(options.events));

      console.log('\ndecide (NATS request-reply through the predictor, one feature lookup, exact scoring) vs a raw NATS echo, same run:');
      console.log(
        table(
          ['concurrency', 'decide req/s', 'echo req/s', 'throughput ratio', 'decide p50 ms', 'echo p50 ms', 'p50 overhead ms', 'decide p99 ms', 'echo p99 ms'],
          loop.decide.map((d, i) => {
            const e = loop.echo[i]!;
            return [String(d.concurrency), d.requestsPerSecond.toFixed(0), e.requestsPerSecond.toFixed(0), ratio(d.requestsPerSecond, e.requestsPerSecond), d.latencyMs.p50.toFixed(3), e.latencyMs.p50.toFixed(3), (d.latencyMs.p50 - e.latencyMs.p50).toFixed(3), d.latencyMs.p99.toFixed(3), e.latencyMs.p99.toFixed(3)];
          }),
        ),
      );
      console.log(`\nfeature ingest: ${loop.ingest.featuresPerSecond.toFixed(0)} events/s into RocksDB aggregates vs raw kafkajs consume ${loop.ingest.rawConsumePerSecond.toFixed(0)}/s of the same topic → ${ratio(loop.ingest.featuresPerSecond, loop.ingest.rawConsumePerSecond)} (${loop.ingest.events} events, 6 partitions)`);
      console.log(`training: ${Object.entries(loop.training).map(([f, v]) => `${f} ${v.toFixed(0)} examples/s`).join(', ')} (batches of 1024)`);
      const f = loop.freshness.eventToFeatureMs;
      console.log(`freshness: event produced → visible in a lookup p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (${f.count} events)`);
      console.log(`raw kafkajs: produce ${kafka.producePerSecond.toFixed(0)} msg/s, consume ${kafka.consumePerSecond.toFixed(0)} msg/s`);

      mkdirSync('bench/results', { recursive: true });
      const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
      writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, ...loop, kafkaRaw: kafka }, null, 2));
      console.log(`\nwritten to ${file}`);
    });
}
