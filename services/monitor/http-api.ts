// The monitor's read-only web surface, served through the ops server: the dashboard's static
// files, uPlot from node_modules, and the JSON it reads — the overview, a blueprint's series, and
// a server-sent event stream that pushes the overview every tick.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import type { OpsRouteHandler } from '../lib/observability/ops-server.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Every file the page may ask for, read once: the page never reaches the rest of the disk. */
function staticFiles(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  const dashboard = fileURLToPath(new URL('./dashboard/', import.meta.url));
  for (const name of readdirSync(dashboard)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) files.set(`/${name}`, { type, body: readFileSync(join(dashboard, name)) });
  }
  const uplot = dirname(createRequire(import.meta.url).resolve('uplot'));
  files.set('/vendor/uPlot.iife.min.js', {
    type: CONTENT_TYPES['.js']!,
    body: readFileSync(join(uplot, 'uPlot.iife.min.js')),
  });
  files.set('/vendor/uPlot.min.css', {
    type: CONTENT_TYPES['.css']!,
    body: readFileSync(join(uplot, 'uPlot.min.css')),
  });
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}

export interface MonitorApi {
  readonly route: OpsRouteHandler;
  /** Sends the overview to every open event stream. */
  push(overview: unknown): void;
}

export function createMonitorApi(source: { overview(): unknown; series(blueprint: string): unknown }): MonitorApi {
  const files = staticFiles();
  const streams = new Set<ServerResponse>();
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const route: OpsRouteHandler = (req, res, url) => {
    const file = files.get(url.pathname);
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return true;
    }
    switch (url.pathname) {
      case '/api/overview':
        json(res, 200, source.overview());
        return true;
      case '/api/series': {
        const blueprint = url.searchParams.get('blueprint');
        if (!blueprint)
          json(res, 400, {
            error: { code: 'missing_blueprint', message: 'add ?blueprint=NAME: the blueprint whose series to read' },
          });
        else json(res, 200, { blueprint, series: source.series(blueprint) });
        return true;
      }
      case '/api/stream':
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(`retry: 2000\nevent: overview\ndata: ${JSON.stringify(source.overview())}\n\n`);
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return true;
      default:
        return false;
    }
  };
  return {
    route,
    push(overview) {
      if (streams.size === 0) return;
      const event = `event: overview\ndata: ${JSON.stringify(overview)}\n\n`;
      for (const res of streams) res.write(event);
    },
  };
}
