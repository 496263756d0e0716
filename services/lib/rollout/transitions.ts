// Deployment records as a rollout moves model versions between stages. Each record is the whole
// state of a blueprint's deployment plus the one transition that produced it, with its reason in
// words and numbers (looper.deployments is compacted: the latest record must say everything).
import type { Deployment, DeploymentStage } from '../schemas/generated.js';

/** The state before any model was deployed: the newest trained version serves. */
export function initialDeployment(blueprint: string): Deployment {
  return {
    blueprint,
    revision: 0,
    live: null,
    shadow: [],
    canary: null,
    updatedAt: 0,
    transition: null,
    previous: null,
    tookOverAt: null,
    retired: [],
  };
}

function next(
  d: Deployment,
  changes: Partial<Deployment>,
  modelVersion: string,
  from: DeploymentStage,
  to: DeploymentStage,
  reason: string,
  now: number,
): Deployment {
  return {
    ...d,
    ...changes,
    revision: d.revision + 1,
    updatedAt: now,
    transition: { modelVersion, from, to, reason, at: now },
  };
}

/** Where a version stands in this deployment. */
export function stageOf(d: Deployment, modelVersion: string): DeploymentStage {
  if (d.live === modelVersion) return 'live';
  if (d.canary?.modelVersion === modelVersion) return 'canary';
  if (d.shadow.includes(modelVersion)) return 'shadow';
  if (d.retired.includes(modelVersion)) return 'retired';
  return 'none';
}

export function toShadow(d: Deployment, modelVersion: string, reason: string, now: number): Deployment {
  return next(
    d,
    { shadow: [...d.shadow.filter((v) => v !== modelVersion), modelVersion] },
    modelVersion,
    stageOf(d, modelVersion),
    'shadow',
    reason,
    now,
  );
}

export function toCanary(d: Deployment, modelVersion: string, share: number, reason: string, now: number): Deployment {
  return next(
    d,
    { shadow: d.shadow.filter((v) => v !== modelVersion), canary: { modelVersion, share } },
    modelVersion,
    stageOf(d, modelVersion),
    'canary',
    reason,
    now,
  );
}

/**
 * Makes a version live; the one live before becomes `previous`, where a rollback returns, and the
 * one previous before that is retired (two promotions back is history, never shadowed again).
 */
export function toLive(d: Deployment, modelVersion: string, reason: string, now: number): Deployment {
  return next(
    d,
    {
      live: modelVersion,
      previous: d.live,
      shadow: d.shadow.filter((v) => v !== modelVersion),
      canary: d.canary?.modelVersion === modelVersion ? null : d.canary,
      retired: [
        ...d.retired.filter((v) => v !== modelVersion && v !== d.previous),
        ...(d.previous !== null && d.previous !== modelVersion ? [d.previous] : []),
      ],
    },
    modelVersion,
    stageOf(d, modelVersion),
    'live',
    reason,
    now,
  );
}

/** Retires a shadow or canary version (rejected), or the live one (rolled back to `previous`). */
export function toRetired(d: Deployment, modelVersion: string, reason: string, now: number): Deployment {
  const from = stageOf(d, modelVersion);
  const wasLive = from === 'live';
  return next(
    d,
    {
      live: wasLive ? d.previous : d.live,
      previous: wasLive ? null : d.previous,
      shadow: d.shadow.filter((v) => v !== modelVersion),
      canary: d.canary?.modelVersion === modelVersion ? null : d.canary,
      retired: [...d.retired.filter((v) => v !== modelVersion), modelVersion],
    },
    modelVersion,
    from,
    'retired',
    reason,
    now,
  );
}

/** Apprentice mode ends: the model's decisions answer from now on instead of the caller's. */
export function tookOver(d: Deployment, modelVersion: string, reason: string, now: number): Deployment {
  return next(d, { tookOverAt: now }, modelVersion, 'live', 'live', reason, now);
}
