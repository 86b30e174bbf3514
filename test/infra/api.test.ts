import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { routes } from '../../functions/api/routes.js';
import { ErrorResponse } from '../../functions/api/schemas.js';
import { buildApp } from '../../infra/build-app.js';
import {
  DEFAULT_4XX,
  DEFAULT_5XX,
  GATEWAY_RESPONSE_STATUS,
  type GatewayResponseType,
} from '../../infra/gateway-responses.js';
import { gatewayResponsesOf, refusal, renderGatewayResponse } from '../../infra/local/gateway-responses.js';
import { synthTemplate } from '../../infra/synth.js';

const iamTemplate = Template.fromJSON(synthTemplate());
const apiKeyTemplate = (() => {
  const app = new App({ context: { stage: 'dev', apiAuth: 'apiKey', 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(buildApp(app));
})();

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** Full path of every API Gateway resource, from its PathPart and ParentId chain. */
const methodsByRoute = (template: Template) => {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
  const pathOf = (id: string): string => {
    const props = resources[id]?.Properties;
    if (!props) return '';
    const parent = (props.ParentId as { Ref?: string }).Ref;
    return `${parent && resources[parent] ? pathOf(parent) : ''}/${String(props.PathPart)}`;
  };
  const methods = template.findResources('AWS::ApiGateway::Method') as Resources;
  return new Map(
    Object.values(methods).map(({ Properties: p }) => {
      const ref = (p.ResourceId as { Ref?: string }).Ref;
      const path = ref && resources[ref] ? pathOf(ref) : '/';
      return [`${String(p.HttpMethod)} ${path}`, p];
    }),
  );
};

describe('control API template', () => {
  it('has every route of the route table, IAM-authorized, with its operation id', () => {
    const methods = methodsByRoute(iamTemplate);
    expect(methods.size).toBe(routes.length);
    for (const route of routes) {
      const method = methods.get(`${route.method} ${route.path}`);
      expect(method, `${route.method} ${route.path}`).toBeDefined();
      expect(method).toMatchObject({ AuthorizationType: 'AWS_IAM', OperationName: route.operationId });
      expect(method?.Integration).toMatchObject({ Type: 'AWS_PROXY' });
    }
  });

  it('requires an API key (with a usage plan) when apiAuth=apiKey', () => {
    const methods = methodsByRoute(apiKeyTemplate);
    for (const route of routes)
      expect(methods.get(`${route.method} ${route.path}`)).toMatchObject({
        AuthorizationType: 'NONE',
        ApiKeyRequired: true,
      });
    apiKeyTemplate.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    apiKeyTemplate.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 50, BurstLimit: 100 },
    });
    apiKeyTemplate.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
  });

  it('validates required POST bodies against models generated from the zod schemas', () => {
    const methods = methodsByRoute(iamTemplate);
    const create = methods.get('POST /workflows');
    expect(create?.RequestValidatorId).toBeDefined();
    expect(create?.RequestModels).toEqual({ 'application/json': expect.anything() });
    iamTemplate.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    iamTemplate.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({
        $schema: 'http://json-schema.org/draft-04/schema#',
        required: ['jobId', 'definition'],
        additionalProperties: false,
      }),
    });
  });

  it('throttles the stage and writes JSON access logs', () => {
    iamTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, HttpMethod: '*' }),
      ]),
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    iamTemplate.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('gives the API Lambda its state machines, tables and least-privilege Step Functions rights', () => {
    iamTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Control API'),
      Environment: {
        Variables: Match.objectLike({
          STATE_MACHINES: Match.anyValue(),
          IDEMPOTENCY_TABLE_NAME: Match.anyValue(),
          WORKFLOW_TABLE_NAME: Match.anyValue(),
          TASK_TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    const policies = JSON.stringify(iamTemplate.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('states:StartExecution');
    expect(policies).toContain('states:StopExecution');
    expect(policies).toMatch(/:execution:/);
    iamTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'job-orchestrator-dev-Idempotency',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it("reads execution histories (GET /workflows/{id}/history) of the app's state machines' executions only", () => {
    type Statement = { Action: string | string[]; Resource: unknown };
    const policies = Object.entries(iamTemplate.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('ControlApiHandler'),
    );
    const statements = policies.flatMap(
      ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const history = statements.filter((s) => [s.Action].flat().includes('states:GetExecutionHistory'));
    expect(history).toHaveLength(1);
    const machines = Object.keys(iamTemplate.findResources('AWS::StepFunctions::StateMachine'));
    const resources = [history[0]?.Resource].flat();
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) {
      const text = JSON.stringify(resource);
      expect(text).toContain('":execution:"');
      // `…:execution:<the machine's name>:*`
      const machine = /"Fn::GetAtt":\["([^"]+)","Name"\]\},":\*"\]\]\}$/.exec(text)?.[1];
      expect(machines).toContain(machine);
    }
  });

  it('answers every error API Gateway gives itself in the API error schema, 4xx statuses spelled out', () => {
    for (const template of [iamTemplate, apiKeyTemplate]) {
      const responses = Object.values(
        template.findResources('AWS::ApiGateway::GatewayResponse') as Resources,
      );
      const byType = new Map(responses.map(({ Properties: p }) => [String(p.ResponseType), p]));
      expect(byType.size).toBe(responses.length);
      // The defaults keep each type's own status (a failed Lambda stays a 502, a timeout a 504).
      for (const type of [DEFAULT_4XX, DEFAULT_5XX]) {
        expect(byType.get(type), type).toBeDefined();
        expect(byType.get(type)?.StatusCode, type).toBeUndefined();
      }
      for (const [type, status] of Object.entries(GATEWAY_RESPONSE_STATUS))
        if (status < 500) expect(byType.get(type)?.StatusCode, type).toBe(String(status));
        else expect(byType.has(type), `${type} is left to DEFAULT_5XX`).toBe(false);
      for (const props of byType.values())
        expect(Object.keys(props.ResponseTemplates as object), String(props.ResponseType)).toEqual([
          'application/json',
        ]);
    }
  });

  it('renders, as the local gateway reads it, to the error schema for every type and any message', () => {
    const template = synthTemplate();
    const api = Object.entries(template.Resources).find(
      ([, r]) => r.Type === 'AWS::ApiGateway::RestApi',
    )?.[0];
    const responses = gatewayResponsesOf(template, api ?? '');
    const request = {
      requestId: 'r-1',
      httpMethod: 'GET',
      path: '/x',
      resourcePath: '',
      stage: 'dev',
      sourceIp: '127.0.0.1',
      userAgent: 'test',
      domainName: 'localhost',
      requestTimeEpoch: 0,
      headers: {},
      query: {},
      pathParameters: {},
    };
    const types = Object.keys(GATEWAY_RESPONSE_STATUS) as GatewayResponseType[];
    for (const type of types)
      for (const message of ['Missing Authentication Token', 'quote " backslash \\ newline \n </script> é']) {
        const answer = renderGatewayResponse(responses, refusal(type, message), request);
        expect(answer.statusCode, type).toBe(GATEWAY_RESPONSE_STATUS[type]);
        expect(answer.headers['content-type']).toBe('application/json');
        const body = JSON.parse(answer.body);
        expect(z.strictObject(ErrorResponse.shape).parse(body)).toEqual({
          error: type === 'BAD_REQUEST_BODY' ? 'ValidationError' : type,
          message,
        });
      }
    // A Lambda proxy integration that fails keeps API Gateway's 502 under DEFAULT_5XX.
    expect(
      renderGatewayResponse(responses, refusal('INTEGRATION_FAILURE', 'x', 502), request).statusCode,
    ).toBe(502);
  });
});
