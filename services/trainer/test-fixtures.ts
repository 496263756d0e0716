// Blueprints and examples the trainer tests share (test-only: no source imports this): the planning
// world, where push pays on ios and sms on web, and colour_pick, the top 2 of four colours.
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { parseBlueprintYaml } from '../lib/blueprint/parse.js';
import type { CompileResult } from '../lib/blueprint/problem.js';
import { exampleRecord } from '../lib/joiner/test-records.js';
import type { Blueprint, Example } from '../lib/schemas/generated.js';

/** The blueprint a compile must give, as version 1 (as registered); throws the problems when there are any. */
export function blueprintOf(result: CompileResult): Blueprint {
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { ...result.blueprint, version: 1 };
}

/** `plan`: a LinUCB bandit choosing push or sms by platform; `training` is its training section when given. */
export function planningBlueprint(training?: Record<string, unknown>): Blueprint {
  return blueprintOf(
    compileBlueprint({
      blueprint: 'plan',
      task: 'planning',
      entity: 'user',
      features: { context: [{ name: 'platform', type: 'category', values: ['ios', 'web'] }] },
      label: { window: '1m', missing: 0 },
      decision: { policy: 'linucb', alpha: 0.1, actions: ['push', 'sms'], default: 'push', explore: '5%' },
      ...(training === undefined ? {} : { training }),
    }),
  );
}

export interface PlannedOptions {
  /** The first decision's time, the others a second apart; all at exampleRecord's time when not given. */
  start?: number;
  /** The world turned round: sms pays on ios and push on web. */
  flipped?: boolean;
}

/**
 * The i-th logged decision of the planning world, both actions alike (propensity 0.5): ios for an
 * even i, web for an odd one; push for i = 0, 1 mod 4, sms for 2, 3; reward 1 when the action pays.
 */
export function planningExample(i: number, options: PlannedOptions = {}): Example {
  const ios = i % 2 === 0;
  const action = (i >> 1) % 2 === 0 ? 'push' : 'sms';
  const pays = ((action === 'push') === ios) !== (options.flipped ?? false);
  return exampleRecord({
    features: { platform: ios ? 'ios' : 'web' },
    action,
    label: pays ? 1 : 0,
    propensity: 0.5,
    ...(options.start === undefined ? {} : { decisionTs: options.start + i * 1000 }),
  });
}

/** `n` logged decisions of the planning world, the `from`-th on. */
export function planningExamples(n: number, from = 0, options: PlannedOptions = {}): Example[] {
  return Array.from({ length: n }, (_, k) => planningExample(from + k, options));
}

/** colour_pick's classes, its actions in order. */
export const COLOURS = ['red', 'green', 'blue', 'gold'];

/** colour_pick: the top 2 of COLOURS, a product event's field, over the float features named and a device. */
export function colourPickBlueprint(floats: readonly string[]): Blueprint {
  return blueprintOf(
    parseBlueprintYaml(`
blueprint: colour_pick
task: classification
entity: user
features:
  context:
${floats.map((name) => `    - { name: ${name}, type: float }`).join('\n')}
    - { name: device, type: category, values: [ios, android, web] }
label: { source: { topic: app.picks, match: entity }, value: { field: colour }, window: 10m }
decision: { policy: top_k, k: 2, actions: [${COLOURS.join(', ')}], default: red }
`),
  );
}
