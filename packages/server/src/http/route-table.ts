import type { FastifyInstance } from 'fastify';

/** One registered route: what the authorization matrix must cover. */
export interface RouteEntry {
  method: string;
  url: string;
  /** Declared `config: { public: true }`: reachable without credentials. */
  public: boolean;
}

/**
 * Records every route as it is registered (plugins and Fastify's implicit HEAD routes included),
 * so tests can prove that each one is covered by the authorization matrix. Must be called before
 * the first route is added: onRoute hooks do not see routes registered earlier.
 */
export function collectRoutes(app: FastifyInstance): readonly RouteEntry[] {
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method])
      routes.push({ method: String(method), url: r.url ?? r.path, public: r.config?.public === true });
  });
  return routes;
}
