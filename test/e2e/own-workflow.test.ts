import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/repo-root.js';
import { killLeftovers, type LocalProcess, startLocalProcess } from '../support/local-process.js';
import { copyOfRepo } from '../support/repo-copy.js';

/*
 * README, "Add your own workflow", done as a reader does it: the example's files (which the README
 * quotes verbatim) put where they belong in a copy of the repository, the schema listed, the catalog
 * regenerated, the copy type-checked and started, and the workflow submitted with the CLI.
 */

afterAll(killLeftovers);

const EXAMPLE = join(REPO_ROOT, 'docs/examples/own-workflow');
const FILES = [
  'functions/steps/report/parameters.ts',
  'state-machines/definitions/report.ts',
  'functions/steps/report/fetch.ts',
  'functions/steps/report/summarize.ts',
  'functions/steps/report/publish.ts',
];
/** The registry lines the README shows. */
const REGISTRY_IMPORT = "import { ReportParameters } from '../steps/report/parameters.js';";
const REGISTRY_LIST =
  'export const PARAMETER_SCHEMAS: readonly z.core.$ZodObject[] = [DatasetParameters, ReportParameters];';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Resource = { Type: string; Properties: Record<string, any> };
const SHOWN: Record<string, (p: Resource['Properties']) => string> = {
  'AWS::Lambda::Function': (p) => p.Description,
  'AWS::StepFunctions::StateMachine': (p) => p.StateMachineName,
  // The hash is the lock's: the README elides it.
  'AWS::StepFunctions::StateMachineVersion': (p) => p.Description.replace(/sha256:[0-9a-f]+/, 'sha256:…'),
  'AWS::StepFunctions::StateMachineAlias': (p) => p.Name,
};

/** report's resources as the README lists them: logical id without CDK's suffix, type, description or name. */
const reportResources = (template: { Resources: Record<string, Resource> }): string =>
  Object.entries(template.Resources)
    .filter(([id, r]) => id.startsWith('Workflowreport') && SHOWN[r.Type])
    .map(([id, r]) =>
      `${id.slice(0, -8).padEnd(32)}${r.Type.padEnd(41)}${SHOWN[r.Type]?.(r.Properties)}`.trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');

/** The states of report's state machine that belong to its step fetch, in the definition's order. */
const fetchStates = (template: { Resources: Record<string, Resource> }): string => {
  const machine = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::StepFunctions::StateMachine' &&
      r.Properties.StateMachineName === 'job-orchestrator-dev-report',
  ) as Resource;
  const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  const asl = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'x')).join(''));
  return Object.keys(asl.States)
    .filter((name) => /\bfetch\b/.test(name))
    .map((name) => `\`${name}\``)
    .join(', ');
};
const run = promisify(execFile);

describe('README, "Add your own workflow"', () => {
  it('quotes every file of docs/examples/own-workflow as it is, and the definition is at most 15 lines', () => {
    for (const file of FILES) {
      const text = readFileSync(join(EXAMPLE, file), 'utf8');
      expect(readme, file).toContain(`\`${file}\`:\n\n\`\`\`ts\n${text}\`\`\``);
    }
    expect(readme).toContain(`${REGISTRY_IMPORT}\n${REGISTRY_LIST}`);
    expect(
      readFileSync(join(EXAMPLE, FILES[1] as string), 'utf8')
        .trimEnd()
        .split('\n').length,
    ).toBeLessThanOrEqual(15);
  });

  it('type-checks, runs on the local stack, and refuses bad parameters in the CLI and the API', async () => {
    const root = copyOfRepo({ coldCache: true });
    // `npm run definitions` is a script of scripts/, which the copy for `npm start` leaves out, as
    // it may the web console `npm start` serves.
    for (const extra of ['scripts', 'console'])
      if (existsSync(join(REPO_ROOT, extra)) && !existsSync(join(root, extra)))
        cpSync(join(REPO_ROOT, extra), join(root, extra), { recursive: true });
    for (const file of FILES) cpSync(join(EXAMPLE, file), join(root, file));
    const registry = join(root, 'functions/parameters/registry.ts');
    const listed = readFileSync(registry, 'utf8');
    const current =
      /^export const PARAMETER_SCHEMAS: readonly z\.core\.\$ZodObject\[\] = \[DatasetParameters\];$/m;
    expect(listed).toMatch(current);
    writeFileSync(registry, `${REGISTRY_IMPORT}\n${listed.replace(current, REGISTRY_LIST)}`);
    const bin = (name: string) => join(root, 'node_modules/.bin', name);
    writeFileSync(
      join(root, 'tsconfig.example.json'),
      JSON.stringify({ extends: './tsconfig.json', include: FILES.map((file) => file) }),
    );
    await run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.example.json'], { cwd: root });
    await run(bin('tsx'), ['scripts/definitions.ts'], { cwd: root }); // npm run definitions
    await run(process.execPath, ['cli/build.js'], { cwd: root });

    let stack: LocalProcess | undefined;
    try {
      stack = await startLocalProcess(['--no-demo', '--in-memory'], { root, timeoutMs: 240_000 });
      const url = stack.url;
      const cli = (...args: string[]) =>
        run(process.execPath, ['cli/bin.js', '--url', url, ...args], { cwd: root }).then(
          ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
          (error: { code: number; stdout: string; stderr: string }) => error,
        );

      const refused = await cli('submit', 'report', 'job-1', '--param', 'report.rows=0');
      expect(refused.code).toBe(64);
      expect(refused.stderr).toContain('metadata.report.rows must be at least 1');
      // The 400 the README shows, answered by the local stack's API.
      const api = await fetch(`${url}/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jobId: 'job-1',
          definition: 'report',
          metadata: { report: { rows: 10_001 } },
        }),
      });
      expect(api.status).toBe(400);
      const answer = JSON.stringify(await api.json());
      expect(readme).toContain(`\`\`\`json\n${answer}\n\`\`\``);

      // Its state machine in the template npm start synthesized, as the README lists it.
      const template = JSON.parse(
        readFileSync(join(root, 'cdk.out/JobOrchestrator-dev.template.json'), 'utf8'),
      );
      expect(readme).toContain(
        `<!-- own-workflow-template:start -->\n\`\`\`text\n${reportResources(template)}\`\`\``,
      );
      expect(readme).toContain(
        `<!-- own-workflow-states:start -->\n${fetchStates(template)}\n<!-- own-workflow-states:end -->`,
      );

      const submitted = await cli('submit', 'report', 'job-1', '--param', 'report.rows=500', '--start');
      expect(submitted.code).toBe(0);
      const id = submitted.stdout.split(/\s+/)[0] as string;
      expect((await cli('watch', id, '--interval', '200')).code).toBe(0);
      const { workflow, tasks } = JSON.parse((await cli('--json', 'status', id)).stdout);
      expect(workflow.metadata).toEqual({ report: { title: 'Daily report', rows: 500 } });
      expect(tasks.map((task: { taskName: string; status: string }) => [task.taskName, task.status])).toEqual(
        [
          ['fetch', 'completed'],
          ['summarize', 'completed'],
          ['publish', 'completed'],
        ],
      );
      expect(tasks[1].result).toMatchObject({ total: 124_750, counted: 500, complete: true, attempt: 1 });
      expect(tasks[2].result).toEqual({ line: 'Daily report: 500 rows, total 124750' });
    } finally {
      await stack?.interrupt();
    }
  }, 420_000);
});
