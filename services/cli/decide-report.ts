// What `looper decide` prints for a decision (pure): the action first, then why — the model that
// scored it, or the fallback and its reason — and the id an outcome is reported with.
import type { DecideReply } from '../lib/decide/reply.js';

const score = (value: number) => String(Number(value.toFixed(4)));

/** What each fallbackReason means to someone trying a blueprint out. */
const FALLBACK_MEANING: Record<string, string> = {
  no_model: 'no model serves yet',
  deadline: 'the deadline passed',
  features_unavailable: 'the features service did not answer',
};

export function describeDecision(reply: DecideReply): string[] {
  const rows: Array<[string, string]> = [
    ['action', reply.action],
    ['decision id', reply.decisionId],
    ['blueprint', `${reply.blueprint} v${reply.version}`],
    ['model', reply.model === null ? 'none' : `${reply.model}${reply.family === null ? '' : ` (${reply.family})`}`],
    ['score', reply.score === null ? '—' : score(reply.score)],
  ];
  if (reply.scores !== undefined)
    rows.push([
      'scores',
      Object.entries(reply.scores)
        .map(([name, value]) => `${name} ${score(value)}`)
        .join(', '),
    ]);
  if (reply.ranking !== undefined) rows.push(['ranking', reply.ranking.join(', ')]);
  const reason = reply.fallbackReason ?? 'unknown';
  rows.push([
    'fallback',
    reply.fallback
      ? `yes: ${reason} (${FALLBACK_MEANING[reason] ?? 'see docs/decisions.md'})${reply.explored ? '' : ', the default action'}`
      : 'no',
  ]);
  rows.push(['propensity', score(reply.propensity)]);
  if (reply.explored) rows.push(['explored', 'yes: a random action, so that every action keeps being tried']);
  if (reply.apprentice) rows.push(['apprentice', 'yes: your currentAction, while the model learns']);
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
    '',
    `report what happened: npx looper outcome ${reply.decisionId} <value>`,
  ];
}
