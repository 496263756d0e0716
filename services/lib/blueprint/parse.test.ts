import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LooperError } from '../errors.js';
import { BlueprintInvalidError } from './errors.js';
import { formatProblems } from './format.js';
import { parseBlueprintYaml } from './parse.js';

const repoFile = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('blueprint YAML', () => {
  it('blueprint YAML - reports syntax errors at their line and column', () => {
    assert.deepEqual(parseBlueprintYaml('blueprint: b\ntask: [classification\nentity: user\n'), {
      ok: false,
      problems: [
        {
          path: 'line 3, col 1',
          message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
          fix: 'close every [ and { before the next key, and indent nested lines more than their key',
        },
      ],
    });
    assert.deepEqual(parseBlueprintYaml('blueprint: b\n\ttask: ranking\n'), {
      ok: false,
      problems: [
        { path: 'line 2, col 1', message: 'Tabs are not allowed as indentation', fix: 'indent with spaces, not tabs' },
      ],
    });
  });

  it('blueprint YAML - reports a duplicate key with its position and a fix', () => {
    const result = parseBlueprintYaml('blueprint: a\ntask: ranking\ntask: planning\n');
    assert.deepEqual(result, {
      ok: false,
      problems: [
        { path: 'line 3, col 1', message: 'Map keys must be unique', fix: 'keep one of the keys with the same name' },
      ],
    });
  });

  it('blueprint YAML - refuses several documents in one file', () => {
    const result = parseBlueprintYaml('blueprint: a\n---\nblueprint: b\n');
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => [p.path, p.fix]),
      [['line 2, col 1', 'keep one blueprint per file: remove the --- separator']],
    );
  });

  it('blueprint YAML - an empty file is one problem', () => {
    assert.deepEqual(parseBlueprintYaml('# nothing yet\n'), {
      ok: false,
      problems: [
        {
          path: '(document)',
          message: 'is empty',
          fix: 'write a blueprint, starting with blueprint: <name>; see examples/notification_send.yaml',
        },
      ],
    });
  });

  it('blueprint YAML - after parsing, problems are reported by key path', () => {
    const result = parseBlueprintYaml(
      'blueprint: b\ntask: clasification\nentity: user\nlabel: { window: 30m }\ndecision: { policy: argmax, actions: [a], default: a }\n',
    );
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => p.path),
      ['task'],
    );
  });

  it('blueprint YAML - reads on, yes and no as words (YAML 1.2), not booleans', () => {
    const result = parseBlueprintYaml(
      'blueprint: b\ntask: classification\nentity: user\nlabel: { window: 30m }\n' +
        'decision: { policy: threshold, threshold: 0.5, actions: [yes, no], default: no }\n' +
        'monitoring: { alerts: [{ on: model_age, above: 2h }] }\n',
    );
    assert.ok(result.ok, result.ok ? '' : formatProblems(result.problems));
    assert.deepEqual(result.blueprint.decision.actions, ['yes', 'no']);
    assert.equal(result.blueprint.monitoring.alerts[0]!.on, 'model_age');
  });
});

describe('blueprint problems', () => {
  const problems = [
    {
      path: 'task',
      message: '"clasification" is not one of classification, estimation',
      fix: 'did you mean classification?',
    },
    { path: 'label.window', message: 'is required', fix: 'add window: 30m' },
  ];

  it('blueprint problems - are formatted one per line with the fix indented below', () => {
    assert.equal(
      formatProblems(problems),
      'task: "clasification" is not one of classification, estimation\n  fix: did you mean classification?\nlabel.window: is required\n  fix: add window: 30m',
    );
    assert.equal(formatProblems([]), '');
  });

  it('blueprint problems - BlueprintInvalidError lists every problem and cannot be retried', () => {
    const error = new BlueprintInvalidError(problems, { cause: new Error('from the CLI') });
    assert.ok(error instanceof LooperError);
    assert.equal(error.name, 'BlueprintInvalidError');
    assert.equal(error.code, 'invalid_blueprint');
    assert.equal(error.retriable, false);
    assert.deepEqual(error.problems, problems);
    assert.equal(
      error.message,
      'invalid blueprint, 2 problems:\n' +
        '  task: "clasification" is not one of classification, estimation (fix: did you mean classification?)\n' +
        '  label.window: is required (fix: add window: 30m)',
    );
    assert.equal((error.cause as Error).message, 'from the CLI');
  });

  it('blueprint problems - docs/blueprints.md shows the real validate output of the invalid example', () => {
    const docs = repoFile('docs/blueprints.md');
    const block = /<!-- validate:begin -->\n```\n([\s\S]*?)\n```\n<!-- validate:end -->/.exec(docs)?.[1];
    const result = parseBlueprintYaml(repoFile('examples/invalid_blueprint.yaml'));
    assert.ok(!result.ok);
    const output = `$ npx looper blueprint validate examples/invalid_blueprint.yaml\nexamples/invalid_blueprint.yaml: ${result.problems.length} problem(s)\n${formatProblems(result.problems)}`;
    assert.equal(block, output);
  });

  it('blueprint problems - the YAML snippets in docs/blueprints.md use only known keys', () => {
    const docs = repoFile('docs/blueprints.md');
    const top = /## Top level\n\n```yaml\n[\s\S]*?```/.exec(docs);
    assert.ok(top);
    for (const section of [
      'features',
      'label',
      'decision',
      'objective',
      'automl',
      'training',
      'rollout',
      'monitoring',
      'experiment',
    ]) {
      const snippet = new RegExp('## ' + section + '\\n[\\s\\S]*?```yaml\\n([\\s\\S]*?)```').exec(docs)?.[1];
      assert.ok(snippet, `docs/blueprints.md has a ${section} example`);
      const base =
        'blueprint: notification_send\ntask: classification\nentity: user\n' +
        (section === 'label' ? '' : 'label: { window: 30m }\n') +
        (section === 'decision'
          ? ''
          : 'decision: { policy: threshold, threshold: 0.5, actions: [send, skip], default: skip }\n') +
        (section === 'features' || section === 'monitoring'
          ? ''
          : 'features: { context: [{ name: hour, type: int }] }\n');
      const result = parseBlueprintYaml(base + snippet);
      assert.ok(result.ok, `${section}: ${result.ok ? '' : formatProblems(result.problems)}`);
    }
  });
});
