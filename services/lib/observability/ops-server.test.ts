import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startOpsServer, type OpsServer, type OpsServerOptions } from './ops-server.js';
import { createServiceMetrics, looperCounter, metricNames } from './service-metrics.js';

function options(change: Partial<OpsServerOptions> = {}): OpsServerOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    service: 'predictor',
    host: '127.0.0.1',
    port: 0,
    registry: createServiceMetrics('predictor'),
    portSetting: 'LOOPER_OPS_PORT_PREDICTOR',
    hostSetting: 'LOOPER_OPS_HOST',
    log: (line) => lines.push(line),
    lines,
    ...change,
  };
}

describe('ops server', () => {
  const opts = options();
  let server: OpsServer;
  let base: string;

  before(async () => {
    looperCounter(opts.registry, 'decideRequests').inc({ blueprint: 'offers', outcome: 'model' }, 3);
    server = await startOpsServer(opts);
    assert.ok(server.address, 'the server listens');
    base = server.address;
    server.addRoute((_req, res, url) => {
      if (url.pathname !== '/dashboard') return false;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`dashboard ${url.searchParams.get('blueprint')}`);
      return true;
    });
    server.addRoute(async () => false);
  });

  after(() => server.close());

  it('ops server - listens on an ephemeral port when asked for port 0', () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(base).port, '0');
  });

  it('ops server - exposes the registry in the Prometheus text format with a registered counter and its value', async () => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    assert.match(text, /# TYPE looper_decide_requests_total counter/);
    assert.ok(
      text.includes(`${metricNames.decideRequests}{blueprint="offers",outcome="model",service="predictor"} 3`),
      text.slice(0, 2000),
    );
    assert.match(
      text,
      /process_cpu_user_seconds_total\{service="predictor"\}/,
      'default process metrics are collected',
    );
  });

  it('ops server - says the process is alive and names the service on /healthz', async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', service: 'predictor' });
  });

  it('ops server - answers /readyz with 503 "starting" until ready is marked, then 200, then 503 "stopping"', async () => {
    const before = await fetch(`${base}/readyz`);
    assert.equal(before.status, 503);
    assert.deepEqual(await before.json(), { ready: false, reason: 'starting' });
    server.markReady();
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true });
    server.markStopping();
    const stopping = await fetch(`${base}/readyz`);
    assert.equal(stopping.status, 503);
    assert.deepEqual(await stopping.json(), { ready: false, reason: 'stopping' });
  });

  it('ops server - lets an added route answer, with the parsed URL', async () => {
    const res = await fetch(`${base}/dashboard?blueprint=offers`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'dashboard offers');
  });

  it('ops server - answers a path no route takes with a 404 JSON error', async () => {
    const res = await fetch(`${base}/nothing`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(await res.json(), {
      error: {
        code: 'not_found',
        message: 'no route for /nothing; the ops server answers /metrics, /healthz and /readyz',
      },
    });
  });

  it('ops server - refuses anything but GET and HEAD with 405, because it is read-only', async () => {
    const res = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'method_not_allowed');
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('ops server - answers a route that throws with a 500 JSON error and logs it', async () => {
    const failing = await startOpsServer(opts);
    failing.addRoute(() => {
      throw new Error('dashboard broke');
    });
    try {
      const res = await fetch(`${failing.address}/boom`);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: { code: 'internal', message: 'dashboard broke' } });
      assert.ok(
        opts.lines.some((line) => line === 'ops server: GET /boom failed: dashboard broke'),
        opts.lines.join('\n'),
      );
    } finally {
      await failing.close();
    }
  });

  it('ops server - does not throw when its port is taken, and logs one line naming the port and its variable', async () => {
    const port = Number(new URL(base).port);
    const second = options({ port });
    const taken = await startOpsServer(second);
    assert.equal(taken.address, null);
    assert.deepEqual(second.lines, [
      `ops server: port ${port} on 127.0.0.1 is already in use; set LOOPER_OPS_PORT_PREDICTOR to a free port (0 for any); /metrics, /healthz and /readyz are off for this process`,
    ]);
    taken.markReady();
    taken.addRoute(() => true);
    await taken.close();
  });
});
