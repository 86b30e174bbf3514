/**
 * The control API's types, generated from docs/openapi.json by openapi-typescript: `npm run openapi`
 * writes both, and test/api/openapi.test.ts checks this file is current. Do not edit it by hand.
 */

export interface paths {
  '/workflows': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List workflows by view, status, job or creation day, newest first */
    get: operations['listWorkflows'];
    put?: never;
    /** Create a workflow for a job from a definition (and start it if `start` is true) */
    post: operations['createWorkflow'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a workflow */
    get: operations['getWorkflow'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/progress': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Progress of a workflow: counters, weighted progress, ETA, execution link and tasks */
    get: operations['getWorkflowProgress'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/tasks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The tasks of a workflow, by step index */
    get: operations['getWorkflowTasks'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/tasks/{step}/items': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A fan-out step's item outcomes, in index order, optionally of one status */
    get: operations['listTaskItems'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The Step Functions execution history of one of a workflow's runs (default: the current one), as AWS's HistoryEvent objects */
    get: operations['getWorkflowHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/start': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Start a pending workflow: starts its Step Functions execution */
    post: operations['startWorkflow'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/pause': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Pause a running workflow at the next step boundary */
    post: operations['pauseWorkflow'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Resume a paused workflow */
    post: operations['resumeWorkflow'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancel a workflow: stops its execution now */
    post: operations['cancelWorkflow'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/recover': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Recover a failed workflow: a new run of the steps not done (plus fromStep and its dependents, minus skip) */
    post: operations['recoverWorkflow'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{jobId}/workflows': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The workflows of a job, newest first */
    get: operations['listJobWorkflows'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{jobId}/workflow': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The workflow of a job: its newest one */
    get: operations['getJobWorkflow'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/definitions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The workflow definitions this deployment runs */
    get: operations['listDefinitions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description Every error answer of the API */
    Error: {
      /** @description The handler's error class (ValidationError, NotFoundError, InvalidTransitionError...) or, for API Gateway's own answers, its response type (THROTTLED, ACCESS_DENIED...) */
      error: string;
      /** @description What went wrong, for people */
      message: string;
      /** @description Per error class: the field problems of a ValidationError, the ids of a NotFoundError... */
      details?: unknown;
    };
    Workflow: {
      workflowId: string;
      jobId: string;
      definitionName: string;
      definitionVersion: string;
      /** @enum {string} */
      status: 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'recovering';
      currentStep: number;
      totalSteps: number;
      progress: number;
      metadata: components['schemas']['Metadata'];
      correlationId?: string;
      errorMessage?: string;
      /** Format: date-time */
      startedAt?: string;
      /** Format: date-time */
      completedAt?: string;
      /** Format: date-time */
      lastCheckpoint?: string;
      recoveryAttempts: number;
      maxRecoveryAttempts: number;
      executionArn?: string;
      executionArns?: string[];
      runToken?: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      expiresAt?: number;
    };
    Progress: {
      workflowId: string;
      jobId: string;
      /** @enum {string} */
      status: 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'recovering';
      progress: number;
      currentStep: number;
      totalSteps: number;
      completedTasks: number;
      failedTasks: number;
      runningTasks: number;
      totalTasks: number;
      recoveryAttempts: number;
      maxRecoveryAttempts: number;
      startedAt: string | null;
      completedAt: string | null;
      weightedProgress: number;
      eta: string | null;
      executionArn: string | null;
      consoleUrl: string | null;
      tasks: {
        id: string;
        name: string;
        type: string;
        /** @enum {string} */
        status:
          | 'pending'
          | 'queued'
          | 'running'
          | 'retrying'
          | 'completed'
          | 'failed'
          | 'skipped'
          | 'cancelled';
        retryCount: number;
        errorMessage: string | null;
        /** @description A fan-out step's items once it has listed them: how many, and how many succeeded and failed (updated once per batch); null for any other step */
        items: {
          total: number;
          succeeded: number;
          failed: number;
        } | null;
      }[];
    };
    Task: {
      workflowId: string;
      stepIndex: number;
      taskName: string;
      taskType: string;
      /** @enum {string} */
      status:
        | 'pending'
        | 'queued'
        | 'running'
        | 'retrying'
        | 'completed'
        | 'failed'
        | 'skipped'
        | 'cancelled';
      retryCount: number;
      maxRetries: number;
      attempts: number;
      totalAttempts: number;
      nonRetryable: string[];
      dependencies: number[];
      result: {
        [key: string]: unknown;
      };
      resultObject?: {
        bucket: string;
        key: string;
        bytes: number;
      };
      items?: {
        total: number;
        succeeded: number;
        failed: number;
      };
      errorMessage?: string;
      errorType?: string;
      runToken?: string;
      executionArn?: string;
      timeout: number;
      estimatedDuration: number;
      actualDuration?: number;
      /** Format: date-time */
      startedAt?: string;
      /** Format: date-time */
      completedAt?: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      expiresAt?: number;
      /** @description `<workflowId>:<stepIndex>` */
      id: string;
    };
    ItemOutcome: {
      /** @description The item's index in the step's item list */
      index: number;
      /** @enum {string} */
      status: 'succeeded' | 'failed';
      /** @description Attempts of the item over every run of the step */
      attempts: number;
      /** @description The item's result (at most 2 KB as JSON); absent when its handler returned none */
      result?: unknown;
      /** @description A failed item's last error: its name and message (at most 500 characters) */
      error?: {
        type: string;
        message: string;
      };
    };
    WorkflowHistory: {
      workflowId: string;
      /** @description Every run of the workflow, the first first; empty until it is started */
      runs: components['schemas']['WorkflowRun'][];
      /** @description The run shown; absent when the workflow was never started */
      run?: number;
      /** @description The run's execution */
      executionArn?: string;
      /** @description false when Step Functions has no history of the execution: kept 90 days after it ended, none when its start failed (and, locally, none from before the stack restarted) */
      executionFound?: boolean;
      /** @description The events of this page, in order */
      events: components['schemas']['HistoryEvent'][];
      nextCursor?: string;
    };
    WorkflowRun: {
      run: number;
      /** @description Its Step Functions execution */
      executionArn: string;
    };
    HistoryEvent: {
      /** @description 1, 2, 3... in the order of the history */
      id: number;
      /** @description The event before this one in its branch of the execution (0 for the first) */
      previousEventId?: number;
      /** Format: date-time */
      timestamp: string;
      /**
       * @description Step Functions' event type
       * @enum {string}
       */
      type:
        | 'ActivityFailed'
        | 'ActivityScheduleFailed'
        | 'ActivityScheduled'
        | 'ActivityStarted'
        | 'ActivitySucceeded'
        | 'ActivityTimedOut'
        | 'ChoiceStateEntered'
        | 'ChoiceStateExited'
        | 'EvaluationFailed'
        | 'ExecutionAborted'
        | 'ExecutionFailed'
        | 'ExecutionRedriven'
        | 'ExecutionStarted'
        | 'ExecutionSucceeded'
        | 'ExecutionTimedOut'
        | 'FailStateEntered'
        | 'LambdaFunctionFailed'
        | 'LambdaFunctionScheduleFailed'
        | 'LambdaFunctionScheduled'
        | 'LambdaFunctionStartFailed'
        | 'LambdaFunctionStarted'
        | 'LambdaFunctionSucceeded'
        | 'LambdaFunctionTimedOut'
        | 'MapIterationAborted'
        | 'MapIterationFailed'
        | 'MapIterationStarted'
        | 'MapIterationSucceeded'
        | 'MapRunAborted'
        | 'MapRunFailed'
        | 'MapRunRedriven'
        | 'MapRunStarted'
        | 'MapRunSucceeded'
        | 'MapStateAborted'
        | 'MapStateEntered'
        | 'MapStateExited'
        | 'MapStateFailed'
        | 'MapStateStarted'
        | 'MapStateSucceeded'
        | 'ParallelStateAborted'
        | 'ParallelStateEntered'
        | 'ParallelStateExited'
        | 'ParallelStateFailed'
        | 'ParallelStateStarted'
        | 'ParallelStateSucceeded'
        | 'PassStateEntered'
        | 'PassStateExited'
        | 'SucceedStateEntered'
        | 'SucceedStateExited'
        | 'TaskFailed'
        | 'TaskScheduled'
        | 'TaskStartFailed'
        | 'TaskStarted'
        | 'TaskStateAborted'
        | 'TaskStateEntered'
        | 'TaskStateExited'
        | 'TaskSubmitFailed'
        | 'TaskSubmitted'
        | 'TaskSucceeded'
        | 'TaskTimedOut'
        | 'WaitStateAborted'
        | 'WaitStateEntered'
        | 'WaitStateExited';
      activityFailedEventDetails?: components['schemas']['HistoryEventFailure'];
      activityScheduleFailedEventDetails?: components['schemas']['HistoryEventFailure'];
      activityScheduledEventDetails?: {
        resource: string;
        /** @description The input, as JSON text: at most 8192 bytes (see its *Details) */
        input?: string;
        inputDetails?: components['schemas']['HistoryEventDataDetails'];
        timeoutInSeconds?: number;
        heartbeatInSeconds?: number;
      };
      activityStartedEventDetails?: {
        workerName?: string;
      };
      activitySucceededEventDetails?: {
        /** @description The output, as JSON text: at most 8192 bytes (see its *Details) */
        output?: string;
        outputDetails?: components['schemas']['HistoryEventDataDetails'];
      };
      activityTimedOutEventDetails?: components['schemas']['HistoryEventFailure'];
      taskFailedEventDetails?: components['schemas']['HistoryEventTaskFailure'];
      taskScheduledEventDetails?: {
        /** @description The integration: lambda, dynamodb, events, states... */
        resourceType: string;
        /** @description Its action: invoke, updateItem, putEvents... */
        resource: string;
        region: string;
        /** @description The effective parameters, as JSON text: at most 8192 bytes */
        parameters?: string;
        timeoutInSeconds?: number;
        heartbeatInSeconds?: number;
        taskCredentials?: {
          roleArn?: string;
        };
      };
      taskStartFailedEventDetails?: components['schemas']['HistoryEventTaskFailure'];
      taskStartedEventDetails?: {
        /** @description The integration: lambda, dynamodb, events, states... */
        resourceType: string;
        /** @description Its action: invoke, updateItem, putEvents... */
        resource: string;
      };
      taskSubmitFailedEventDetails?: components['schemas']['HistoryEventTaskFailure'];
      taskSubmittedEventDetails?: {
        /** @description The integration: lambda, dynamodb, events, states... */
        resourceType: string;
        /** @description Its action: invoke, updateItem, putEvents... */
        resource: string;
        /** @description The output, as JSON text: at most 8192 bytes (see its *Details) */
        output?: string;
        outputDetails?: components['schemas']['HistoryEventDataDetails'];
      };
      taskSucceededEventDetails?: {
        /** @description The integration: lambda, dynamodb, events, states... */
        resourceType: string;
        /** @description Its action: invoke, updateItem, putEvents... */
        resource: string;
        /** @description The output, as JSON text: at most 8192 bytes (see its *Details) */
        output?: string;
        outputDetails?: components['schemas']['HistoryEventDataDetails'];
      };
      taskTimedOutEventDetails?: components['schemas']['HistoryEventTaskFailure'];
      executionFailedEventDetails?: components['schemas']['HistoryEventFailure'];
      executionStartedEventDetails?: {
        /** @description The input, as JSON text: at most 8192 bytes (see its *Details) */
        input?: string;
        inputDetails?: components['schemas']['HistoryEventDataDetails'];
        roleArn?: string;
        stateMachineAliasArn?: string;
        stateMachineVersionArn?: string;
      };
      executionSucceededEventDetails?: {
        /** @description The output, as JSON text: at most 8192 bytes (see its *Details) */
        output?: string;
        outputDetails?: components['schemas']['HistoryEventDataDetails'];
      };
      executionAbortedEventDetails?: components['schemas']['HistoryEventFailure'];
      executionTimedOutEventDetails?: components['schemas']['HistoryEventFailure'];
      executionRedrivenEventDetails?: {
        redriveCount?: number;
      };
      mapStateStartedEventDetails?: {
        length?: number;
      };
      mapIterationStartedEventDetails?: components['schemas']['HistoryEventMapIteration'];
      mapIterationSucceededEventDetails?: components['schemas']['HistoryEventMapIteration'];
      mapIterationFailedEventDetails?: components['schemas']['HistoryEventMapIteration'];
      mapIterationAbortedEventDetails?: components['schemas']['HistoryEventMapIteration'];
      lambdaFunctionFailedEventDetails?: components['schemas']['HistoryEventFailure'];
      lambdaFunctionScheduleFailedEventDetails?: components['schemas']['HistoryEventFailure'];
      lambdaFunctionScheduledEventDetails?: {
        /** @description The Lambda function's ARN */
        resource: string;
        /** @description The payload, as JSON text: at most 8192 bytes (see its *Details) */
        input?: string;
        inputDetails?: components['schemas']['HistoryEventDataDetails'];
        timeoutInSeconds?: number;
        taskCredentials?: {
          roleArn?: string;
        };
      };
      lambdaFunctionStartFailedEventDetails?: components['schemas']['HistoryEventFailure'];
      lambdaFunctionSucceededEventDetails?: {
        /** @description The output, as JSON text: at most 8192 bytes (see its *Details) */
        output?: string;
        outputDetails?: components['schemas']['HistoryEventDataDetails'];
      };
      lambdaFunctionTimedOutEventDetails?: components['schemas']['HistoryEventFailure'];
      stateEnteredEventDetails?: {
        /** @description The state's name */
        name: string;
        /** @description The input, as JSON text: at most 8192 bytes (see its *Details) */
        input?: string;
        inputDetails?: components['schemas']['HistoryEventDataDetails'];
      };
      stateExitedEventDetails?: {
        /** @description The state's name */
        name: string;
        /** @description The output, as JSON text: at most 8192 bytes (see its *Details) */
        output?: string;
        outputDetails?: components['schemas']['HistoryEventDataDetails'];
        /** @description Variables assigned (left out beyond 8192 bytes in all) */
        assignedVariables?: {
          [key: string]: string;
        };
        assignedVariablesDetails?: components['schemas']['HistoryEventDataDetails'];
      };
      mapRunStartedEventDetails?: {
        mapRunArn?: string;
      };
      mapRunFailedEventDetails?: components['schemas']['HistoryEventFailure'];
      mapRunRedrivenEventDetails?: {
        mapRunArn?: string;
        redriveCount?: number;
      };
      evaluationFailedEventDetails?: {
        /** @description The error name, e.g. States.TaskFailed */
        error?: string;
        /** @description Its cause (at most 8192 bytes) */
        cause?: string;
        location?: string;
        state: string;
      };
    };
    HistoryEventFailure: {
      /** @description The error name, e.g. States.TaskFailed */
      error?: string;
      /** @description Its cause (at most 8192 bytes) */
      cause?: string;
    };
    /** @description true when the data text beside it was cut: by Step Functions, or by this API to 8192 bytes */
    HistoryEventDataDetails: {
      truncated?: boolean;
    };
    HistoryEventTaskFailure: {
      /** @description The integration: lambda, dynamodb, events, states... */
      resourceType: string;
      /** @description Its action: invoke, updateItem, putEvents... */
      resource: string;
      /** @description The error name, e.g. States.TaskFailed */
      error?: string;
      /** @description Its cause (at most 8192 bytes) */
      cause?: string;
    };
    HistoryEventMapIteration: {
      name?: string;
      index?: number;
    };
    Recovery: {
      workflowId: string;
      jobId: string;
      definitionName: string;
      definitionVersion: string;
      /** @enum {string} */
      status: 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'recovering';
      currentStep: number;
      totalSteps: number;
      progress: number;
      metadata: components['schemas']['Metadata'];
      correlationId?: string;
      errorMessage?: string;
      /** Format: date-time */
      startedAt?: string;
      /** Format: date-time */
      completedAt?: string;
      /** Format: date-time */
      lastCheckpoint?: string;
      recoveryAttempts: number;
      maxRecoveryAttempts: number;
      executionArn?: string;
      executionArns?: string[];
      runToken?: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      expiresAt?: number;
      /** @description The steps the new run executes; every other done step keeps its result and is not run again */
      rerun: string[];
    };
    Definition: {
      name: string;
      version: string;
      /** @description The version a create uses unless it names another (`definitionVersion`); one per definition */
      current: boolean;
      description: string;
      maxRecoveryAttempts: number;
      /** @description The state machine (its Step Functions version, when published) this version's runs start on */
      stateMachineArn: string | null;
      /** @description The JSON Schema (draft 2020-12) a create's `metadata` is checked against, defaults included; null when the definition declares no parameters (any metadata object) */
      parameters: {
        [key: string]: unknown;
      } | null;
      steps: {
        index: number;
        name: string;
        taskType: string;
        maxRetries: number;
        dependencies: number[];
        timeout: number;
        estimatedDuration: number;
      }[];
    };
    /** @description The workflow's metadata, handed to every step: the parameters of its definition as parsed at create, defaults filled in (each definition's schema: GET /definitions, or the `<Definition>Parameters` schemas here). A workflow created before its definition declared parameters keeps the object it was given. */
    Metadata: {
      /**
       * @description dataset-build definitions: the synthetic dataset (DatasetBuildParameters)
       * @example {
       *       "items": 200,
       *       "seed": 7,
       *       "duplicateRate": 0.1,
       *       "invalidRate": 0.05,
       *       "labels": [
       *         "cat",
       *         "dog"
       *       ]
       *     }
       */
      dataset?: unknown;
      /**
       * @description `false`: a failure of this workflow is left to a person (no automatic recovery)
       * @example false
       */
      autoRecovery?: unknown;
    } & {
      [key: string]: unknown;
    };
    /** @description `metadata` of a dataset-build workflow: checked at create (a 400 names the field and the rule), defaults filled in, stored parsed */
    DatasetBuildParameters: {
      /**
       * @description The synthetic dataset the steps list, check, deduplicate, label and package
       * @default {}
       */
      dataset?: {
        /**
         * @description How many items `list` generates
         * @default 2000
         */
        items?: number;
        /**
         * @description PRNG seed: the same seed always yields the same dataset (and the same manifest digest)
         * @default 1
         */
        seed?: number;
        /**
         * @description Share of items that copy an earlier item's text under a new id
         * @default 0.1
         */
        duplicateRate?: number;
        /**
         * @description Share of items with empty text or a negative size, dropped by `validate`
         * @default 0.05
         */
        invalidRate?: number;
        /**
         * @description Label vocabulary
         * @default [
         *       "cat",
         *       "dog",
         *       "bird"
         *     ]
         */
        labels?: string[];
      };
      /** @description `false`: a failure of this workflow is left to a person (no automatic recovery) */
      autoRecovery?: boolean;
      /** @description Per fan-out step, the share of its items that may fail (percent): overrides the definition's */
      tolerance?: {
        download?: number;
        validate?: number;
      };
    } & {
      [key: string]: unknown;
    };
    /** @description `metadata` of a dataset-smoke workflow: checked at create (a 400 names the field and the rule), defaults filled in, stored parsed */
    DatasetSmokeParameters: {
      /**
       * @description The synthetic dataset the steps list, check, deduplicate, label and package
       * @default {}
       */
      dataset?: {
        /**
         * @description How many items `list` generates
         * @default 2000
         */
        items?: number;
        /**
         * @description PRNG seed: the same seed always yields the same dataset (and the same manifest digest)
         * @default 1
         */
        seed?: number;
        /**
         * @description Share of items that copy an earlier item's text under a new id
         * @default 0.1
         */
        duplicateRate?: number;
        /**
         * @description Share of items with empty text or a negative size, dropped by `validate`
         * @default 0.05
         */
        invalidRate?: number;
        /**
         * @description Label vocabulary
         * @default [
         *       "cat",
         *       "dog",
         *       "bird"
         *     ]
         */
        labels?: string[];
      };
      /** @description `false`: a failure of this workflow is left to a person (no automatic recovery) */
      autoRecovery?: boolean;
      /** @description Per fan-out step, the share of its items that may fail (percent): overrides the definition's */
      tolerance?: {
        download?: number;
        validate?: number;
      };
    } & {
      [key: string]: unknown;
    };
  };
  responses: {
    /** @description Invalid input. From the handler: `ValidationError` (or `InvalidCursorError`, `WorkflowDefinitionError`) whose `details` list each problem as `{path, rule, message}`. API Gateway answers a 400 `ValidationError` without details (and without x-correlation-id) for a `POST /workflows` body its request model refuses. */
    BadRequest: {
      headers: {
        /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. Set on the handler's answers; absent from API Gateway's own. */
        'x-correlation-id'?: string;
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "ValidationError",
         *       "message": "body.jobId: Too small: expected string to have >=1 characters",
         *       "details": [
         *         {
         *           "path": "body.jobId",
         *           "rule": "too_small",
         *           "message": "Too small: expected string to have >=1 characters"
         *         }
         *       ]
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description The credentials were refused (response type UNAUTHORIZED). Answered by API Gateway itself, before the handler: the body is the error schema through the stage's gateway responses (`error` is the gateway's response type, no `details`; the API hardening work customizes these bodies further) and there is no x-correlation-id. */
    Unauthorized: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "UNAUTHORIZED",
         *       "message": "Unauthorized"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description No or a bad SigV4 signature (MISSING_AUTHENTICATION_TOKEN, INVALID_SIGNATURE, EXPIRED_TOKEN), a caller without `execute-api:Invoke` (ACCESS_DENIED), or, with `apiAuth=apiKey`, a missing or unknown API key (INVALID_API_KEY). Answered by API Gateway itself, before the handler: the body is the error schema through the stage's gateway responses (`error` is the gateway's response type, no `details`; the API hardening work customizes these bodies further) and there is no x-correlation-id. */
    Forbidden: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "MISSING_AUTHENTICATION_TOKEN",
         *       "message": "Missing Authentication Token"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description `NotFoundError`: no workflow (or job) with this id, or no step of this name in the workflow's definition; `details` names it. */
    NotFound: {
      headers: {
        /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
        'x-correlation-id': string;
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "NotFoundError",
         *       "message": "Workflow not found: 01JD2Q8W4M6Y0B3C5E7G9K1N2P",
         *       "details": {
         *         "entity": "Workflow",
         *         "id": "01JD2Q8W4M6Y0B3C5E7G9K1N2P"
         *       }
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description `InvalidTransitionError`: the action is illegal in the current status (`details`: `{action, current, wanted}`); `RecoveryLimitError`: no recovery attempt left (`details`: `{attempts, maxAttempts}`); `IdempotencyInProgress`: a request with this Idempotency-Key is still running; retry after Retry-After seconds. */
    Conflict: {
      headers: {
        /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
        'x-correlation-id': string;
        /** @description Seconds to wait before retrying: sent with `IdempotencyInProgress` only */
        'Retry-After'?: string;
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "InvalidTransitionError",
         *       "message": "Cannot start workflow in running state",
         *       "details": {
         *         "action": "start",
         *         "current": "running",
         *         "wanted": "running"
         *       }
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description The request is over API Gateway's 10 MB payload limit (REQUEST_TOO_LARGE). Answered by API Gateway itself, before the handler: the body is the error schema through the stage's gateway responses (`error` is the gateway's response type, no `details`; the API hardening work customizes these bodies further) and there is no x-correlation-id. */
    PayloadTooLarge: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "REQUEST_TOO_LARGE",
         *       "message": "Request Too Long"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description `UnsupportedMediaType`: a body was sent without `Content-Type: application/json` (`details.contentType` is what was sent). */
    UnsupportedMediaType: {
      headers: {
        /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
        'x-correlation-id': string;
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "UnsupportedMediaType",
         *       "message": "Content-Type must be application/json",
         *       "details": {
         *         "contentType": "text/plain"
         *       }
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description `IdempotencyKeyReused`: this Idempotency-Key was used with a different body. */
    IdempotencyKeyReused: {
      headers: {
        /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
        'x-correlation-id': string;
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "IdempotencyKeyReused",
         *       "message": "Idempotency-Key was already used with a different request body"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description Over the stage's throttle (50 requests/s, bursts of 100: THROTTLED) or, with `apiAuth=apiKey`, over the key's daily quota (QUOTA_EXCEEDED). Retry with backoff. Answered by API Gateway itself, before the handler: the body is the error schema through the stage's gateway responses (`error` is the gateway's response type, no `details`; the API hardening work customizes these bodies further) and there is no x-correlation-id. */
    TooManyRequests: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "THROTTLED",
         *       "message": "Too Many Requests"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description `InternalError`: an unexpected failure, with no detail (the log has it, under the x-correlation-id). API Gateway's own 500s (a configuration error) have no x-correlation-id. */
    InternalError: {
      headers: {
        /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. Set on the handler's answers; absent from API Gateway's own. */
        'x-correlation-id'?: string;
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "InternalError",
         *       "message": "Internal error"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description The Lambda integration failed or answered malformed (INTEGRATION_FAILURE). Answered by API Gateway itself, before the handler: the body is the error schema through the stage's gateway responses (`error` is the gateway's response type, no `details`; the API hardening work customizes these bodies further) and there is no x-correlation-id. */
    BadGateway: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "INTEGRATION_FAILURE",
         *       "message": "Internal server error"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description `ServiceUnavailable`: DynamoDB or Step Functions throttled or failed even after the SDK's retries; send the same request again after Retry-After seconds (reads change nothing, every write is conditional). On `POST /workflows` with `start`, `StartUnavailable`: the workflow was created but Step Functions did not take its run; `details.workflow` is the workflow, `failed` and recoverable. Retry the same request with the same Idempotency-Key after Retry-After seconds: the retry starts this workflow (a recovery) and creates no other. Without the key, `POST /workflows/{id}/recover` does the same. */
    ServiceUnavailable: {
      headers: {
        /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
        'x-correlation-id': string;
        /** @description Seconds to wait before sending the request again (with the same Idempotency-Key, if any) */
        'Retry-After': string;
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "ServiceUnavailable",
         *       "message": "DynamoDB or Step Functions is busy or briefly unavailable; retry after Retry-After seconds"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description The handler did not answer within API Gateway's 29 s (INTEGRATION_TIMEOUT). Answered by API Gateway itself, before the handler: the body is the error schema through the stage's gateway responses (`error` is the gateway's response type, no `details`; the API hardening work customizes these bodies further) and there is no x-correlation-id. */
    GatewayTimeout: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": "INTEGRATION_TIMEOUT",
         *       "message": "Endpoint request timed out"
         *     }
         */
        'application/json': components['schemas']['Error'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listWorkflows: {
    parameters: {
      query?: {
        /**
         * @description active = running|recovering, failed, recoverable = failed with attempts left
         * @example active
         */
        view?: 'active' | 'failed' | 'recoverable';
        /** @example failed */
        status?: 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'recovering';
        /** @example job-42 */
        jobId?: string;
        /**
         * @description Workflows created on this UTC day
         * @example 2025-01-31
         */
        createdDay?: string;
        /**
         * @description Page size, 1..100 (default 25)
         * @example 25
         */
        limit?: number;
        /** @description The nextCursor of the previous page, unchanged */
        cursor?: string;
      };
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of workflows, newest first; `nextCursor` when there are more */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Workflow'][];
            nextCursor?: string;
          };
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  createWorkflow: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Makes a retry safe: within 24 hours, the same key with the same body answers the first response again; with another body, 422
         * @example create-job-42
         */
        'Idempotency-Key'?: string;
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "jobId": "job-42",
         *       "definition": "dataset-build",
         *       "metadata": {
         *         "dataset": {
         *           "items": 200,
         *           "seed": 7
         *         }
         *       },
         *       "start": true
         *     }
         */
        'application/json': {
          /** @description The job this workflow builds a dataset for */
          jobId: string;
          /** @description Name of a workflow definition (GET /definitions) */
          definition: string;
          /** @description A version of the definition (GET /definitions lists them); default the current one */
          definitionVersion?: string;
          /** @description The parameters of the definition named by `definition` (GET /definitions lists each one's JSON Schema): checked at create, defaults filled in. At most 16 KiB as JSON, 16 levels deep, non-empty keys, numbers 0 or 1e-100..2^53 in magnitude. */
          metadata?:
            | components['schemas']['DatasetBuildParameters']
            | components['schemas']['DatasetSmokeParameters'];
          /** @description Start the workflow at once */
          start?: boolean;
        };
      };
    };
    responses: {
      /** @description Created: the new workflow (`pending`, or `running` when `start` is true). A repeat with the same Idempotency-Key and body within 24 hours answers this same response again and creates nothing. */
      201: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Workflow'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['IdempotencyKeyReused'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  getWorkflow: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The workflow */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Workflow'];
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  getWorkflowProgress: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Its progress: counters, weighted progress, ETA, execution link, tasks */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Progress'];
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  getWorkflowTasks: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Its tasks, by step index */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Task'][];
          };
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  listTaskItems: {
    parameters: {
      query?: {
        /**
         * @description Only the items with this outcome (default: every item that has an outcome)
         * @example failed
         */
        status?: 'succeeded' | 'failed';
        /**
         * @description Page size, 1..100 (default 25)
         * @example 25
         */
        limit?: number;
        /** @description The nextCursor of the previous page, unchanged */
        cursor?: string;
      };
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
        /**
         * @description A fan-out step's name (a step of the workflow's definition with `forEach`)
         * @example download
         */
        step: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the step's item outcomes in index order; `nextCursor` when there are more. Empty until the step has listed its items */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['ItemOutcome'][];
            nextCursor?: string;
          };
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  getWorkflowHistory: {
    parameters: {
      query?: {
        /**
         * @description Which run: 0 is the first execution, each recovery starts the next (default: the current run)
         * @example 0
         */
        run?: number;
        /**
         * @description Page size, 1..100 (default 25)
         * @example 25
         */
        limit?: number;
        /** @description The nextCursor of the previous page, unchanged (it names its run) */
        cursor?: string;
      };
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the run's Step Functions execution history, in order, and the runs there are; `nextCursor` when there are more. Empty for a workflow never started */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WorkflowHistory'];
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  startWorkflow: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /** @example {} */
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description The workflow after the transition */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Workflow'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  pauseWorkflow: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /** @example {} */
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description The workflow after the transition */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Workflow'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  resumeWorkflow: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /** @example {} */
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description The workflow after the transition */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Workflow'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  cancelWorkflow: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /** @example {} */
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description The workflow after the transition */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Workflow'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  recoverWorkflow: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
      };
      path: {
        /**
         * @description Workflow id
         * @example 01JD2Q8W4M6Y0B3C5E7G9K1N2P
         */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /**
         * @example {
         *       "fromStep": "label",
         *       "skip": [],
         *       "reason": "fixed the labeller"
         *     }
         */
        'application/json': {
          /** @description Run this step (name or index) and every step that depends on it again, even if done; without it the new run executes only the steps that are not done */
          fromStep?: number | string;
          /** @description Steps to go on without: marked skipped (a skipped dependency counts as met); never a completed step */
          skip?: string[];
          reason?: string;
        };
      };
    };
    responses: {
      /** @description The workflow, now `running` its new run, and the steps that run executes (`rerun`) */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Recovery'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  listJobWorkflows: {
    parameters: {
      query?: {
        /**
         * @description Page size, 1..100 (default 25)
         * @example 25
         */
        limit?: number;
        /** @description The nextCursor of the previous page, unchanged */
        cursor?: string;
      };
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path: {
        /**
         * @description Job id
         * @example job-42
         */
        jobId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the workflows of the job, newest first */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Workflow'][];
            nextCursor?: string;
          };
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  getJobWorkflow: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path: {
        /**
         * @description Job id
         * @example job-42
         */
        jobId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The job's newest workflow */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Workflow'];
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  listDefinitions: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description Your id for this request, handed back and logged: used when 1-128 printable ASCII characters
         * @example req-7f3a9c
         */
        'x-correlation-id'?: string;
        /** @description The ETag of an answer you hold: while the answer is the same, a 304 without a body */
        'If-None-Match'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every workflow definition, with its steps and state machine */
      200: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Definition'][];
          };
        };
      };
      /** @description Not modified: the If-None-Match names the current answer; no body */
      304: {
        headers: {
          /** @description The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable ASCII characters, else API Gateway's request id. Every log line of the request and of the runs it starts carries it. */
          'x-correlation-id': string;
          /** @description A tag of this answer's body: send it back as If-None-Match */
          ETag: string;
          /** @description `no-cache`: revalidate before reuse */
          'Cache-Control'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      500: components['responses']['InternalError'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
}
