// From the registered blueprints to what the features service runs: which topics to consume, the
// distinct aggregations on each, and how each blueprint's feature names map to them. Two
// blueprints that declare the same aggregation (same topic, aggregate, field, window, half-life,
// n, lateness and entity field) share one spec id, hence one state per entity.
import type { Blueprint, BlueprintEventFormat, BlueprintStreamFeature } from '../schemas/generated.js';

/** A stream feature without its blueprint-given name, identified by the aggregation it performs. */
export interface StreamSpec extends Omit<BlueprintStreamFeature, 'name' | 'format'> {
  /** Stable id: part of stored state keys, so the same aggregation must always get the same id. */
  id: string;
}

/** One topic to consume and the aggregations on it. */
export interface TopicPlan {
  topic: string;
  /** How its values are encoded (the first declaration's, by blueprint name, when blueprints disagree: see conflicts). */
  format: BlueprintEventFormat;
  /** Distinct specs, by id. */
  specs: StreamSpec[];
}

/** A blueprint's stream feature and the spec whose state answers it. */
export interface FeatureRef {
  feature: string;
  specId: string;
}

export interface FeatureStreamPlan {
  /** Topics to consume, by name. */
  topics: TopicPlan[];
  /** Every spec by id. */
  specs: Map<string, StreamSpec>;
  /** Blueprint name → its stream features in declaration order. */
  blueprints: Map<string, FeatureRef[]>;
  /** Disagreements between blueprints the plan had to settle, in words, e.g. a topic read as json and as avro. */
  conflicts: string[];
}

const part = (value: string | number | null): string => (value === null ? '-' : String(value));

/**
 * The id of a stream feature's aggregation:
 * `topic|aggregate|field|windowMs|halfLifeMs|n|latenessMs|entityField`, `-` for null, e.g.
 * `app.sessions|mean|duration_s|604800000|-|-|0|-`. Topic and field names cannot contain `|`.
 */
export function streamSpecId(feature: Omit<BlueprintStreamFeature, 'name' | 'format'>): string {
  return [
    feature.topic,
    feature.aggregate,
    part(feature.field),
    part(feature.windowMs),
    part(feature.halfLifeMs),
    part(feature.n),
    part(feature.latenessMs),
    part(feature.entityField),
  ].join('|');
}

/** The newest version of each blueprint, by name. */
function newestVersions(blueprints: readonly Blueprint[]): Blueprint[] {
  const byName = new Map<string, Blueprint>();
  for (const blueprint of blueprints) {
    const kept = byName.get(blueprint.name);
    if (kept === undefined || blueprint.version >= kept.version) byName.set(blueprint.name, blueprint);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The plan for a set of registered blueprints. When several versions of one blueprint are given,
 * only the newest counts. Deterministic: topics and specs sorted by name and id.
 */
export function planFeatureStreams(blueprints: readonly Blueprint[]): FeatureStreamPlan {
  const specs = new Map<string, StreamSpec>();
  const formats = new Map<string, { format: BlueprintEventFormat; blueprint: string }>();
  const plans = new Map<string, FeatureRef[]>();
  const conflicts: string[] = [];
  for (const blueprint of newestVersions(blueprints)) {
    const refs: FeatureRef[] = [];
    for (const feature of blueprint.features.streams) {
      const { name, format, ...aggregation } = feature;
      const id = streamSpecId(aggregation);
      if (!specs.has(id)) specs.set(id, { ...aggregation, id });
      refs.push({ feature: name, specId: id });
      const declared = formats.get(feature.topic);
      if (declared === undefined) {
        formats.set(feature.topic, { format, blueprint: blueprint.name });
      } else if (declared.format !== format) {
        const conflict = `topic "${feature.topic}" is read as ${declared.format} by blueprint ${declared.blueprint} and as ${format} by blueprint ${blueprint.name} (feature ${name}); ${declared.format} is used`;
        if (!conflicts.includes(conflict)) conflicts.push(conflict);
      }
    }
    plans.set(blueprint.name, refs);
  }
  const ids = [...specs.keys()].sort();
  const topics = [...formats.keys()].sort().map((topic) => ({
    topic,
    format: formats.get(topic)?.format ?? 'json',
    specs: ids.filter((id) => specs.get(id)?.topic === topic).map((id) => specs.get(id) as StreamSpec),
  }));
  return { topics, specs, blueprints: plans, conflicts };
}
