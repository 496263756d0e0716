// Docs that run (habit 9): the TypeScript blocks of README.md and docs/*.md type-check against the
// code, every `looper` command they show is a command of the CLI with options it has, and every
// `npm run` script they name exists. (Blueprint YAML is compiled by documented-blueprints.test.ts,
// the generated blocks are checked by topology/diagram.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import ts from 'typescript';
import { Command } from 'commander';
import { codeSpans, docFiles, parseMarkdown } from './markdown.js';

const root = new URL('../', import.meta.url);
const rootDir = fileURLToPath(root);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');
const parsed = docFiles(root).map((file) => ({ file, ...parseMarkdown(read(file)) }));

/**
 * A block's module: it sits at the repository's root, so `./services/sdk/index.js` resolves as a
 * reader running it from there would; a block that uses `looper` without making one gets a client.
 * `offset` is the number of lines put before the block's own.
 */
function blockModule(body: string): { text: string; offset: number } {
  const needsClient = /\blooper\./.test(body) && !/\b(const|let)\s+looper\b/.test(body);
  const preamble = needsClient
    ? "import type { LooperClient as DocLooperClient } from './services/sdk/index.js';\ndeclare const looper: DocLooperClient;\n"
    : '';
  return { text: `${preamble}${body}\nexport {};\n`, offset: needsClient ? 2 : 0 };
}

interface DocBlock {
  /** Where the block's first line is: file and 1-based line. */
  file: string;
  line: number;
  text: string;
  offset: number;
}

/** Type-checks the blocks as modules beside the code, with the repository's compiler options. */
function typeCheck(blocks: readonly DocBlock[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(rootDir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    },
  );
  assert.ok(config, 'tsconfig.json is readable');
  const options = { ...config.options, noEmit: true };
  const byPath = new Map(
    blocks.map((b) => [join(rootDir, `doc-block.${b.file.replace(/[/.]/g, '_')}.${b.line}.ts`), b]),
  );
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => byPath.has(f) || fileExists.call(host, f);
  host.readFile = (f) => byPath.get(f)?.text ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const block = byPath.get(f);
    return block === undefined
      ? getSourceFile.call(host, f, language, ...rest)
      : ts.createSourceFile(f, block.text, language, true, ts.ScriptKind.TS);
  };
  const program = ts.createProgram([...byPath.keys()], options, host);
  return [...byPath].flatMap(([path, block]) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(path)).map((d) => {
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : undefined;
      const where =
        at === undefined
          ? `${block.file} (block at line ${block.line})`
          : `${block.file}:${block.line + at - block.offset}`;
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    }),
  );
}

/** The `looper` command as main.ts builds it: every register function of services/cli/*-command(s).ts. */
async function looperCommand(): Promise<Command> {
  const program = new Command('looper');
  const noConfig = (): never => assert.fail('a docs test reads no configuration');
  const dir = new URL('services/cli/', root);
  for (const file of readdirSync(dir).filter((f) => /-commands?\.ts$/.test(f))) {
    const module = (await import(pathToFileURL(join(fileURLToPath(dir), file)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module))
      if (/^register\w*Commands?$/.test(name) && typeof value === 'function')
        (value as (program: Command, getConfig: () => never) => void)(program, noConfig);
  }
  return program;
}

/** What is wrong with a documented command line (`looper stack up | down [-f]`), or undefined. */
function checkCommandLine(program: Command, line: string): string | undefined {
  const words = line
    .replace(/\s#.*$/, '')
    .replace(/[[\]]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  let parent = program;
  let current: Command | undefined;
  let alternative = false;
  let positional = false;
  for (const word of words.slice(words.indexOf('looper') + 1)) {
    if (word === '|') {
      alternative = true;
    } else if (word.startsWith('-')) {
      const flag = word.split('=')[0]!;
      const command = current ?? program;
      if (flag !== '--help' && flag !== '-h' && !command.options.some((o) => o.long === flag || o.short === flag))
        return `${flag} is not an option of looper ${command.name()}`;
    } else if (alternative) {
      const sub = parent.commands.find((c) => c.name() === word);
      if (!sub) return `${word} is not a command of looper ${parent.name()}`;
      current = sub;
      alternative = false;
    } else if (!positional) {
      const scope = current ?? program;
      const sub = scope.commands.find((c) => c.name() === word);
      if (sub) [parent, current] = [scope, sub];
      else if (current === undefined && word !== 'help') return `${word} is not a looper command`;
      else positional = true; // an argument (BLUEPRINT, FILE, N): only options may follow
    }
  }
  return undefined;
}

/** Every `looper` command line the docs show: in shell blocks, as `$ npx looper` in output, in code spans. */
function documentedCommands(): Array<{ where: string; line: string }> {
  return parsed.flatMap(({ file, fences, prose }) => [
    ...fences.flatMap((fence) =>
      fence.body.split('\n').flatMap((text, i) => {
        const shell = /^(sh|bash|shell|console)$/.test(fence.lang);
        const command = shell ? /^\$?\s*npx looper\s/.test(text) : /^\$ npx looper\s/.test(text);
        return command ? [{ where: `${file}:${fence.line + 1 + i}`, line: text }] : [];
      }),
    ),
    ...codeSpans(prose)
      .filter((span) => /^(npx )?looper\s/.test(span.text))
      .map((span) => ({ where: `${file}:${span.line}`, line: span.text })),
  ]);
}

describe('docs that run', () => {
  it('docs that run - every TypeScript block of README.md and docs/*.md type-checks against the code', () => {
    const blocks = parsed.flatMap(({ file, fences }) =>
      fences
        .filter((f) => /^(ts|typescript)$/.test(f.lang))
        .map((f) => ({ file, line: f.line + 1, ...blockModule(f.body) })),
    );
    assert.ok(blocks.length >= 6, `TypeScript blocks found: ${blocks.length}`);
    const problems = typeCheck(blocks);
    assert.deepEqual(problems, [], `blocks that do not compile:\n${problems.join('\n')}`);
  });

  it('docs that run - every looper command the docs show is a command of the CLI, with options it has', async () => {
    const program = await looperCommand();
    const commands = documentedCommands();
    assert.ok(commands.length >= 30, `looper command lines found: ${commands.length}`);
    const wrong = commands.flatMap(({ where, line }) => {
      const problem = checkCommandLine(program, line);
      return problem ? [`${where}: ${line}\n  ${problem}`] : [];
    });
    assert.deepEqual(wrong, [], `commands the CLI does not have:\n${wrong.join('\n')}`);
  });

  it('docs that run - the command check refuses an unknown command, subcommand or option', async () => {
    const program = await looperCommand();
    assert.equal(checkCommandLine(program, 'looper stack up | down | status | logs [component] [-f]'), undefined);
    assert.equal(checkCommandLine(program, 'npx looper lift off'), 'lift is not a looper command');
    assert.equal(checkCommandLine(program, 'looper stack up | sideways'), 'sideways is not a command of looper stack');
    assert.equal(checkCommandLine(program, 'looper status --verbose'), '--verbose is not an option of looper status');
  });

  it('docs that run - every npm script the docs name exists in package.json', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const named = parsed.flatMap(({ file }) =>
      [...read(file).matchAll(/\bnpm (?:run ([\w:-]+)|(start|test)\b)/g)].map((m) => ({ file, name: (m[1] ?? m[2])! })),
    );
    assert.ok(named.length >= 10, `npm scripts named: ${named.length}`);
    const missing = named
      .filter(({ name }) => !scripts.includes(name))
      .map(({ file, name }) => `${file}: npm run ${name}`);
    assert.deepEqual(missing, [], `scripts package.json does not have:\n${missing.join('\n')}`);
  });
});
