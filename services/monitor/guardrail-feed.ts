// Guardrail events from the product topics that blueprints name: each event is decoded with the
// guardrail's format, matched by entity (record key or the declared field) or by decision id (the
// event's decisionId field, else its record key), valued 1 (a count)
// or by the declared field, and handed to the blueprint's monitor. An event that cannot be read
// goes to the dead-letter topic with its reason.
import type { Blueprint } from '../lib/schemas/generated.js';
import type { ServiceContext } from '../lib/runtime.js';
import type { DeadLetterSink } from '../lib/dead-letters.js';
import { decodeProductEvent } from '../lib/events.js';
import { followTopic } from '../lib/serving/follow-topic.js';
import { errorMessage } from '../lib/errors.js';
import type { BlueprintMonitor } from './blueprint-monitor.js';

export class GuardrailFeed {
  private readonly followed = new Set<string>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly blueprints: () => ReadonlyMap<string, Blueprint>,
    private readonly monitorOf: (name: string) => BlueprintMonitor | undefined,
    private readonly deadLetters: DeadLetterSink,
    private readonly fromTimestamp: number,
  ) {}

  /** Starts following every guardrail topic not followed yet (blueprints may add guardrails at any time). */
  refresh(): void {
    for (const bp of this.blueprints().values()) {
      for (const g of bp.monitoring.guardrails) {
        if (this.followed.has(g.topic)) continue;
        this.followed.add(g.topic);
        followTopic(
          this.ctx,
          { name: g.topic },
          (value, message) => this.onEvent(g.topic, value, message.key, message.timestamp, message.offset),
          this.fromTimestamp,
        ).catch((error) => {
          this.followed.delete(g.topic);
          this.ctx.log(`cannot follow guardrail topic ${g.topic} (retrying at the next tick): ${errorMessage(error)}`);
        });
      }
    }
  }

  private async onEvent(
    topic: string,
    bytes: Buffer,
    key: Buffer | null,
    timestamp: string,
    offset: string,
  ): Promise<void> {
    const ts = Number(timestamp);
    for (const bp of this.blueprints().values()) {
      for (const g of bp.monitoring.guardrails) {
        if (g.topic !== topic) continue;
        const monitor = this.monitorOf(bp.name);
        if (!monitor) continue;
        const poison = (code: string, reason: string) =>
          this.deadLetters.send(
            { sourceTopic: topic, partition: null, offset, key, payload: bytes },
            code,
            `guardrail ${g.name} of ${bp.name}: ${reason}`,
          );
        const decoded = await decodeProductEvent(bytes, g.format, this.ctx.registry);
        if (!decoded.ok) return poison(decoded.code, decoded.reason);
        const byDecision = g.match === 'decisionId';
        const entity = byDecision
          ? (decoded.value['decisionId'] ?? key?.toString())
          : g.entityField
            ? decoded.value[g.entityField]
            : key?.toString();
        if (typeof entity !== 'string' || entity === '') {
          return poison(
            'no_key',
            `the event names no ${byDecision ? 'decision (field "decisionId" or record key)' : `entity (${g.entityField ? `field "${g.entityField}"` : 'record key'})`}`,
          );
        }
        const value = g.field === null ? 1 : decoded.value[g.field];
        if (typeof value !== 'number' || !Number.isFinite(value))
          return poison('bad_value', `field "${g.field}" is ${JSON.stringify(value)}, not a finite number`);
        monitor.observeGuardrail(g.name, entity, ts, value);
      }
    }
  }
}
