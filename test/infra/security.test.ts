import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { routes } from '../../functions/api/routes.js';
import { modelSchemaOf } from '../../infra/api-model.js';
import { buildApp } from '../../infra/build-app.js';

/*
 * Issue 20, "security, as tests", on the synthesized template of every stage configuration: no API
 * method without authentication, and no request without a bound on its size.
 */

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** The app's template for a stage and an `apiAuth` (as `cdk synth -c stage=… -c apiAuth=…`). */
const templateOf = (context: { stage: string; apiAuth?: string }): Template => {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(buildApp(app));
};

const CONFIGURATIONS = [
  { stage: 'dev', auth: 'iam' },
  { stage: 'prod', auth: 'iam' },
  { stage: 'dev', apiAuth: 'iam', auth: 'iam' },
  { stage: 'dev', apiAuth: 'apiKey', auth: 'apiKey' },
  { stage: 'prod', apiAuth: 'apiKey', auth: 'apiKey' },
] as const;

describe.each(CONFIGURATIONS)('the API of stage $stage with apiAuth=$auth', (configuration) => {
  const { auth, ...context } = configuration;
  const template = templateOf(context);
  const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Resources).map(
    (method) => method.Properties,
  );

  it('authenticates every method but CORS preflights, as the stage is configured', () => {
    expect(methods.length).toBeGreaterThanOrEqual(routes.length);
    const open = methods.filter((m) => {
      if (m.HttpMethod === 'OPTIONS') return false;
      if (auth === 'iam') return m.AuthorizationType !== 'AWS_IAM';
      return m.ApiKeyRequired !== true;
    });
    expect(open.map((m) => `${String(m.HttpMethod)} ${String(m.OperationName)}`)).toEqual([]);
    // No method anywhere is left without any check at all.
    const none = methods.filter(
      (m) => m.HttpMethod !== 'OPTIONS' && m.AuthorizationType === 'NONE' && m.ApiKeyRequired !== true,
    );
    expect(none).toEqual([]);
    if (auth === 'apiKey') {
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
      template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    } else template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
  });

  it('never logs a request body at the gateway (no data trace: bodies carry metadata)', () => {
    const stages = Object.values(template.findResources('AWS::ApiGateway::Stage') as Resources);
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) {
      const settings = (stage.Properties.MethodSettings ?? []) as Record<string, unknown>[];
      expect(settings.length).toBeGreaterThan(0);
      for (const setting of settings) expect(setting.DataTraceEnabled).toBe(false);
    }
  });

  it('bounds every request: the create body validated by its model, oversized requests refused with 413', () => {
    const create = methods.find((m) => m.OperationName === 'createWorkflow');
    expect(create?.RequestValidatorId).toBeDefined();
    const validators = Object.values(
      template.findResources('AWS::ApiGateway::RequestValidator') as Resources,
    );
    expect(validators.map((v) => v.Properties.ValidateRequestBody)).toContain(true);
    const models = Object.values(template.findResources('AWS::ApiGateway::Model') as Resources);
    const createModel = models.find((m) => m.Properties.Name === 'createWorkflowRequest');
    expect(createModel?.Properties.Schema).toMatchObject({
      additionalProperties: false,
      properties: { jobId: { maxLength: 128 }, definition: { maxLength: 128 } },
    });
    // Over API Gateway's 10 MB (or its header limit): a 413 in the API's error schema.
    const gatewayResponses = Object.values(
      template.findResources('AWS::ApiGateway::GatewayResponse') as Resources,
    );
    expect(
      gatewayResponses.find((r) => r.Properties.ResponseType === 'REQUEST_TOO_LARGE')?.Properties,
    ).toMatchObject({
      StatusCode: '413',
      ResponseTemplates: { 'application/json': expect.stringContaining('"error"') },
    });
  });
});

/** Every string of a JSON schema with a maxLength, every array with a maxItems: the paths that lack one. */
const unbounded = (schema: unknown, path = '$'): string[] => {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const own: string[] = [];
  if (node.type === 'string' && node.maxLength === undefined && node.enum === undefined) own.push(path);
  if (node.type === 'array' && node.maxItems === undefined) own.push(path);
  const children = [
    ...Object.entries((node.properties ?? {}) as Record<string, unknown>).map(([key, value]) => [
      `${path}.${key}`,
      value,
    ]),
    ...(node.items ? [[`${path}[]`, node.items]] : []),
    ...(['anyOf', 'oneOf', 'allOf'] as const).flatMap((key) =>
      ((node[key] ?? []) as unknown[]).map((value, i) => [`${path}|${key}${i}`, value]),
    ),
  ] as [string, unknown][];
  return [...own, ...children.flatMap(([childPath, child]) => unbounded(child, childPath))];
};

describe('request bodies', () => {
  it('bound every string and list of every route, metadata aside (16 KB, checked by the handler)', () => {
    const found = routes.flatMap((route) => {
      if (!('body' in route) || !route.body) return [];
      const schema = modelSchemaOf(route.body);
      const { metadata: _metadata, ...properties } = (schema.properties ?? {}) as Record<string, unknown>;
      return unbounded({ ...schema, properties }).map((path) => `${route.operationId} ${path}`);
    });
    expect(found).toEqual([]);
  });

  it('find unbounded ones (the checker itself)', () => {
    const schema = modelSchemaOf(
      z.object({
        a: z.string(),
        b: z.array(z.string().check(z.maxLength(3))),
        c: z.string().check(z.maxLength(2)),
      }),
    );
    expect(unbounded(schema)).toEqual(['$.a', '$.b']);
  });
});
