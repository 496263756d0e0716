import { mkdirSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
import { kafkaRawBaseline, natsEchoBaseline } from '../../bench/baselines.js';
import { table } from '../../deploy/local/stack.js';

export function registerBenchCommand(program: Command, getConfig: () => LooperConfig): void {
  program
    .command('bench')
    .description('measure the raw NATS and Kafka baselines on the running stack; prints figures and writes bench/results/')
    .option('--seconds <s>', 'duration of each request-reply run', '3')
    .option('--messages <n>', 'messages for the Kafka produce/consume run', '200000')
    .action(async (options: { seconds: string; messages: string }) => {
      const config = getConfig();
      const echo = await natsEchoBaseline(config, [1, 16, 64], Number(options.seconds) * 1000);
      console.log(
        table(
          ['benchmark', 'concurrency', 'req/s', 'p50 ms', 'p99 ms'],
          echo.map((r) => [r.name, String(r.concurrency), r.requestsPerSecond.toFixed(0), r.latencyMs.p50.toFixed(3), r.latencyMs.p99.toFixed(3)]),
        ),
      );
      const kafka = await kafkaRawBaseline(config, Number(options.messages));
      console.log(`\nraw kafkajs: produce ${kafka.producePerSecond.toFixed(0)} msg/s, consume ${kafka.consumePerSecond.toFixed(0)} msg/s (${kafka.messages} messages, 6 partitions)`);
      mkdirSync('bench/results', { recursive: true });
      const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
      writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), natsEcho: echo, kafkaRaw: kafka }, null, 2));
      console.log(`\nwritten to ${file}`);
    });
}
