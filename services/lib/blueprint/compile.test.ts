import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { avroSchemas } from '../schemas/generated.js';
import { compileBlueprint } from './compile.js';
import { parseBlueprintYaml } from './parse.js';
import { minimalBlueprint } from './test-blueprints.js';

const repoFile = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const blueprintType = avro.Type.forSchema(avroSchemas.Blueprint.schema as Parameters<typeof avro.Type.forSchema>[0]);

describe('blueprint compiler', () => {
  it('blueprint compiler - compiles the example blueprint to exactly the golden fixture', () => {
    const result = parseBlueprintYaml(repoFile('examples/notification_send.yaml'));
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems, null, 2));
    assert.deepEqual(result.blueprint, JSON.parse(repoFile('schemas/Blueprint/fixtures/v4.json')));
    assert.equal(
      blueprintType.toBuffer(result.blueprint).toString('hex'),
      repoFile('schemas/Blueprint/fixtures/v4.hex').trim(),
    );
  });

  it('blueprint compiler - keeps the YAML as authored, comments included', () => {
    const text = repoFile('examples/notification_send.yaml');
    const result = parseBlueprintYaml(text);
    assert.ok(result.ok);
    assert.equal(result.blueprint.sourceYaml, text);
  });

  it('blueprint compiler - fills in every default of a minimal blueprint', () => {
    const result = compileBlueprint(minimalBlueprint(), 'yaml as written');
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems, null, 2));
    assert.deepEqual(result.blueprint, {
      name: 'notification_send',
      version: 0,
      registeredAt: 0,
      description: '',
      task: 'classification',
      entity: 'user',
      features: { context: [], streams: [], candidates: [] },
      label: {
        topic: null,
        match: 'decisionId',
        windowMs: 1_800_000,
        valueConstant: null,
        valueField: 'value',
        missing: null,
        entityField: null,
        format: 'json',
      },
      decision: {
        policy: 'threshold',
        threshold: 0.5,
        k: null,
        epsilon: null,
        temperature: null,
        alpha: null,
        actions: ['send', 'skip'],
        default: 'skip',
        deadlineMs: 20,
        explore: 0.05,
        exploreOnShift: 0.1,
      },
      objective: { metric: 'auc', ndcgAt: null, constraints: { p99InferenceUs: 1000, modelSizeBytes: 1_048_576 } },
      automl: { families: ['logistic', 'mlp', 'gbdt'], budget: 30, scheduleMs: 86_400_000 },
      training: {
        online: true,
        publishEveryMs: 30_000,
        retrainMs: 86_400_000,
        propensityClip: 0.01,
        forgetHalfLifeMs: 86_400_000,
      },
      rollout: {
        shadow: { minExamples: 1000 },
        promoteIf: { metricGain: 0 },
        canary: 0.1,
        rollbackIf: { metricDrop: 0.01 },
      },
      monitoring: { guardrails: [], alerts: [] },
      experiment: null,
      apprentice: null,
      sequence: null,
      sourceYaml: 'yaml as written',
    });
    assert.ok(blueprintType.isValid(result.blueprint));
  });

  it('blueprint compiler - renders the source as YAML when none is given', () => {
    const result = compileBlueprint(minimalBlueprint());
    assert.ok(result.ok);
    assert.match(result.blueprint.sourceYaml, /^blueprint: notification_send\ntask: classification\n/);
  });

  it('blueprint compiler - reports every problem of the invalid example at once, with paths, messages and fixes', () => {
    const result = parseBlueprintYaml(repoFile('examples/invalid_blueprint.yaml'));
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => `${p.path}: ${p.message}`),
      [
        'blueprint: "Notification-Send" is not a name like notification_send',
        'task: "clasification" is not one of classification, estimation, ranking, sequence, planning',
        'features.context[1].values: is required for type category',
        'features.streams[1].field: is required for aggregate mean',
        'features.streams[1].window: "one hour" is not a duration like 1h',
        'features.streams[2].name: "hour" is already the name of features.context[0]',
        'label.window: is required',
        'decision.deadlne: is not a key of a decision',
        'decision.threshold: is required for policy threshold',
        'decision.default: "sned" is not one of the actions send, skip',
        'rollout.canary: 0.1 is not a share like 10%',
        'monitoring.alerts[0].psi: is not used by alert decide_p99',
        'monitoring.alerts[0].above: is required for alert decide_p99',
      ],
    );
    const fixes = new Map(result.problems.map((p) => [p.path, p.fix]));
    assert.equal(fixes.get('task'), 'did you mean classification?');
    assert.equal(fixes.get('decision.deadlne'), 'did you mean deadline?');
    assert.equal(fixes.get('decision.default'), 'did you mean send?');
    assert.equal(fixes.get('rollout.canary'), 'write it as a percentage, e.g. 10%');
    assert.match(fixes.get('blueprint') ?? '', /e\.g\. notification_send$/);
    for (const problem of result.problems) assert.notEqual(problem.fix, '', `${problem.path} has no fix`);
  });

  it('blueprint compiler - reports a document that is not a mapping, or is empty', () => {
    assert.deepEqual(compileBlueprint(null), {
      ok: false,
      problems: [
        {
          path: '(document)',
          message: 'is empty',
          fix: 'write a blueprint, starting with blueprint: <name>; see examples/notification_send.yaml',
        },
      ],
    });
    const listed = compileBlueprint(['blueprint']);
    assert.ok(!listed.ok);
    assert.deepEqual(
      listed.problems.map((p) => `${p.path}: ${p.message}`),
      ['(document): a list is not a mapping'],
    );
  });

  it('blueprint compiler - never evaluates a value: code-like strings are kept verbatim as data', () => {
    const code = '${process.exit(1)} `rm -rf /` {{ 7 * 7 }}';
    const result = compileBlueprint({ ...minimalBlueprint(), description: code });
    assert.ok(result.ok);
    assert.equal(result.blueprint.description, code);
  });

  it('blueprint compiler - does not change the value it is given', () => {
    const raw = minimalBlueprint();
    const before = structuredClone(raw);
    compileBlueprint(raw);
    assert.deepEqual(raw, before);
  });
});
