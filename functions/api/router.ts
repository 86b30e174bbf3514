import { type Route, routes } from './routes.js';

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly pathParameters: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

const byResource = new Map<string, Route[]>();
for (const route of routes) byResource.set(route.path, [...(byResource.get(route.path) ?? []), route]);

const segments = (path: string): string[] => path.split('/').filter((part) => part.length > 0);

/** Matches a concrete path against the route paths, `{name}` taking one non-empty segment. */
const matchPath = (path: string): { resource: string; params: Record<string, string> } | undefined => {
  const parts = segments(path);
  for (const resource of byResource.keys()) {
    const pattern = segments(resource);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matched = pattern.every((segment, i) => {
      const part = parts[i] as string;
      if (!segment.startsWith('{')) return segment === part;
      try {
        params[segment.slice(1, -1)] = decodeURIComponent(part);
        return true;
      } catch {
        return false; // malformed percent-encoding: no such resource
      }
    });
    if (matched) return { resource, params };
  }
  return undefined;
};

/**
 * Routes on API Gateway's `resource` + `httpMethod` (the resource names the route exactly); when
 * the event has no known resource (a caller that only knows the path), the path is matched instead.
 */
export const matchRoute = (event: {
  resource?: string | null;
  path?: string | null;
  httpMethod?: string | null;
  pathParameters?: Record<string, string | undefined> | null;
}): RouteMatch => {
  let resource = event.resource ?? undefined;
  let pathParameters: Record<string, string> = {};
  if (resource && byResource.has(resource)) {
    for (const [key, value] of Object.entries(event.pathParameters ?? {}))
      if (value !== undefined) pathParameters[key] = value;
  } else {
    const found = matchPath(event.path ?? '');
    if (!found) return { kind: 'not-found' };
    resource = found.resource;
    pathParameters = found.params;
  }
  const candidates = byResource.get(resource) ?? [];
  const method = (event.httpMethod ?? '').toUpperCase();
  const route = candidates.find((r) => r.method === method);
  if (!route) return { kind: 'method-not-allowed', allowed: candidates.map((r) => r.method) };
  return { kind: 'route', route, pathParameters };
};
