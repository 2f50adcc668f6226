// /metrics for Prometheus, /healthz (the process is alive: 503 once its consumer has stopped for
// good, so a supervisor restarts it) and /readyz (it is a member of its consumer group and no
// dependency is in an outage).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export function startHttpServer(options: {
  host: string;
  port: number;
  registry: Registry;
  isReady: () => boolean;
  /** False once the process cannot do its work any more; alive when not given. */
  isAlive?: () => boolean;
}): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      options.registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
        (err: Error) => response.writeHead(500).end(err.message),
      );
    } else if (path === '/healthz') {
      const alive = options.isAlive?.() ?? true;
      response.writeHead(alive ? 200 : 503, { 'content-type': 'text/plain' }).end(alive ? 'ok\n' : 'dead\n');
    } else if (path === '/readyz') {
      const ready = options.isReady();
      response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
