import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, NatsError } from 'nats';
import { isNoResponders, noPredictorAnswers } from './nats-no-responders.js';

// The errors nats.js throws from a request: nobody subscribes (the server's 503), or no reply in time.
const noResponders = NatsError.errorForCode(ErrorCode.NoResponders);
const timeout = NatsError.errorForCode(ErrorCode.Timeout);

describe('nats no responders', () => {
  it("nats no responders - is nats.js's 503 error and nothing else", () => {
    assert.deepEqual(
      [noResponders, timeout, new Error('503'), { code: 503 }, '503', null, undefined].map(isNoResponders),
      [true, false, false, false, false, false, false],
    );
  });

  it('nats no responders - tells the caller to start the services, on the server asked and with another way when given', () => {
    assert.equal(
      noPredictorAnswers('looper.outcome', noResponders),
      "no predictor answers looper.outcome: start Looper's services (npx looper up)",
    );
    assert.equal(
      noPredictorAnswers('looper.decide.plan', noResponders, { natsUrl: 'nats://127.0.0.1:4222' }),
      "no predictor answers looper.decide.plan on nats://127.0.0.1:4222: start Looper's services (npx looper up)",
    );
    assert.equal(
      noPredictorAnswers('looper.outcome.batch', noResponders, { otherwise: "report with { via: 'kafka' }" }),
      "no predictor answers looper.outcome.batch: start Looper's services (npx looper up), or report with { via: 'kafka' }",
    );
  });

  it('nats no responders - leaves a timeout to the caller to word: its request may have been handled', () => {
    assert.equal(noPredictorAnswers('looper.outcome', timeout, { natsUrl: 'nats://127.0.0.1:4222' }), null);
  });
});
