import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
import { cliKafka } from './clients.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import { applyTopology, type ApplyReport } from '../../topology/apply.js';
import { renderMermaid } from '../../topology/diagram.js';
import { allTopics } from '../../topology/topics.js';
import { table } from '../lib/table.js';

export async function runTopologyApply(config: LooperConfig): Promise<ApplyReport> {
  const admin = cliKafka(config).admin();
  await admin.connect();
  try {
    return await applyTopology(admin, createSchemaRegistryClient(config), allTopics);
  } finally {
    await admin.disconnect();
  }
}

export function formatApplyReport(report: ApplyReport): string {
  const lines: string[] = [];
  lines.push(
    report.created.length > 0
      ? `created ${report.created.length} topics: ${report.created.join(', ')}`
      : 'no topics to create',
  );
  const newSchemas = report.schemas.filter((s) => s.isNew);
  lines.push(
    newSchemas.length > 0
      ? `registered ${newSchemas.map((s) => `${s.subject} (id ${s.id})`).join(', ')}`
      : `all ${report.schemas.length} value schemas already registered`,
  );
  if (report.drift.length > 0) {
    lines.push(`drift in ${report.drift.length} setting(s) (left as they are; Looper never alters or deletes data):`);
    for (const d of report.drift)
      lines.push(`  ${d.topic} ${d.property}: declared ${d.declared}, broker has ${d.actual}\n    fix: ${d.fix}`);
  }
  return lines.join('\n');
}

export function registerTopologyCommands(program: Command, getConfig: () => LooperConfig): void {
  const topology = program
    .command('topology')
    .description('Looper topics and data flow, declared in topology/topics.ts');

  topology
    .command('apply')
    .description('create missing topics, register value schemas, report drift (never deletes)')
    .action(async () => {
      const report = await runTopologyApply(getConfig());
      console.log(formatApplyReport(report));
      if (report.drift.length > 0) process.exitCode = 4;
    });

  topology
    .command('show')
    .description('print every declared topic')
    .option('--mermaid', 'print the data-flow diagram as Mermaid')
    .action((options: { mermaid?: boolean }) => {
      if (options.mermaid) {
        console.log(renderMermaid(allTopics));
        return;
      }
      const days = (ms: number) => (ms < 0 ? 'forever' : `${ms / 86_400_000}d`);
      console.log(
        table(
          ['topic', 'partitions', 'cleanup', 'retention', 'key', 'value schema', 'written by', 'read by'],
          allTopics.map((t) => [
            t.name,
            String(t.partitions),
            t.cleanupPolicy,
            days(t.retentionMs),
            t.key,
            t.valueSchema ?? 'bytes',
            t.producers.join(','),
            t.consumers.join(','),
          ]),
        ),
      );
    });
}
