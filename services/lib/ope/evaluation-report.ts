// The text of `looper evaluate`: the candidate, the estimates with their intervals, the verdict
// and what the join of decisions and rewards left out.
import type { BlueprintDecision } from '../schemas/generated.js';
import { thousands, type CandidateEvaluation, type Interval, type JoinedLogs } from './evaluate.js';

const share = (x: number) => `${Number((100 * x).toFixed(1))} %`;
const fixed = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
const range = (e: { low: number; high: number }, f: (x: number) => string = fixed) => `[${f(e.low)}, ${f(e.high)}]`;

/** "softmax, temperature 0.2, explore 5 %". */
export function describeCandidate(decision: BlueprintDecision): string {
  const parameter =
    decision.policy === 'epsilon_greedy'
      ? `, epsilon ${decision.epsilon}`
      : decision.policy === 'softmax'
        ? `, temperature ${decision.temperature}`
        : '';
  return `${decision.policy}${parameter}, explore ${share(decision.explore)}`;
}

/** "2026-11-29 02:10 to 03:10 UTC", with the second date only when the day changes. */
function timeRange(from: number, to: number): string {
  const [a, b] = [from, to].map((t) => new Date(t).toISOString().replace('T', ' ').slice(0, 16));
  return `${a} to ${a!.slice(0, 10) === b!.slice(0, 10) ? b!.slice(11) : b} UTC`;
}

function verdict(difference: Interval): string {
  if (difference.low > 0) return 'the candidate would have done better';
  if (difference.high < 0) return 'the candidate would have done worse';
  return 'no clear difference (the interval includes 0)';
}

/** The lines `looper evaluate` prints. */
export function formatEvaluation(
  result: CandidateEvaluation,
  names: { readonly blueprint: string; readonly version?: number | string },
): string[] {
  const { dr, snips: bySnips } = result;
  const version = names.version === undefined ? '' : ` v${names.version}`;
  const snipsText = bySnips === null ? 'SNIPS undefined' : `SNIPS ${fixed(bySnips.value)} ${range(bySnips)}`;
  return [
    `candidate ${names.blueprint}${version} (${describeCandidate(result.candidate)}) on ${thousands(result.n)} logged decisions (${timeRange(result.from, result.to)}):`,
    `  logged policy   ${fixed(result.loggedValue.value)} reward per decision ${range(result.loggedValue)}`,
    `  candidate (DR)  ${fixed(dr.value)} ${range(dr)}   IPS ${fixed(result.ips.value)} ${range(result.ips)}   ${snipsText}`,
    `  difference      ${signed(result.difference.value)} ${range(result.difference, signed)}: ${verdict(result.difference)}`,
    `  effective sample size ${thousands(result.effectiveSampleSize)} of ${thousands(result.n)}`,
    ...result.warnings.map((w) => `  warning: ${w}`),
  ];
}

/** One line on what the join counted and left out, e.g. "5,000 logged decisions with a reward; not
 * counted: 312 awaiting a reward, 4 rewards of decisions not read". */
export function describeJoin(joined: JoinedLogs): string {
  const s = joined.skipped;
  const reasons: [number, string][] = [
    [s.awaitingReward, 'awaiting a reward'],
    [s.unknownDecision, 'rewards of decisions not read'],
    [s.duplicateDecisions, 'duplicate decisions'],
    [s.duplicateExamples, 'duplicate rewards'],
    [s.invalidPropensity, 'decisions without a valid propensity'],
    [s.otherBlueprintDecisions + s.otherBlueprintExamples, 'records of other blueprints'],
  ];
  const parts = reasons.filter(([k]) => k > 0).map(([k, what]) => `${thousands(k)} ${what}`);
  return `${thousands(joined.logs.length)} logged decisions with a reward${parts.length > 0 ? `; not counted: ${parts.join(', ')}` : ''}`;
}
