import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileConfig, isLoopbackHost, looperServiceNames, opsPortOf } from './config.js';
import { ConfigError } from './errors.js';
import { noSecurity } from './security-config.js';

describe('config', () => {
  it('config - defaults point at the local stack and a data dir in the home folder', () => {
    assert.deepEqual(compileConfig({}, '/home/ada'), {
      kafkaBrokers: ['127.0.0.1:9092'],
      schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      natsUrl: 'nats://127.0.0.1:4222',
      dataDir: '/home/ada/.looper',
      opsHost: '127.0.0.1',
      opsPortBase: 9464,
      opsPorts: {},
      security: noSecurity,
      instance: '0',
      predictorMaxInFlight: 2000,
      monitorTickMs: 5000,
      decisionLogMaxBytes: 1073741824,
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
      opsHost: '127.0.0.1',
      opsPortBase: 9464,
      opsPorts: {},
      security: noSecurity,
      instance: '0',
      predictorMaxInFlight: 2000,
      monitorTickMs: 5000,
      decisionLogMaxBytes: 1073741824,
    });
  });

  it('config - reports every invalid variable at once with what to do', () => {
    assert.throws(
      () =>
        compileConfig(
          { LOOPER_KAFKA_BROKERS: 'nohost', LOOPER_NATS_URL: 'http://x', LOOPER_DATA_DIR: 'rel/dir' },
          '/h',
        ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          'LOOPER_KAFKA_BROKERS: "nohost" is not host:port; set it like 127.0.0.1:9092 (comma-separated for several brokers)',
          'LOOPER_NATS_URL: "http://x" is not a NATS URL (or a comma-separated list of them); set it like nats://127.0.0.1:4222',
          'LOOPER_DATA_DIR: "rel/dir" must be an absolute path, e.g. $HOME/.looper',
        ]);
        return true;
      },
    );
  });

  it("config - reads the instance, the predictor's in-flight limit and the monitor's tick, and names each bad one", () => {
    const config = compileConfig(
      { LOOPER_INSTANCE: 'b-2', LOOPER_PREDICTOR_MAX_IN_FLIGHT: '64', LOOPER_MONITOR_TICK_MS: '250' },
      '/h',
    );
    assert.deepEqual([config.instance, config.predictorMaxInFlight, config.monitorTickMs], ['b-2', 64, 250]);
    assert.throws(
      () =>
        compileConfig(
          { LOOPER_INSTANCE: '../x', LOOPER_PREDICTOR_MAX_IN_FLIGHT: '0', LOOPER_MONITOR_TICK_MS: '2.5s' },
          '/h',
        ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          'LOOPER_INSTANCE: "../x" cannot name a state folder; use letters, digits, "-", "_" or ".", e.g. 1',
          'LOOPER_PREDICTOR_MAX_IN_FLIGHT: "0" is not a whole number ≥ 1; set it like 2000',
          'LOOPER_MONITOR_TICK_MS: "2.5s" is not a whole number of milliseconds ≥ 100; set it like 5000',
        ]);
        return true;
      },
    );
  });

  it("config - reads the bound of the predictor's decision log in bytes, and refuses one under a MiB or not whole", () => {
    assert.equal(compileConfig({ LOOPER_DECISION_LOG_MAX_BYTES: '2097152' }, '/h').decisionLogMaxBytes, 2097152);
    for (const text of ['1000', '1GiB', '1048576.5']) {
      assert.throws(
        () => compileConfig({ LOOPER_DECISION_LOG_MAX_BYTES: text }, '/h'),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.deepEqual(error.problems, [
            `LOOPER_DECISION_LOG_MAX_BYTES: "${text}" is not a whole number of bytes ≥ 1048576; set it like 1073741824`,
          ]);
          return true;
        },
      );
    }
  });

  it('config - recognises loopback hosts', () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('localhost'), true);
    assert.equal(isLoopbackHost('10.0.0.1'), false);
  });

  it('config - gives each service its ops port as the base port plus a fixed offset, on loopback by default', () => {
    const config = compileConfig({}, '/h');
    assert.equal(config.opsHost, '127.0.0.1');
    assert.deepEqual(Object.fromEntries(looperServiceNames.map((s) => [s, opsPortOf(config, s)])), {
      features: 9464,
      joiner: 9465,
      trainer: 9466,
      predictor: 9467,
      automl: 9468,
      rollout: 9469,
      monitor: 9470,
    });
  });

  it("config - lets a service's own LOOPER_OPS_PORT_<SERVICE> win over the base LOOPER_OPS_PORT", () => {
    const config = compileConfig(
      { LOOPER_OPS_PORT: '19000', LOOPER_OPS_PORT_PREDICTOR: '8080', LOOPER_OPS_HOST: ' 0.0.0.0 ' },
      '/h',
    );
    assert.equal(config.opsHost, '0.0.0.0');
    assert.deepEqual(config.opsPorts, { predictor: 8080 });
    assert.equal(opsPortOf(config, 'predictor'), 8080);
    assert.equal(opsPortOf(config, 'features'), 19000);
    assert.equal(opsPortOf(config, 'monitor'), 19006);
  });

  it('config - reads port 0 as an ephemeral port: for every service from the base, for one from its own variable', () => {
    const everyService = compileConfig({ LOOPER_OPS_PORT: '0' }, '/h');
    assert.deepEqual(
      looperServiceNames.map((s) => opsPortOf(everyService, s)),
      [0, 0, 0, 0, 0, 0, 0],
    );
    const oneService = compileConfig({ LOOPER_OPS_PORT_MONITOR: '0' }, '/h');
    assert.equal(opsPortOf(oneService, 'monitor'), 0);
    assert.equal(opsPortOf(oneService, 'rollout'), 9469);
  });

  it('config - accepts host names and IPv6 addresses, with or without brackets, for LOOPER_OPS_HOST', () => {
    assert.equal(compileConfig({ LOOPER_OPS_HOST: 'metrics.internal' }, '/h').opsHost, 'metrics.internal');
    assert.equal(compileConfig({ LOOPER_OPS_HOST: '::1' }, '/h').opsHost, '::1');
    assert.equal(compileConfig({ LOOPER_OPS_HOST: '[::]' }, '/h').opsHost, '::');
  });

  it('config - reports invalid ops settings at once, each with what to set instead', () => {
    assert.throws(
      () =>
        compileConfig(
          {
            LOOPER_OPS_HOST: 'not a host',
            LOOPER_OPS_PORT: '65533',
            LOOPER_OPS_PORT_JOINER: '-1',
            LOOPER_OPS_PORT_TRAINER: '70000',
            LOOPER_OPS_PORT_PREDICTR: '9000',
          },
          '/h',
        ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          'LOOPER_OPS_HOST: "not a host" is not a host name or IP address; set it like 127.0.0.1 (or 0.0.0.0 to serve metrics on every interface)',
          'LOOPER_OPS_PORT: "65533" is not a port from 1 to 65529 (services listen on it plus 0–6); set it like 9464, or 0 for ephemeral ports',
          'LOOPER_OPS_PORT_JOINER: "-1" is not a port from 1 to 65535; set it like 9465, or 0 for an ephemeral port',
          'LOOPER_OPS_PORT_TRAINER: "70000" is not a port from 1 to 65535; set it like 9466, or 0 for an ephemeral port',
          'LOOPER_OPS_PORT_PREDICTR: no Looper service is called "predictr"; the ops port variables are LOOPER_OPS_PORT_FEATURES, LOOPER_OPS_PORT_JOINER, LOOPER_OPS_PORT_TRAINER, LOOPER_OPS_PORT_PREDICTOR, LOOPER_OPS_PORT_AUTOML, LOOPER_OPS_PORT_ROLLOUT, LOOPER_OPS_PORT_MONITOR',
        ]);
        assert.match(error.message, /^invalid configuration:\n {2}- LOOPER_OPS_HOST: /);
        return true;
      },
    );
  });

  it('config - refuses a service ops port that another service already listens on, naming the variable to change', () => {
    assert.throws(
      () => compileConfig({ LOOPER_OPS_PORT_MONITOR: '9464' }, '/h'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          'LOOPER_OPS_PORT_MONITOR: 9464 is also the ops port of features; give each service its own port',
        ]);
        return true;
      },
    );
    assert.throws(
      () => compileConfig({ LOOPER_OPS_PORT_FEATURES: '9100', LOOPER_OPS_PORT_ROLLOUT: '9100' }, '/h'),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems[0] ===
          'LOOPER_OPS_PORT_ROLLOUT: 9100 is also the ops port of features; give each service its own port',
    );
  });
});
