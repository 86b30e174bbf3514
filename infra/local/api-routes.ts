import type { CfnTemplate } from '../synth.js';
import { type GatewayResponses, gatewayResponsesOf } from './gateway-responses.js';
import { resolveIntrinsics, resourcesOfType } from './template.js';

/** One REST method of the template, proxied to a Lambda. */
export interface LocalRoute {
  readonly method: string;
  /** API Gateway's resource path, e.g. `/workflows/{id}/start`. */
  readonly resourcePath: string;
  readonly functionArn: string;
  /** The gateway responses of the route's REST API: how the gateway answers what it refuses. */
  readonly gatewayResponses: GatewayResponses;
}

type Ref = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

/** Every AWS_PROXY method of the template's REST APIs, with its full resource path. */
export const routesOf = (template: CfnTemplate, region: string): LocalRoute[] => {
  const resources = Object.fromEntries(
    resourcesOfType(template, 'AWS::ApiGateway::Resource').map(({ logicalId, resource }) => [
      logicalId,
      resource,
    ]),
  );
  const pathOf = (ref: Ref | undefined): string => {
    if (!ref?.Ref) return ''; // GetAtt RootResourceId: the root
    const resource = resources[ref.Ref];
    if (!resource) throw new Error(`API resource ${ref.Ref} is not in the template`);
    const props = resource.Properties as { ParentId: Ref; PathPart: string };
    return `${pathOf(props.ParentId)}/${props.PathPart}`;
  };
  const responsesByApi = new Map<string, GatewayResponses>();
  const responsesOf = (api: string) => {
    const known = responsesByApi.get(api) ?? gatewayResponsesOf(template, api);
    responsesByApi.set(api, known);
    return known;
  };
  return resourcesOfType(template, 'AWS::ApiGateway::Method').flatMap(({ resource }) => {
    const props = resource.Properties as {
      HttpMethod: string;
      ResourceId: Ref;
      RestApiId?: Ref;
      Integration?: { Type?: string; Uri?: unknown };
    };
    if (props.Integration?.Type !== 'AWS_PROXY') return [];
    const uri = String(resolveIntrinsics(props.Integration.Uri, template, { region }));
    const functionArn = /functions\/(.+)\/invocations$/.exec(uri)?.[1];
    if (!functionArn) throw new Error(`unsupported integration URI ${uri}`);
    return [
      {
        method: props.HttpMethod,
        resourcePath: pathOf(props.ResourceId) || '/',
        functionArn,
        gatewayResponses: responsesOf(props.RestApiId?.Ref ?? ''),
      },
    ];
  });
};

/**
 * Parameters of a path on a route, or undefined. A `{param}` takes one non-empty segment, a
 * `{param+}` the rest of the path; literal segments must be equal.
 */
const match = (route: LocalRoute, segments: readonly string[]): Record<string, string> | undefined => {
  const want = route.resourcePath.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = segments[i];
    if (value === undefined) return undefined;
    if (segment.startsWith('{') && segment.endsWith('+}')) {
      const rest = segments.slice(i);
      if (rest.some((s) => s === '')) return undefined;
      params[segment.slice(1, -2)] = rest.join('/');
      return params;
    }
    if (segment.startsWith('{')) {
      if (value === '') return undefined;
      params[segment.slice(1, -1)] = value;
    } else if (segment !== value) return undefined;
  }
  return want.length === segments.length ? params : undefined;
};

/** Literal segments win over `{param}` ones, as in API Gateway. */
const specificity = (route: LocalRoute) =>
  route.resourcePath.split('/').filter((s) => s && !s.startsWith('{')).length;

/** The routes in the order they are tried: the most literal segments first. */
export const byPrecedence = (routes: readonly LocalRoute[]): LocalRoute[] =>
  [...routes].sort((a, b) => specificity(b) - specificity(a));

/**
 * The first route of `routes` (in precedence order) for a method and decoded path segments, with
 * its path parameters; undefined when none matches.
 */
export const findRoute = (
  routes: readonly LocalRoute[],
  method: string | undefined,
  segments: readonly string[],
): { route: LocalRoute; params: Record<string, string> } | undefined => {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = match(route, segments);
    if (params !== undefined) return { route, params };
  }
  return undefined;
};
