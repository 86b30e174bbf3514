import { describe, expect, it } from 'vitest';
import { LocalLambdaRuntime } from '../../../infra/local/lambda-runtime.js';
import { LocalStepFunctions } from '../../../infra/local/step-functions.js';
import { isSupportedResource } from '../../../infra/local/task-bridge.js';
import { TaskTokens } from '../../../infra/local/task-tokens.js';
import { testTemplate } from '../../support/tables.js';

describe("the app's synthesized template", () => {
  it('loads every state machine, and every task is one the local bridge serves', () => {
    const template = testTemplate();
    const region = 'us-east-1';
    const lambda = new LocalLambdaRuntime({ template, region });
    const stepFunctions = new LocalStepFunctions({
      template,
      region,
      dynamoEndpoint: 'http://127.0.0.1:9',
      lambda,
      tokens: new TaskTokens(),
    });
    expect(stepFunctions.machines.length).toBeGreaterThan(0);
    for (const machine of stepFunctions.machines)
      for (const [name, state] of machine.states) {
        if (state.Type !== 'Task') continue;
        expect(isSupportedResource(state.Resource ?? ''), `${machine.local.name}/${name}`).toBe(true);
        // A Lambda task must land on an app handler, not on a function without a local entry.
        if (state.Resource?.startsWith('arn:aws:lambda:'))
          expect(lambda.functionOf(state.Resource).entry).toBeDefined();
      }
    stepFunctions.destroy();
  });
});
