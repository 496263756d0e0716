// Docs that run: every blueprint the docs show is compiled here exactly as `looper blueprint validate`
// compiles a file (parseBlueprintYaml), so an example cannot rot silently. A blueprint is a fenced
// ```yaml block of README.md or docs/*.md with a top-level `blueprint:` key, or a file examples/*.yaml.
// (The docs' section snippets without `blueprint:` are compiled by parse.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { formatProblems } from './format.js';
import { parseBlueprintYaml } from './parse.js';

const root = new URL('../../../', import.meta.url);
const repoFile = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** A fenced block: where it opens (1-based line of the fence), its text, and the paragraph before it. */
interface Block {
  file: string;
  line: number;
  text: string;
  before: string;
}

/** The ```yaml (or ```yml) blocks of a Markdown file that hold a top-level `blueprint:` key. */
function blueprintBlocks(file: string): Block[] {
  const lines = repoFile(file).split('\n');
  const blocks: Block[] = [];
  let open: { line: number; indent: number; yaml: boolean; before: string; body: string[] } | undefined;
  let prose: string[] = [];
  lines.forEach((text, index) => {
    const fence = /^( *)(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (open === undefined && fence) {
      const paragraphs = prose
        .join('\n')
        .trim()
        .split(/\n\s*\n/);
      open = {
        line: index + 1,
        indent: fence[1]!.length,
        yaml: /^ya?ml$/i.test(fence[3]!),
        before: paragraphs.at(-1) ?? '',
        body: [],
      };
    } else if (open !== undefined && /^ *(`{3,}|~{3,})\s*$/.test(text)) {
      const body = open.body.join('\n') + '\n';
      if (open.yaml && /^blueprint:/m.test(body))
        blocks.push({ file, line: open.line, text: body, before: open.before });
      open = undefined;
      prose = [];
    } else if (open !== undefined) {
      open.body.push(text.slice(Math.min(open.indent, text.length - text.trimStart().length)));
    } else {
      prose.push(text);
    }
  });
  assert.equal(open, undefined, `${file}: the fence opened at line ${open?.line} is never closed`);
  return blocks;
}

/** The `blueprint:` value as written, without quotes or a trailing comment. */
function writtenName(text: string): string | undefined {
  return /^blueprint:[ \t]*(.*)$/m
    .exec(text)?.[1]
    ?.replace(/\s+#.*$/, '')
    .trim()
    .replace(/^(['"])(.*)\1$/, '$2');
}

/** Only text that says so marks an example as a deliberate mistake (shown to demonstrate validation). */
const saysInvalid = (text: string): boolean => /\b(invalid|mistakes?|not valid)\b/i.test(text);
/** The top-level outline (`features: { ... }`): the sections' own pages fill the placeholders in. */
const isOutline = (text: string): boolean => text.includes('{ ... }');

const where = (block: Pick<Block, 'file' | 'line'>): string => `${block.file}:${block.line}`;

function assertCompiles(block: Pick<Block, 'file' | 'line' | 'text'>, what: string): void {
  const result = parseBlueprintYaml(block.text);
  assert.ok(
    result.ok,
    result.ok
      ? ''
      : `${what} at ${where(block)} does not compile (its YAML "line N" is line ${block.line}+N of the file):\n${formatProblems(result.problems)}`,
  );
  assert.equal(result.blueprint.name, writtenName(block.text), `${what} at ${where(block)}: compiled name`);
}

function assertFails(block: Pick<Block, 'file' | 'line' | 'text'>, what: string): void {
  const result = parseBlueprintYaml(block.text);
  assert.ok(!result.ok, `${what} at ${where(block)} is described as invalid but compiles`);
  assert.ok(result.problems.length > 0, `${what} at ${where(block)} fails without a problem`);
}

const markdownFiles = [
  'README.md',
  ...readdirSync(new URL('docs/', root))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const blocksByFile = new Map(markdownFiles.map((file) => [file, blueprintBlocks(file)]));

/**
 * The blueprints each file showed when this test was written: more may come, none may vanish. (The
 * README's moved to the docs of their task when the README became a front door.)
 */
const DOCUMENTED: Record<string, readonly string[]> = {
  'docs/blueprints.md': ['notification_send', 'order_value'],
  'docs/multiclass.md': ['support_queue'],
  'docs/planning.md': ['reengage'],
  'docs/ranking.md': ['shop_ranking'],
  'docs/sequence.md': ['next_page'],
};

describe('documented blueprints', () => {
  it('documented blueprints - the extractor finds at least the blueprints each file showed when this test was written', () => {
    for (const [file, names] of Object.entries(DOCUMENTED)) {
      const found = (blocksByFile.get(file) ?? []).map((b) => writtenName(b.text));
      assert.ok(
        found.length >= names.length,
        `${file}: ${found.length} blueprint blocks found (${found.join(', ')}), expected at least ${names.length}`,
      );
      for (const name of names)
        assert.ok(found.includes(name), `${file}: no blueprint block named ${name} among ${found.join(', ')}`);
    }
  });

  for (const block of [...blocksByFile.values()].flat()) {
    const name = writtenName(block.text) ?? '(no name)';
    if (isOutline(block.text)) {
      it(`documented blueprints - the outline at ${where(block)} names only real sections, with its placeholders the only problems`, () => {
        const placeholders = [...block.text.matchAll(/^([a-z_]+):[ \t]*\{ \.\.\. \}/gm)].map((m) => m[1]!);
        assert.ok(placeholders.length >= 10, `${where(block)}: ${placeholders.length} placeholder sections`);
        const result = parseBlueprintYaml(block.text);
        assert.ok(!result.ok);
        const strays = result.problems.filter((p) => !placeholders.includes(p.path.split(/[.[]/)[0]!));
        assert.deepEqual(strays, [], `${where(block)}: problems outside the { ... } placeholders`);
        // A misspelt section would be reported at its own top-level path; `sequence` is, by design:
        // the outline says it is for task sequence only, and its task is classification.
        assert.deepEqual(
          result.problems.filter((p) => !/[.[]/.test(p.path)).map((p) => p.path),
          ['sequence'],
        );
      });
    } else if (saysInvalid(block.before)) {
      it(`documented blueprints - ${name} at ${where(block)}, shown as invalid, fails with problems`, () =>
        assertFails(block, name));
    } else {
      it(`documented blueprints - ${name} at ${where(block)} compiles`, () => assertCompiles(block, name));
    }
  }
});

describe('example blueprints', () => {
  const files = readdirSync(new URL('examples/', root))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('example blueprints - examples/ holds at least the blueprints it held when this test was written', () => {
    for (const file of ['invalid_blueprint.yaml', 'next_page.yaml', 'notification_send.yaml', 'shop_ranking.yaml']) {
      assert.ok(files.includes(file), `examples/${file} is missing from ${files.join(', ')}`);
    }
  });

  for (const file of files) {
    const text = repoFile(`examples/${file}`);
    const block = { file: `examples/${file}`, line: 1, text };
    // The file's leading comment says whether it is a deliberate mistake (invalid_blueprint.yaml).
    const header = /^(?:#.*\n)*/.exec(text)?.[0] ?? '';
    if (saysInvalid(header)) {
      it(`example blueprints - examples/${file}, written with mistakes, fails with problems`, () =>
        assertFails(block, file));
    } else {
      it(`example blueprints - examples/${file} compiles`, () => assertCompiles(block, file));
    }
  }
});
