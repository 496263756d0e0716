// A service process's ops server: Prometheus metrics, liveness and readiness over plain HTTP, and
// read-only routes that other code adds (the monitor serves its dashboard through one). It never
// takes its process down: a port that is taken costs this process its metrics, not its work.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { errorMessage } from '../errors.js';

/** Answers a request and returns true, or returns false to let the next route (or the 404) answer. */
export type OpsRouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface OpsServerOptions {
  /** The service's name, reported by /healthz. */
  service: string;
  /** Interface to listen on; loopback unless the metrics must be reachable from elsewhere. */
  host: string;
  /** Port to listen on; 0 picks an ephemeral one. */
  port: number;
  /** What /metrics exposes. */
  registry: Registry;
  /** The setting that chooses the port (e.g. LOOPER_OPS_PORT_PREDICTOR), named when the port is taken. */
  portSetting: string;
  /** The setting that chooses the host, named when the server cannot listen for another reason. */
  hostSetting: string;
  log(line: string): void;
}

export interface OpsServer {
  /** Base URL, e.g. http://127.0.0.1:9470; null when the server could not listen (already logged). */
  readonly address: string | null;
  /** /readyz answers 200 from now on. */
  markReady(): void;
  /** /readyz answers 503 again, reason "stopping": the process is shutting down. */
  markStopping(): void;
  /** Adds a route, tried after the built-in ones and the routes added before it. */
  addRoute(handler: OpsRouteHandler): void;
  /** Stops listening and closes open connections (a dashboard's stream must not hold up shutdown). */
  close(): Promise<void>;
}

type Readiness = { ready: true } | { ready: false; reason: 'starting' | 'stopping' };

const JSON_TYPE = 'application/json; charset=utf-8';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts listening; resolves once it listens or has logged why it cannot. Never rejects. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { service, host, registry, log } = options;
  const routes: OpsRouteHandler[] = [];
  let readiness: Readiness = { ready: false, reason: 'starting' };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(
        res,
        405,
        'method_not_allowed',
        `${req.method} is not allowed: the ops server is read-only (GET, HEAD)`,
      );
    }
    let url: URL;
    try {
      // Prefixed rather than resolved against a base, so a path like //metrics stays a path.
      url = new URL(`http://${urlHost(host)}${req.url ?? '/'}`);
    } catch {
      return sendError(res, 400, 'bad_request', `"${req.url}" is not a request path`);
    }
    switch (url.pathname) {
      case '/metrics': {
        const text = await registry.metrics();
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
        res.end(text);
        return;
      }
      case '/healthz':
        return sendJson(res, 200, { status: 'ok', service });
      case '/readyz':
        return sendJson(res, readiness.ready ? 200 : 503, readiness);
    }
    for (const route of routes) if (await route(req, res, url)) return;
    sendError(
      res,
      404,
      'not_found',
      `no route for ${url.pathname}; the ops server answers /metrics, /healthz and /readyz`,
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      log(`ops server: ${req.method} ${req.url} failed: ${errorMessage(error)}`);
      if (res.headersSent) res.destroy();
      else sendError(res, 500, 'internal', errorMessage(error));
    });
  });

  const failure = await listen(server, options.port, host);
  const controls = {
    markReady: () => void (readiness = { ready: true }),
    markStopping: () => void (readiness = { ready: false, reason: 'stopping' }),
    addRoute: (handler: OpsRouteHandler) => void routes.push(handler),
  };
  if (failure) {
    log(describeListenFailure(failure, options));
    return { address: null, ...controls, close: async () => undefined };
  }
  // Health answers must not keep a process alive that has nothing else left to do.
  server.unref();
  server.on('error', (error) => log(`ops server: ${errorMessage(error)}`));
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : options.port;
  return {
    address: `http://${urlHost(host)}:${port}`,
    ...controls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(null);
    });
  });
}

function describeListenFailure(
  error: NodeJS.ErrnoException,
  { host, port, portSetting, hostSetting }: OpsServerOptions,
): string {
  const off = '/metrics, /healthz and /readyz are off for this process';
  if (error.code === 'EADDRINUSE') {
    return `ops server: port ${port} on ${host} is already in use; set ${portSetting} to a free port (0 for any); ${off}`;
  }
  return `ops server: cannot listen on ${urlHost(host)}:${port} (${error.code ?? 'error'}: ${error.message}); check ${hostSetting} and ${portSetting}; ${off}`;
}
