import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createTwoFilesPatch } from 'diff';
import type { LooperConfig } from '../lib/config.js';
import { cliKafka } from './clients.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import {
  canonicalYaml,
  findVersion,
  latestVersions,
  readBlueprintHistory,
  registerBlueprint,
  type BlueprintStore,
} from '../lib/blueprint-store.js';
import { parseBlueprintYaml } from '../lib/blueprint/parse.js';
import { formatProblems } from '../lib/blueprint/format.js';
import { BlueprintInvalidError } from '../lib/blueprint/errors.js';
import type { Blueprint } from '../lib/schemas/generated.js';
import { table } from '../lib/table.js';
import { UsageError } from '../lib/errors.js';

function openStore(config: LooperConfig): BlueprintStore {
  return { kafka: cliKafka(config), registry: createSchemaRegistryClient(config) };
}

/** Reads and compiles a blueprint file; throws BlueprintInvalidError listing every problem. */
export function compileBlueprintFile(file: string): Blueprint {
  const result = parseBlueprintYaml(readFileSync(file, 'utf8'));
  if (!result.ok) throw new BlueprintInvalidError(result.problems);
  return result.blueprint;
}

function parseVersion(text: string, what: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 1)
    throw new UsageError(`${what} must be a version number like 3, not "${text}"`);
  return version;
}

export function registerBlueprintCommands(program: Command, getConfig: () => LooperConfig): void {
  const blueprint = program.command('blueprint').description('validate, register and inspect blueprints');

  blueprint
    .command('validate <files...>')
    .description('check blueprint files and report every problem with its path and a fix')
    .action((files: string[]) => {
      for (const file of files) {
        const result = parseBlueprintYaml(readFileSync(file, 'utf8'));
        if (result.ok) {
          const bp = result.blueprint;
          const features = bp.features.context.length + bp.features.streams.length;
          console.log(`${file}: ok (${bp.name}: ${bp.task} on ${bp.entity}, ${features} features)`);
        } else {
          console.log(`${file}: ${result.problems.length} problem(s)\n${formatProblems(result.problems)}`);
          process.exitCode = 1;
        }
      }
    });

  blueprint
    .command('register <file>')
    .description('validate, then publish as the next version on looper.blueprints')
    .action(async (file: string) => {
      const compiled = compileBlueprintFile(file);
      const { blueprint: bp, status } = await registerBlueprint(openStore(getConfig()), { ...compiled });
      console.log(
        status === 'registered'
          ? `registered ${bp.name} version ${bp.version}; decide on NATS subject looper.decide.${bp.name}`
          : `${bp.name} is unchanged: version ${bp.version} already means the same`,
      );
    });

  blueprint
    .command('list')
    .description('every blueprint with its newest version')
    .action(async () => {
      const history = await readBlueprintHistory(openStore(getConfig()));
      const latest = [...latestVersions(history).values()].sort((a, b) => a.name.localeCompare(b.name));
      if (latest.length === 0) {
        console.log('no blueprints yet: looper blueprint register FILE');
        return;
      }
      console.log(
        table(
          ['blueprint', 'version', 'task', 'entity', 'registered', 'description'],
          latest.map((b) => [
            b.name,
            String(b.version),
            b.task,
            b.entity,
            new Date(b.registeredAt).toISOString(),
            b.description,
          ]),
        ),
      );
    });

  blueprint
    .command('show <name>')
    .description('print a blueprint as authored (newest version unless --version)')
    .option('--version <n>', 'a specific version')
    .option('--compiled', 'print the compiled form (all defaults filled in) instead of the authored YAML')
    .action(async (name: string, options: { version?: string; compiled?: boolean }) => {
      const history = await readBlueprintHistory(openStore(getConfig()));
      const bp = findVersion(
        history,
        name,
        options.version === undefined ? undefined : parseVersion(options.version, '--version'),
      );
      console.log(`# ${bp.name} version ${bp.version}, registered ${new Date(bp.registeredAt).toISOString()}`);
      console.log(options.compiled ? canonicalYaml(bp) : bp.sourceYaml);
    });

  blueprint
    .command('diff <name> <a> <b>')
    .description('what changed between two versions (compiled form, defaults included)')
    .action(async (name: string, a: string, b: string) => {
      const history = await readBlueprintHistory(openStore(getConfig()));
      const from = findVersion(history, name, parseVersion(a, 'A'));
      const to = findVersion(history, name, parseVersion(b, 'B'));
      const patch = createTwoFilesPatch(
        `${name}@${from.version}`,
        `${name}@${to.version}`,
        canonicalYaml(from),
        canonicalYaml(to),
        '',
        '',
        { context: 3 },
      );
      console.log(
        patch.split('\n').slice(2).join('\n').trimEnd() ||
          `no differences between versions ${from.version} and ${to.version}`,
      );
    });
}
