// The README's data-flow diagram, rendered from the topic declaration (pure).
import type { TopicSpec } from './topics.js';

const nodeId = (name: string) => name.replace(/[^A-Za-z0-9]/g, '_');

export function renderMermaid(topics: readonly TopicSpec[]): string {
  const lines = ['flowchart LR'];
  const services = new Set<string>();
  for (const topic of topics) for (const s of [...topic.producers, ...topic.consumers]) services.add(s);
  for (const service of [...services].sort()) lines.push(`  ${nodeId(service)}([${service}])`);
  for (const topic of topics) {
    const label = topic.cleanupPolicy === 'compact' ? `${topic.name} · compacted` : topic.name;
    lines.push(`  ${nodeId(`t_${topic.name}`)}[(${label})]`);
  }
  for (const topic of topics) {
    const id = nodeId(`t_${topic.name}`);
    for (const producer of topic.producers) lines.push(`  ${nodeId(producer)} --> ${id}`);
    for (const consumer of topic.consumers) lines.push(`  ${id} --> ${nodeId(consumer)}`);
  }
  return lines.join('\n');
}
