// The text of `looper status`, pure: a blueprint's deployment and its history as lines.
import type { Blueprint, Deployment, ModelRole } from '../lib/schemas/generated.js';
import { spanText } from '../lib/duration-text.js';

export interface ModelFacts {
  readonly modelVersion: string;
  readonly blueprint: string;
  readonly role: ModelRole;
  readonly sequence: number;
  readonly parentVersion: string | null;
  readonly family: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly createdAt: number;
  readonly sizeBytes: number;
  readonly p99InferenceUs: number | null;
}

export interface StatusInput {
  readonly bp: Blueprint;
  readonly current: Deployment | null;
  readonly records: readonly Deployment[];
  /** The version the serving rule picks (the live one or its newest continuation). */
  readonly served: string | null;
  readonly models: ReadonlyMap<string, ModelFacts>;
  readonly now: number;
  readonly historyLimit: number;
  /** Apprentice mode: the model's agreement with the caller over recent decisions, when measured. */
  readonly agreement?: { readonly share: number; readonly count: number } | null;
}

/** An age or a span as `looper status` writes it, never negative: another machine's clock may run ahead of ours. */
export function age(ms: number): string {
  return spanText(Math.max(0, ms));
}

function describeModel(id: string | null, input: StatusInput): string {
  if (id === null) return '—';
  const m = input.models.get(id);
  if (!m) return `${id} (not on looper.models)`;
  const metric = input.bp.objective.metric;
  const value = m.metrics[metric];
  return `${id} (${m.family}, ${m.role}, ${value === undefined ? 'no' : `${metric} ${value.toFixed(4)}`} ${m.role === 'candidate' ? 'offline' : 'online'}, ${age(input.now - m.createdAt)} old)`;
}

function describeApprentice(input: StatusInput): string | null {
  const a = input.bp.apprentice;
  if (a === null) return null;
  const took = input.current?.tookOverAt ?? null;
  if (took !== null) return `  apprentice the model took over ${age(input.now - took)} ago`;
  const measured =
    input.agreement && input.agreement.count > 0
      ? `; it agrees on ${(100 * input.agreement.share).toFixed(1)} % of the last ${input.agreement.count}`
      : '';
  return `  apprentice the caller's decisions answer until the model agrees on ${(100 * a.takeOverAt).toFixed(0)} % of ${a.minDecisions} decisions${measured}`;
}

/** The first version of the continuation chain `version` belongs to, as the monitor names a served lineage. */
export function lineageOf(version: string, models: ReadonlyMap<string, Pick<ModelFacts, 'parentVersion'>>): string {
  let current = version;
  // Bounded like the monitor's walk, so a malformed cycle cannot hang the command.
  for (let hops = 0; hops < 10_000; hops++) {
    const parent = models.get(current)?.parentVersion ?? null;
    if (parent === null) return current;
    current = parent;
  }
  return current;
}

/** The version the serving line names, for the lines that measure it: its lineage and what it showed when published. */
export interface ServingVersion {
  readonly version: string;
  /** The first version of its continuation chain: the monitor measures a served lineage under that name. */
  readonly lineage: string;
  /** Its metrics as published on looper.models; empty when it is not there. */
  readonly published: Readonly<Record<string, number>>;
}

export function servingVersionOf(
  served: string | null,
  models: ReadonlyMap<string, ModelFacts>,
): ServingVersion | null {
  if (served === null) return null;
  return { version: served, lineage: lineageOf(served, models), published: models.get(served)?.metrics ?? {} };
}

/** Whether `version` is `ancestor` or continues it through parentVersion links. */
function continues(version: string, ancestor: string, models: ReadonlyMap<string, ModelFacts>): boolean {
  let current: string | null = version;
  for (let hops = 0; current !== null && hops < 10_000; hops++) {
    if (current === ancestor) return true;
    current = models.get(current)?.parentVersion ?? null;
  }
  return false;
}

/** How the version that serves relates to live, so the two lines never say two things at once. */
function servingNote(served: string, live: string, models: ReadonlyMap<string, ModelFacts>): string {
  if (continues(served, live, models)) return ` — continues ${live}`;
  // The serving rule passes over a live version that is retired or continues a retired one.
  return ` — the newest trained version, as live ${live} is retired`;
}

export function describeDeployment(input: StatusInput): string {
  const { bp, current, served } = input;
  const lines = [`${bp.name} v${bp.version} — ${bp.task}, judged by ${bp.objective.metric}`];
  const apprentice = describeApprentice(input);
  if (apprentice !== null) lines.push(apprentice);
  const noModel = ' (no model yet: the default decision answers)';
  if (current === null) {
    lines.push(
      `  serving   ${describeModel(served, input)}${served === null ? noModel : ' — the newest trained version; nothing deployed'}`,
    );
    return lines.join('\n');
  }
  lines.push(
    `  live      ${describeModel(current.live, input)}${current.live !== null ? '' : served === null ? noModel : ' (nothing deployed live: the newest trained version serves)'}`,
  );
  if (served !== null && served !== current.live)
    lines.push(
      `  serving   ${describeModel(served, input)}${current.live === null ? ' — the newest trained version' : servingNote(served, current.live, input.models)}`,
    );
  if (current.canary)
    lines.push(
      `  canary    ${describeModel(current.canary.modelVersion, input)} for ${(current.canary.share * 100).toFixed(0)} % of entities`,
    );
  for (const id of current.shadow) lines.push(`  shadow    ${describeModel(id, input)}`);
  if (current.previous !== null) lines.push(`  previous  ${current.previous} (where a rollback returns)`);
  if (current.retired.length > 0) lines.push(`  retired   ${current.retired.join(', ')}`);
  const transitions = input.records
    .filter((d) => d.transition !== null)
    // slice(-0) would keep them all: --history 0 asks for none.
    .slice(input.historyLimit > 0 ? -input.historyLimit : Infinity)
    .reverse();
  if (transitions.length > 0) {
    lines.push('  history (newest first):');
    for (const d of transitions) {
      const t = d.transition!;
      lines.push(
        `    ${new Date(t.at).toISOString().replace('T', ' ').slice(0, 19)}  ${t.modelVersion}  ${t.from} → ${t.to}: ${t.reason}`,
      );
    }
  }
  return lines.join('\n');
}
