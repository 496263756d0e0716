import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, JSONCodec } from 'nats';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';

describe('nats request-reply', () => {
  before(() => ensureStack());

  it('nats - a queue-group responder answers a request with its reply', async () => {
    const codec = JSONCodec<{ n: number }>();
    const responder = await connect({ servers: testConfig.natsUrl });
    const requester = await connect({ servers: testConfig.natsUrl });
    const subject = `looper.test.${uniqueName('echo')}`;
    responder.subscribe(subject, {
      queue: 'looper-test',
      callback: (_e, msg) => msg.respond(codec.encode({ n: codec.decode(msg.data).n * 2 })),
    });
    await responder.flush();
    const reply = await requester.request(subject, codec.encode({ n: 21 }), { timeout: 2000 });
    assert.deepEqual(codec.decode(reply.data), { n: 42 });
    await requester.close();
    await responder.close();
  });
});
