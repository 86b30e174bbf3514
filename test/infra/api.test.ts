import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.js';
import { buildApp } from '../../infra/build-app.js';
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

  it('answers gateway errors in the API error shape', () => {
    iamTemplate.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error"') },
    });
  });
});
