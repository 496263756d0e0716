// Blueprints for tests: the smallest valid one, and a way to break it one key at a time.
import { compileBlueprint } from './compile.js';
import type { BlueprintProblem } from './problem.js';

export type RawBlueprint = Record<string, unknown>;

/** The smallest valid blueprint: only the required keys. */
export function minimalBlueprint(): RawBlueprint {
  return {
    blueprint: 'notification_send',
    task: 'classification',
    entity: 'user',
    label: { window: '30m' },
    decision: { policy: 'threshold', threshold: 0.5, actions: ['send', 'skip'], default: 'skip' },
  };
}

/** The minimal blueprint with `change` applied to (a copy of) it. */
export function blueprintWith(change: (bp: RawBlueprint) => void): RawBlueprint {
  const bp = minimalBlueprint();
  change(bp);
  return bp;
}

/** The problems of a blueprint that must not compile; throws when it does. */
export function problemsOf(raw: unknown): BlueprintProblem[] {
  const result = compileBlueprint(raw);
  if (result.ok) throw new Error('expected problems, but the blueprint compiled');
  return result.problems;
}

/** `path: message` of each problem, the way the CLI's first line shows it. */
export function messagesOf(raw: unknown): string[] {
  return problemsOf(raw).map((p) => `${p.path}: ${p.message}`);
}

/** The smallest valid blueprint of each task: what that task needs besides the minimal keys. */
export function minimalBlueprintOf(task: string): RawBlueprint {
  return blueprintWith((bp) => {
    bp['task'] = task;
    if (task === 'ranking') {
      bp['features'] = { candidates: [{ name: 'price', type: 'float' }] };
      bp['decision'] = { policy: 'top_k', k: 3 };
    } else if (task === 'sequence') {
      bp['features'] = {
        streams: [{ name: 'recent_pages', topic: 'app.pageviews', field: 'page', aggregate: 'last_n', n: 5 }],
      };
      bp['sequence'] = { feature: 'recent_pages' };
      bp['label'] = { source: 'app.pageviews', value: { field: 'page' }, window: '10m' };
      bp['decision'] = { policy: 'argmax' };
    } else {
      bp['decision'] = { policy: 'argmax', actions: ['a', 'b'], default: 'a' };
    }
  });
}
