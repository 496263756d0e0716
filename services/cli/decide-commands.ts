// `looper decide BLUEPRINT ENTITY [context…]` and `looper outcome DECISION_ID VALUE`: try a decision
// and report what happened from the shell, over the same NATS subjects a product uses. Each prints
// the reply (`--json`: as it came); an error reply ends the command with its code and message and a
// non-zero exit.
import type { Command } from 'commander';
import type { NatsConnection } from 'nats';
import type { LooperConfig } from '../lib/config.js';
import { connectNats } from '../lib/nats-connect.js';
import { noPredictorAnswers } from '../lib/nats-no-responders.js';
import { subjects } from '../lib/names.js';
import { topics } from '../../topology/topics.js';
import { LooperError, UsageError, errorMessage } from '../lib/errors.js';
import type { DecideErrorReply, DecideReply } from '../lib/decide/reply.js';
import { decisionIdProblem, readOutcome } from '../lib/outcome/request.js';
import { OUTCOME_DEADLINE_MS, OUTCOME_REPLY_SLACK_MS, type OutcomeReply } from '../lib/outcome/reply.js';
import { decideRequest, parseOutcomeValue } from './decide-input.js';
import { describeDecision } from './decide-report.js';

/** How long `looper decide` waits for a reply: the predictor answers by the blueprint's deadline, tens of ms. */
const DECIDE_TIMEOUT_MS = 5000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sends one request and returns its JSON reply; no reply is an `unavailable` error that says what to do. */
async function ask(config: LooperConfig, subject: string, body: unknown, timeoutMs: number): Promise<unknown> {
  const nats: NatsConnection = await connectNats(config, 'looper-cli', { maxReconnectAttempts: 0 });
  try {
    const msg = await nats.request(subject, encoder.encode(JSON.stringify(body)), { timeout: timeoutMs });
    return JSON.parse(decoder.decode(msg.data));
  } catch (error) {
    const message =
      noPredictorAnswers(subject, error, { natsUrl: config.natsUrl }) ??
      `no reply on ${subject} within ${timeoutMs} ms (${errorMessage(error)})`;
    throw new LooperError('unavailable', message, { cause: error, retriable: true });
  } finally {
    await nats.close();
  }
}

/** Prints a reply as JSON, and marks the command failed when it is an error. */
function printJson(reply: unknown, failed: boolean): void {
  console.log(JSON.stringify(reply, null, 2));
  if (failed) process.exitCode = 1;
}

export function registerDecideCommands(program: Command, getConfig: () => LooperConfig): void {
  program
    .command('decide <blueprint> <entity> [context...]')
    .description(
      `ask for a decision as a product does (NATS ${subjects.decide('<blueprint>')}) and print it: action, score, model, fallback and its reason, and the decision id to report an outcome with; context as key=value words (hour=9 platform=ios) or a JSON object`,
    )
    .option('--context <context...>', `the request's context: key=value words or a JSON object like '{"hour": 9}'`)
    .option('--deadline <duration>', "the request's deadline, e.g. 50ms (default: the blueprint's)")
    .option('--json', 'print the reply as it came, JSON')
    .action(
      async (
        blueprint: string,
        entity: string,
        words: string[],
        options: { context?: string[]; deadline?: string; json?: boolean },
      ) => {
        const request = decideRequest(entity, words, options);
        const reply = (await ask(getConfig(), subjects.decide(blueprint), request, DECIDE_TIMEOUT_MS)) as
          DecideReply | DecideErrorReply;
        if (options.json) return printJson(reply, 'error' in reply);
        if ('error' in reply)
          throw new LooperError(reply.error.code, `decide ${blueprint}: ${reply.error.code}: ${reply.error.message}`);
        for (const line of describeDecision(reply)) console.log(line);
      },
    );

  program
    .command('outcome <decisionId> <value>')
    .description(
      `report what happened after a decision (NATS ${subjects.outcome}), e.g. 1 for a click; printed once it is on ${topics.outcomes.name}`,
    )
    .option('--ts <ms>', 'when it happened, epoch milliseconds (default: now)')
    .option('--candidate <id>', 'ranking: the candidate the outcome is about')
    .option('--json', 'print the reply as it came, JSON')
    .action(
      async (decisionId: string, valueWord: string, options: { ts?: string; candidate?: string; json?: boolean }) => {
        // Checked here as the predictor checks it, so a typo is told without a round trip; the id first.
        const idProblem = decisionIdProblem(decisionId);
        if (idProblem !== null) throw new UsageError(`outcome: ${idProblem}`, 'bad_request');
        const ts = options.ts === undefined ? undefined : /^\d+$/.test(options.ts) ? Number(options.ts) : options.ts;
        const checked = readOutcome(
          { decisionId, value: parseOutcomeValue(valueWord), ts, candidateId: options.candidate },
          Date.now(),
        );
        if (!checked.ok) throw new UsageError(`outcome: ${checked.error.message}`, checked.error.code);
        const reply = (await ask(
          getConfig(),
          subjects.outcome,
          checked.outcome,
          OUTCOME_DEADLINE_MS + OUTCOME_REPLY_SLACK_MS,
        )) as OutcomeReply;
        if (options.json) return printJson(reply, !reply.ok);
        if (!reply.ok)
          throw new LooperError(
            reply.error.code,
            `outcome of ${decisionId}: ${reply.error.code}: ${reply.error.message}`,
          );
        console.log(`outcome ${checked.outcome.value} of decision ${decisionId} is on ${topics.outcomes.name}`);
      },
    );
}
