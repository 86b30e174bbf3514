import type { z } from 'zod';
import type { ForEach } from '../functions/contract/fan-out.js';
import { type ValidationIssue, WorkflowDefinitionError } from '../functions/domain/errors.js';
import { parameterSchemaId } from '../functions/parameters/registry.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_DELAY,
  DEFAULT_MAX_RECOVERY_ATTEMPTS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUTS,
  FALLBACK_TIMEOUT,
  MAX_STEPS,
  type WorkflowDefinition,
  WorkflowSpec,
  type WorkflowStep,
} from './dsl.js';

type ParsedSpec = z.output<typeof WorkflowSpec>;

const stepLabel = (spec: ParsedSpec, index: number): string => `steps[${index}] "${spec.steps[index]?.name}"`;

/** `['steps', 2, 'maxRetries']` → `steps[2] "label".maxRetries`, so every message names the step. */
const pathLabel = (input: unknown, path: readonly PropertyKey[]): string => {
  const steps = (input as { steps?: { name?: unknown }[] } | null)?.steps;
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const name = Array.isArray(steps) ? steps[path[1]]?.name : undefined;
    const head = `steps[${path[1]}]${typeof name === 'string' ? ` "${name}"` : ''}`;
    const rest = path.slice(2).map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`));
    return head + rest.join('');
  }
  return path.map(String).join('.') || '(definition)';
};

/** Resolves one dependency to an index, reporting in the reference wording when it cannot. */
const dependencyIssues = (spec: ParsedSpec, index: number, names: Map<string, number>) => {
  const issues: ValidationIssue[] = [];
  const resolved: number[] = [];
  const path = stepLabel(spec, index);
  for (const dep of spec.steps[index]?.dependencies ?? []) {
    const target = typeof dep === 'number' ? dep : names.get(dep);
    if (target === undefined || target < 0 || target >= spec.steps.length) {
      issues.push({
        path,
        rule: 'dependency-exists',
        message: `Step ${index} has invalid dependency: ${dep}`,
      });
    } else if (target >= index) {
      // Self-dependency is a forward dependency, as in the reference service.
      const named = typeof dep === 'string' ? ` ("${dep}")` : '';
      issues.push({
        path,
        rule: 'dependency-order',
        message: `Step ${index} has forward dependency: ${target}${named}`,
      });
    } else if (resolved.includes(target)) {
      issues.push({
        path,
        rule: 'dependency-unique',
        message: `Step ${index} lists dependency ${dep} twice`,
      });
    } else {
      resolved.push(target);
    }
  }
  return { issues, resolved };
};

/** Seconds of backoff a batch waits in all when an item fails every attempt (1 s, 2 s, 4 s … capped). */
export const batchRetryWait = (maxRetries: number, maxDelay: number): number => {
  let total = 0;
  for (let retry = 0; retry < maxRetries; retry++) total += Math.min(2 ** retry, maxDelay);
  return total;
};

/**
 * A fan-out step's rules: its items come from one of its dependencies, and a batch whose item
 * fails every attempt still fits its backoff waits in the step's timeout.
 */
const forEachIssues = (
  spec: ParsedSpec,
  step: WorkflowStep,
  names: Map<string, number>,
): { issues: ValidationIssue[]; forEach?: ForEach } => {
  const raw = spec.steps[step.index]?.forEach;
  if (!raw) return { issues: [] };
  const path = `${stepLabel(spec, step.index)}.forEach`;
  const issues: ValidationIssue[] = [];
  let items: ForEach['items'] = { fromStep: 0 };
  if ('fromStep' in raw.items) {
    const source = names.get(raw.items.fromStep);
    if (source === undefined || !step.dependencies.includes(source))
      issues.push({
        path: `${path}.items.fromStep`,
        rule: 'forEach-source',
        message: `Step ${step.index} fans out over "${raw.items.fromStep}", which is not one of its dependencies`,
      });
    else items = { fromStep: source };
  } else items = { fromManifest: raw.items.fromManifest };
  const wait = batchRetryWait(step.maxRetries, step.retry.maxDelay);
  if (wait >= step.timeout)
    issues.push({
      path,
      rule: 'forEach-retry-budget',
      message: `Step ${step.index} retries a failing item after ${wait} s of backoff in all, which does not fit its ${step.timeout} s timeout per batch`,
    });
  return {
    issues,
    forEach: {
      items,
      batchSize: raw.batchSize ?? DEFAULT_BATCH_SIZE,
      maxConcurrency: raw.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      toleratedFailurePercentage: raw.toleratedFailurePercentage ?? 0,
    },
  };
};

/** Keys the orchestrator reads from every workflow's metadata (functions/parameters/workflow-parameters.ts). */
const RESERVED_PARAMETERS = ['autoRecovery', 'tolerance', 'faults'];

/** A parameter schema is known by its id (the catalog names it), and leaves the orchestrator's keys alone. */
const parametersIssues = (schema: z.core.$ZodObject): { issues: ValidationIssue[]; id?: string } => {
  const id = parameterSchemaId(schema);
  const issues: ValidationIssue[] = [];
  if (!id)
    issues.push({
      path: 'parameters',
      rule: 'parameters-id',
      message:
        "the parameter schema needs an id: z.strictObject({...}).check(z.meta({ id: 'ReportParameters' }))",
    });
  const reserved = Object.keys(schema._zod.def.shape).filter((key) => RESERVED_PARAMETERS.includes(key));
  if (reserved.length > 0)
    issues.push({
      path: 'parameters',
      rule: 'parameters-reserved',
      message: `${reserved.join(', ')} are the orchestrator's own metadata keys: name the parameters otherwise`,
    });
  return { issues, ...(id ? { id } : {}) };
};

const normalizeStep = (spec: ParsedSpec, index: number, dependencies: number[]): WorkflowStep => {
  const s = spec.steps[index] as ParsedSpec['steps'][number];
  return {
    index,
    name: s.name,
    taskType: s.taskType,
    handler: s.handler,
    maxRetries: s.maxRetries ?? DEFAULT_MAX_RETRIES,
    dependencies,
    timeout: s.timeout ?? DEFAULT_TIMEOUTS[s.taskType] ?? FALLBACK_TIMEOUT,
    estimatedDuration: s.estimatedDuration ?? 0,
    retry: {
      maxDelay: s.retry?.maxDelay ?? DEFAULT_MAX_DELAY,
      jitter: s.retry?.jitter ?? false,
      nonRetryable: s.retry?.nonRetryable ?? [],
    },
  };
};

/**
 * Checks every definition rule (docs/behaviour.md, "Definitions") and reports all problems in one
 * WorkflowDefinitionError whose message names each step and rule; returns the definition with defaults
 * applied.
 */
export const validateWorkflow = (input: unknown): WorkflowDefinition => {
  const parsed = WorkflowSpec.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: pathLabel(input, issue.path),
      rule: issue.code,
      message: issue.message,
    }));
    throw definitionError(input, issues);
  }
  const spec = parsed.data;
  const issues: ValidationIssue[] = [];
  if (spec.steps.length === 0) {
    issues.push({ path: 'steps', rule: 'min-steps', message: 'Workflow must have at least one step' });
  }
  if (spec.steps.length > MAX_STEPS) {
    issues.push({
      path: 'steps',
      rule: 'max-steps',
      message: `Workflow has ${spec.steps.length} steps; at most ${MAX_STEPS}`,
    });
  }
  const names = new Map<string, number>();
  spec.steps.forEach((s, index) => {
    const first = names.get(s.name);
    if (first === undefined) names.set(s.name, index);
    else
      issues.push({
        path: stepLabel(spec, index),
        rule: 'unique-name',
        message: `Step ${index} repeats the name "${s.name}" of step ${first}`,
      });
  });
  const steps = spec.steps.map((_, index) => {
    const deps = dependencyIssues(spec, index, names);
    issues.push(...deps.issues);
    const step = normalizeStep(spec, index, deps.resolved);
    const fanOut = forEachIssues(spec, step, names);
    issues.push(...fanOut.issues);
    return fanOut.forEach ? { ...step, forEach: fanOut.forEach } : step;
  });
  const parameters = spec.parameters && parametersIssues(spec.parameters);
  if (parameters) issues.push(...parameters.issues);
  if (issues.length > 0) throw definitionError(input, issues);
  return {
    name: spec.name,
    version: spec.version ?? '1',
    description: spec.description ?? '',
    maxRecoveryAttempts: spec.maxRecoveryAttempts ?? DEFAULT_MAX_RECOVERY_ATTEMPTS,
    ...(parameters?.id ? { parameters: parameters.id } : {}),
    steps,
  };
};

const definitionError = (input: unknown, issues: ValidationIssue[]): WorkflowDefinitionError => {
  const name = (input as { name?: unknown } | null)?.name;
  const title = `Invalid workflow definition${typeof name === 'string' ? ` "${name}"` : ''}`;
  const lines = issues.map((i) => `  - ${i.path}: ${i.message} [${i.rule}]`);
  return new WorkflowDefinitionError([`${title}: ${issues.length} problem(s)`, ...lines].join('\n'), issues);
};

/** The definitions made by defineWorkflow: how state-machines/registry.ts tells them from other exports. */
const defined = new WeakSet<WorkflowDefinition>();

/** Validates at definition time, so a bad definition fails `cdk synth` with every problem listed. */
export const defineWorkflow = (spec: WorkflowSpec): WorkflowDefinition => {
  const definition = validateWorkflow(spec);
  defined.add(definition);
  return definition;
};

/** Whether a module's export is a definition made by defineWorkflow. */
export const isDefinedWorkflow = (value: unknown): value is WorkflowDefinition =>
  typeof value === 'object' && value !== null && defined.has(value as WorkflowDefinition);
