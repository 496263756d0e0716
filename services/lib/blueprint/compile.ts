// The blueprint compiler: untyped YAML data in, the canonical Blueprint record (schemas/Blueprint)
// out, or every problem at once, each with its path and a fix. Pure: no I/O.
//
// A blueprint is data, never code: no value is ever evaluated, interpolated or executed, so a
// string that happens to look like code is just a string (and usually fails its own check).
import { stringify } from 'yaml';
import type { Blueprint } from '../schemas/generated.js';
import { compileDecision, compileObjective } from './compile-decision.js';
import { compileFeatures } from './compile-features.js';
import { compileLabel } from './compile-label.js';
import { compileAutoml, compileRollout, compileTraining } from './compile-learning.js';
import { compileApprentice } from './compile-apprentice.js';
import { checkTask, compileSequence, isMultiClass } from './compile-tasks.js';
import { compileExperiment, compileMonitoring } from './compile-monitoring.js';
import type { CompileResult } from './problem.js';
import { Reader } from './reader.js';
import { TASKS } from './vocabulary.js';
import { InvariantError } from '../errors.js';

const BLUEPRINT_KEYS = [
  'blueprint',
  'description',
  'task',
  'entity',
  'features',
  'label',
  'decision',
  'objective',
  'automl',
  'training',
  'rollout',
  'monitoring',
  'experiment',
  'apprentice',
  'sequence',
] as const;

/**
 * Checks a parsed blueprint and compiles it: units become numbers (ms, us, bytes, fractions 0..1),
 * short forms become their long form, and every default is filled in. `sourceYaml` is kept as
 * authored for `looper blueprint show`; without it the value is rendered as YAML.
 */
export function compileBlueprint(raw: unknown, sourceYaml?: string): CompileResult {
  const r = new Reader();
  if (raw === undefined || raw === null) {
    r.report('', 'is empty', 'write a blueprint, starting with blueprint: <name>; see examples/notification_send.yaml');
    return { ok: false, problems: r.problems };
  }
  const m = r.mapping(raw, '', BLUEPRINT_KEYS, 'a blueprint');
  if (m === undefined) return { ok: false, problems: r.problems };
  const f = r.fields(m, '');

  const name = f.name(
    'blueprint',
    'notification_send',
    'add blueprint: a unique name, e.g. blueprint: notification_send',
    'it becomes a NATS subject token and a topic key',
  );
  const description =
    f.raw('description') === '' ? '' : (f.string('description', 'Send a push notification now, or not.') ?? '');
  const task = f.oneOf('task', TASKS, `add task: one of ${TASKS.join(', ')}`);
  const entity = f.name(
    'entity',
    'user',
    'add entity: what a decision is about, e.g. entity: user',
    "it names the key of the entity's events and state",
  );
  const { features, names } = compileFeatures(r, f.raw('features'), 'features');
  const label = f.present('label', 'add label: how outcomes become labels, e.g. label: { window: 30m }')
    ? compileLabel(r, f.raw('label'), 'label', task, isMultiClass(task, f.raw('decision')))
    : undefined;
  const decision = f.present(
    'decision',
    'add decision: { policy, actions, default }, e.g. decision: { policy: threshold, threshold: 0.5, actions: [send, skip], default: skip }',
  )
    ? compileDecision(r, f.raw('decision'), 'decision', task)
    : undefined;
  const objective = compileObjective(r, f.raw('objective'), 'objective', task);
  const automl = compileAutoml(r, f.raw('automl'), 'automl', task);
  const training = compileTraining(r, f.raw('training'), 'training');
  const rollout = compileRollout(r, f.raw('rollout'), 'rollout');
  const monitoring = compileMonitoring(r, f.raw('monitoring'), 'monitoring', names);
  const experiment = compileExperiment(r, f.raw('experiment'), 'experiment', name);
  const apprentice = compileApprentice(r, f.raw('apprentice'), 'apprentice', task, f.raw('decision'));
  const sequence = compileSequence(r, f.raw('sequence'), 'sequence', task, features);
  if (task !== undefined && label !== undefined && decision !== undefined)
    checkTask(r, { task, features, label, decision, sequence });

  if (r.problems.length > 0) return { ok: false, problems: r.problems };
  if (
    name === undefined ||
    task === undefined ||
    entity === undefined ||
    label === undefined ||
    decision === undefined ||
    objective === undefined ||
    automl === undefined ||
    training === undefined ||
    rollout === undefined ||
    monitoring === undefined ||
    experiment === undefined ||
    apprentice === undefined ||
    sequence === undefined
  ) {
    throw new InvariantError('blueprint compiler: a section failed without reporting a problem');
  }
  return {
    ok: true,
    blueprint: {
      name,
      version: 0,
      registeredAt: 0,
      description,
      task,
      entity,
      features,
      label,
      decision,
      objective,
      automl,
      training,
      rollout,
      monitoring,
      experiment,
      apprentice,
      sequence,
      sourceYaml: sourceYaml ?? stringify(raw),
    } satisfies Blueprint,
  };
}
