import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileConfig, isLoopbackHost } from './config.js';
import { ConfigError } from './errors.js';

describe('config', () => {
  it('config - defaults point at the local stack and a data dir in the home folder', () => {
    assert.deepEqual(compileConfig({}, '/home/ada'), {
      kafkaBrokers: ['127.0.0.1:9092'],
      schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      natsUrl: 'nats://127.0.0.1:4222',
      dataDir: '/home/ada/.looper',
    });
  });

  it('config - reads every LOOPER_ variable and trims a trailing slash off the registry URL', () => {
    const config = compileConfig(
      {
        LOOPER_KAFKA_BROKERS: 'k1:9092, k2:9093',
        LOOPER_SCHEMA_REGISTRY_URL: 'https://registry.example:8081/',
        LOOPER_NATS_URL: 'tls://nats.example:4222',
        LOOPER_DATA_DIR: '/var/lib/looper',
      },
      '/home/ada',
    );
    assert.deepEqual(config, {
      kafkaBrokers: ['k1:9092', 'k2:9093'],
      schemaRegistryUrl: 'https://registry.example:8081',
      natsUrl: 'tls://nats.example:4222',
      dataDir: '/var/lib/looper',
    });
  });

  it('config - reports every invalid variable at once with what to do', () => {
    assert.throws(
      () => compileConfig({ LOOPER_KAFKA_BROKERS: 'nohost', LOOPER_NATS_URL: 'http://x', LOOPER_DATA_DIR: 'rel/dir' }, '/h'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          'LOOPER_KAFKA_BROKERS: "nohost" is not host:port; set it like 127.0.0.1:9092 (comma-separated for several brokers)',
          'LOOPER_NATS_URL: "http://x" is not a NATS URL; set it like nats://127.0.0.1:4222',
          'LOOPER_DATA_DIR: "rel/dir" must be an absolute path, e.g. $HOME/.looper',
        ]);
        return true;
      },
    );
  });

  it('config - recognises loopback hosts', () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('localhost'), true);
    assert.equal(isLoopbackHost('10.0.0.1'), false);
  });
});
