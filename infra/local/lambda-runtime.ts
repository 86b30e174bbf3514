import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { REPO_ROOT } from '../repo-root.js';
import type { CfnTemplate } from '../synth.js';
import { functionNameOf } from './arns.js';
import { moduleUrl, nextGeneration } from './fresh-import.js';
import { functionsOf, type LocalFunction } from './template.js';

export interface LocalLambdaRuntimeOptions {
  readonly template: CfnTemplate;
  readonly region: string;
  /** Applied on top of every function's own environment: the local `AWS_ENDPOINT_URL_*` variables. */
  readonly environment?: Record<string, string>;
  /** @default the repository root (the parent of infra/) */
  readonly repoRoot?: string;
}

type Handler = (event: unknown, context: Context) => unknown;

/** Error of an invocation as Step Functions sees it on AWS: Error = errorType, Cause = this JSON. */
export class LambdaInvocationError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorType, errorMessage, trace: [] }));
    this.name = errorType;
  }
}

/** What the Lambda service reports when it cannot run the function at all. */
const serviceError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

/** Set by the Lambda runtime; NODE_OPTIONS is left alone, it would leak into child processes. */
const SKIPPED_VARIABLES = new Set(['NODE_OPTIONS']);

/**
 * Runs the template's Lambda handlers in this process: each function's module is imported once,
 * its environment applied, and its timeout enforced.
 *
 * Environments cannot be isolated per function in one process: every invocation writes its
 * function's variables into the shared process.env. That is harmless here because the functions of
 * one app share their configuration (table names, endpoints); a handler must not rely on a variable
 * only another function defines. A timed-out handler cannot be killed either: it keeps running in
 * the background while its caller already sees Sandbox.Timedout, as a frozen sandbox would.
 */
export class LocalLambdaRuntime {
  functions: readonly LocalFunction[] = [];
  private readonly byName = new Map<string, LocalFunction>();
  private modules = new Map<string, Promise<{ handler?: Handler }>>();
  private readonly repoRoot: string;
  /** Which copy of the project's code new invocations run (infra/local/fresh-import.ts). */
  private generation = 0;

  constructor(private readonly options: LocalLambdaRuntimeOptions) {
    this.useTemplate(options.template);
    this.repoRoot = options.repoRoot ?? REPO_ROOT;
  }

  /** The functions of a newly synthesized template, for the invocations from now on. */
  useTemplate(template: CfnTemplate): void {
    this.functions = functionsOf(template, { region: this.options.region });
    this.byName.clear();
    for (const fn of this.functions) this.byName.set(fn.name, fn);
  }

  /**
   * Loads every handler anew, with a fresh graph of the project's modules (the hooks of
   * enableFreshImports must be registered), and switches new invocations to it once all of it has
   * loaded; invocations in flight finish on the code they started with. If any module fails to
   * load, nothing switches and the error is thrown: the previous code keeps serving.
   */
  async reload(): Promise<void> {
    const generation = nextGeneration();
    const modules = new Map<string, Promise<{ handler?: Handler }>>();
    await Promise.all(this.entries().map((entry) => this.handlerOf(entry, modules, generation)));
    this.modules = modules;
    this.generation = generation;
  }

  /** The function behind an ARN (qualified or not) or a name. */
  functionOf(arnOrName: string): LocalFunction {
    const fn = this.byName.get(functionNameOf(arnOrName));
    if (!fn) throw serviceError('Lambda.ResourceNotFoundException', `Function not found: ${arnOrName}`);
    return fn;
  }

  /**
   * Invokes a function with an event; resolves with its JSON-serialized result. A handler error or a
   * timeout rejects with a LambdaInvocationError (name = errorType, message = the AWS Cause JSON).
   */
  async invoke(arnOrName: string, event: unknown): Promise<unknown> {
    const fn = this.functionOf(arnOrName);
    if (!fn.entry)
      throw serviceError(
        'Lambda.ServiceException',
        `function ${fn.logicalId} has no local entry (not an app handler)`,
      );
    const handler = await this.handlerOf(fn.entry);
    this.applyEnvironment(fn);
    const requestId = randomUUID();
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `local/[$LATEST]${requestId.replaceAll('-', '')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LambdaInvocationError(
              'Sandbox.Timedout',
              `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            ),
          ),
        fn.timeoutSeconds * 1000,
      );
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
      // The payload crosses a JSON boundary on AWS: undefined becomes null, Dates become strings.
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      if (error instanceof LambdaInvocationError) throw error;
      if (error instanceof Error) throw new LambdaInvocationError(error.name, error.message);
      throw new LambdaInvocationError('Error', String(error));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Loads every function's module now. The local stack does it at start: a terminal's Ctrl-C also
   * stops the TypeScript loader's compiler service (tsx's esbuild, in the same process group), so
   * nothing may need compiling once a shutdown has begun (docs/local-stack.md, "Shutdown").
   */
  async preload(): Promise<void> {
    await Promise.all(this.entries().map((entry) => this.handlerOf(entry)));
  }

  private entries(): string[] {
    return [...new Set(this.functions.flatMap((fn) => (fn.entry ? [fn.entry] : [])))];
  }

  private handlerOf(entry: string, modules = this.modules, generation = this.generation): Promise<Handler> {
    let loaded = modules.get(entry);
    if (!loaded) {
      // The .ts module itself: the local stack and the tests run under tsx/vitest.
      loaded = import(moduleUrl(resolve(this.repoRoot, entry), generation)) as Promise<{ handler?: Handler }>;
      modules.set(entry, loaded);
    }
    return loaded.then((module) => {
      if (typeof module.handler !== 'function')
        throw serviceError('Lambda.ServiceException', `${entry} exports no handler`);
      return module.handler;
    });
  }

  private applyEnvironment(fn: LocalFunction): void {
    const variables: Record<string, string> = {
      ...fn.environment,
      ...this.options.environment,
      AWS_REGION: this.options.region,
      AWS_DEFAULT_REGION: this.options.region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    };
    for (const [key, value] of Object.entries(variables))
      if (!SKIPPED_VARIABLES.has(key)) process.env[key] = value;
  }
}
