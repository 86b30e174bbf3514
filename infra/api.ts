import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { routes } from '../functions/api/routes.js';
import { envName } from '../functions/config/environment.js';
import { modelSchemaOf } from './api-model.js';
import { GATEWAY_RESPONSES } from './gateway-responses.js';
import { createAppFunction } from './lambda.js';
import type { WorkflowTables } from './workflow-tables.js';

export type ApiAuth = 'iam' | 'apiKey';
export const API_AUTH_MODES: readonly ApiAuth[] = ['iam', 'apiKey'];
export const IDEMPOTENCY_TABLE_LOGICAL_NAME = 'Idempotency';

export interface ControlApiProps {
  readonly stage: string;
  /** Prefix of physical names, e.g. `job-orchestrator-dev-`. */
  readonly namePrefix: string;
  readonly tables: WorkflowTables;
  /** The state machine running each definition, by definition name. */
  readonly stateMachines: Readonly<Record<string, sfn.StateMachine>>;
  /** STATE_MACHINE_VERSIONS: definition → version → version ARN, as JSON (tokens resolve at deploy). */
  readonly versionArnsJson?: string;
  /** The Step Functions versions runs start on: StartExecution is allowed on these only. */
  readonly versionArns?: readonly string[];
  /** IAM (SigV4) by default; `apiKey` = API keys with a usage plan. */
  readonly auth?: ApiAuth;
  readonly removalPolicy: RemovalPolicy;
  /** Origins of web consoles answered with CORS (infra/console-origins.ts). @default none */
  readonly consoleOrigins?: readonly string[];
}

/** What a console sends besides simple headers: its body type, API key, SigV4 and conditional GETs. */
const CORS_REQUEST_HEADERS = [
  'Content-Type',
  'X-Api-Key',
  'Authorization',
  'X-Amz-Date',
  'X-Amz-Security-Token',
  'If-None-Match',
  'Idempotency-Key',
  'X-Correlation-Id',
];

/** Stage throttling: a burst above the steady rate is absorbed, beyond it callers get 429. */
const THROTTLE = { rateLimit: 50, burstLimit: 100 };

/**
 * The control API: one REST resource/method per entry of the route table (functions/api/routes.ts),
 * all proxied to one Lambda; POST bodies validated by API Gateway against models generated from the
 * same zod schemas; IAM or API-key auth; stage throttling; JSON access logs.
 */
export class ControlApi extends Construct {
  readonly api: apigw.RestApi;
  readonly handler: NodejsFunction;
  readonly idempotencyTable: dynamodb.Table;
  readonly apiKey?: apigw.IApiKey;

  constructor(scope: Construct, id: string, props: ControlApiProps) {
    super(scope, id);
    const auth = props.auth ?? 'iam';
    const stack = Stack.of(this);

    // Powertools' record layout: key `id`, TTL `expiration`.
    this.idempotencyTable = new dynamodb.Table(this, IDEMPOTENCY_TABLE_LOGICAL_NAME, {
      tableName: `${props.namePrefix}${IDEMPOTENCY_TABLE_LOGICAL_NAME}`,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy,
    });

    const arns = Object.fromEntries(
      Object.entries(props.stateMachines).map(([name, machine]) => [name, machine.stateMachineArn]),
    );
    this.handler = createAppFunction(this, 'Handler', {
      entry: 'functions/api/handler.ts',
      // API Gateway gives up on an integration after 29 s.
      timeout: Duration.seconds(29),
      description: 'Control API: every route of functions/api/routes.ts',
      environment: {
        // toJsonString resolves the ARN tokens inside the JSON at deploy time.
        [envName('stateMachines')]: stack.toJsonString(arns),
        ...(props.versionArnsJson ? { [envName('stateMachineVersions')]: props.versionArnsJson } : {}),
        [envName('idempotencyTable')]: this.idempotencyTable.tableName,
        ...(props.consoleOrigins?.length
          ? { [envName('consoleOrigins')]: props.consoleOrigins.join(',') }
          : {}),
      },
    });
    props.tables.grantTo(this.handler, 'readWrite');
    this.idempotencyTable.grantReadWriteData(this.handler);
    this.grantStepFunctions(Object.values(props.stateMachines), props.versionArns);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${props.namePrefix}control-api`,
      description: 'Job orchestrator control API (docs/openapi.json)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Access logs need the account-level CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: props.removalPolicy,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: THROTTLE.rateLimit,
        throttlingBurstLimit: THROTTLE.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        metricsEnabled: true,
        tracingEnabled: true,
        // Execution logs for failures only: the access log already records every request.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
      },
      // Preflights answered by API Gateway itself (no Lambda call); the handler names the origin on
      // every answer (functions/api/cors.ts).
      ...(props.consoleOrigins?.length
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [...props.consoleOrigins],
              allowMethods: ['GET', 'POST', 'OPTIONS'],
              allowHeaders: CORS_REQUEST_HEADERS,
              maxAge: Duration.minutes(10),
            },
          }
        : {}),
    });
    this.addErrorResponses(props.consoleOrigins ?? []);
    this.addRoutes(auth);
    for (const method of this.api.methods.filter((m) => m.httpMethod === 'OPTIONS'))
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'A CORS preflight: browsers send it without credentials; a mock integration answers only the CORS headers.',
      });
    if (auth === 'apiKey') {
      this.apiKey = this.addUsagePlan();
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'apiKey mode: every method requires an API key of the usage plan instead of IAM auth, by choice.',
      });
    }
  }

  private addRoutes(auth: ApiAuth): void {
    const integration = new apigw.LambdaIntegration(this.handler, { proxy: true });
    const bodyValidator = this.api.addRequestValidator('BodyValidator', {
      requestValidatorName: 'body',
      validateRequestBody: true,
      // No route declares required parameters; validating them costs nothing and keeps it so.
      validateRequestParameters: true,
    });
    for (const route of routes) {
      const resource = this.api.root.resourceForPath(route.path);
      // Only a required body gets a gateway model: an optional one may be empty, which the handler
      // reads as `{}` and validates itself (with the same schema) rather than trusting the gateway.
      const model =
        'bodyRequired' in route && route.bodyRequired
          ? this.api.addModel(`${route.operationId}Model`, {
              contentType: 'application/json',
              modelName: `${route.operationId}Request`,
              schema: modelSchemaOf(route.body),
            })
          : undefined;
      resource.addMethod(route.method, integration, {
        operationName: route.operationId,
        ...(auth === 'iam'
          ? { authorizationType: apigw.AuthorizationType.IAM }
          : { authorizationType: apigw.AuthorizationType.NONE, apiKeyRequired: true }),
        ...(model ? { requestValidator: bodyValidator, requestModels: { 'application/json': model } } : {}),
      });
    }
  }

  /**
   * Errors API Gateway answers itself (unknown route or method, auth, throttling, size, body
   * validation) get the API's error shape, with their statuses in the template: the local gateway
   * renders its own refusals from these resources (docs/local-stack.md, "API Gateway").
   */
  private addErrorResponses(consoleOrigins: readonly string[]): void {
    // A console reads API Gateway's own refusals (a wrong API key, throttling) only with CORS; a
    // gateway response's header is a fixed value, so this is for a single console origin.
    const [origin] = consoleOrigins;
    const responseHeaders =
      consoleOrigins.length === 1
        ? { 'Access-Control-Allow-Origin': `'${origin}'`, Vary: "'Origin'" }
        : undefined;
    for (const { type, statusCode, template } of GATEWAY_RESPONSES) {
      const id = type
        .toLowerCase()
        .split('_')
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join('');
      this.api.addGatewayResponse(id, {
        type: apigw.ResponseType.of(type),
        ...(statusCode !== undefined ? { statusCode: String(statusCode) } : {}),
        templates: { 'application/json': template },
        ...(responseHeaders ? { responseHeaders } : {}),
      });
    }
  }

  private addUsagePlan(): apigw.IApiKey {
    const key = this.api.addApiKey('ApiKey', { description: 'Control API client key' });
    const plan = this.api.addUsagePlan('UsagePlan', {
      description: 'Control API clients',
      throttle: THROTTLE,
      quota: { limit: 100_000, period: apigw.Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    plan.addApiKey(key);
    return key;
  }

  /**
   * Least privilege: start these machines, stop/describe their executions and read their histories
   * (GET /workflows/{id}/history), complete pause gates.
   */
  private grantStepFunctions(machines: readonly sfn.StateMachine[], versionArns?: readonly string[]): void {
    const stack = Stack.of(this);
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        // Runs start on a definition version (README, "Versions"), never on the unpublished latest.
        resources: versionArns ? [...versionArns] : machines.map((m) => m.stateMachineArn),
      }),
    );
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:StopExecution', 'states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: machines.map((m) =>
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${m.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    // Resume completes the task tokens parked by pause gates; task tokens are not resources IAM can
    // name, so SendTaskSuccess cannot be narrowed below "*".
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: ['*'] }),
    );
  }
}
