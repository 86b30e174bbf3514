import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.js';
import { buildApp } from '../../infra/build-app.js';

const ORIGINS = ['http://127.0.0.1:3000', 'https://console.example.com'];

const templateWith = (context: Record<string, unknown>) => {
  const app = new App({ context: { stage: 'dev', 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(buildApp(app));
};

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** The API's Lambda: the one whose environment names the idempotency table. */
const apiHandlerEnvironment = (template: Template): Record<string, unknown> => {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: {
      Environment: { Variables: Match.objectLike({ IDEMPOTENCY_TABLE_NAME: Match.anyValue() }) },
    },
  }) as Resources;
  const [fn] = Object.values(functions);
  if (!fn) throw new Error('no API handler in the template');
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
};

describe('CORS for the web console (CDK context consoleOrigins)', () => {
  const template = templateWith({ consoleOrigins: ORIGINS.join(',') });

  it('answers the preflight of every route resource from API Gateway, without auth, for those origins only', () => {
    const options = Object.values(
      template.findResources('AWS::ApiGateway::Method', {
        Properties: { HttpMethod: 'OPTIONS' },
      }) as Resources,
    );
    const resources = new Set(routes.map((route) => route.path));
    // One OPTIONS per resource of the tree (the routes' resources and their parents, and the root).
    expect(options.length).toBeGreaterThanOrEqual(resources.size);
    for (const { Properties: method } of options) {
      expect(method.AuthorizationType).toBe('NONE');
      expect(method.ApiKeyRequired).toBeFalsy();
      const integration = method.Integration as {
        Type: string;
        IntegrationResponses: {
          ResponseParameters: Record<string, string>;
          ResponseTemplates?: Record<string, string>;
        }[];
      };
      expect(integration.Type).toBe('MOCK');
      const [answer] = integration.IntegrationResponses;
      const parameters = answer?.ResponseParameters ?? {};
      expect(parameters['method.response.header.Access-Control-Allow-Headers']).toContain('If-None-Match');
      expect(parameters['method.response.header.Access-Control-Allow-Headers']).toContain('X-Api-Key');
      expect(parameters['method.response.header.Access-Control-Allow-Methods']).toBe("'GET,POST,OPTIONS'");
      // Several origins (CDK's scheme): the first by default, another when the request's Origin is it.
      expect(parameters['method.response.header.Access-Control-Allow-Origin']).toBe(`'${ORIGINS[0]}'`);
      const picked = JSON.stringify(answer?.ResponseTemplates ?? {});
      for (const origin of ORIGINS.slice(1)) expect(picked).toContain(`$origin == \\"${origin}\\"`);
    }
  });

  it('tells the handler the origins, which it names on its answers', () => {
    expect(apiHandlerEnvironment(template).CONSOLE_ORIGINS).toBe(ORIGINS.join(','));
  });

  it("lets one console origin read API Gateway's own refusals (a wrong key, throttling)", () => {
    const single = templateWith({ consoleOrigins: 'https://console.example.com' });
    const responses = Object.values(single.findResources('AWS::ApiGateway::GatewayResponse') as Resources);
    expect(responses.length).toBeGreaterThan(0);
    for (const { Properties: response } of responses)
      expect(response.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://console.example.com'",
      });
    // Several origins: a gateway response's header is one fixed value, so none is named there.
    for (const { Properties: response } of Object.values(
      template.findResources('AWS::ApiGateway::GatewayResponse') as Resources,
    ))
      expect(response.ResponseParameters).toBeUndefined();
  });

  it('is off by default: no preflight method, no origin for the handler', () => {
    const plain = templateWith({});
    expect(
      Object.keys(plain.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } })),
    ).toEqual([]);
    expect(apiHandlerEnvironment(plain).CONSOLE_ORIGINS).toBeUndefined();
  });

  it('refuses a context value that is not a list of origins, naming it', () => {
    expect(() => templateWith({ consoleOrigins: 'https://ok.example.com,ftp://x/path' })).toThrow(
      /consoleOrigins.*not: ftp:\/\/x\/path/,
    );
  });
});
