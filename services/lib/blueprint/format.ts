// How the CLI prints problems: one line per problem, then the fix indented under it.
import type { BlueprintProblem } from './problem.js';

/**
 * `features.streams[1].window: "one hour" is not a duration like 1h`
 * `  fix: write a number and a unit (us, ms, s, m, h or d), e.g. 1d`
 */
export function formatProblems(problems: readonly BlueprintProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}\n  fix: ${p.fix}`).join('\n');
}
