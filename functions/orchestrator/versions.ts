import type { WorkflowDefinition } from '../contract/definition.js';
import { type DefinitionVersions, type VersionArns, versionToRun } from '../contract/definition-versions.js';
import { ValidationError } from '../domain/errors.js';

/**
 * Which definition version and which state machine a workflow uses (README, "Versions"): the
 * version it recorded at create, else (a record from before versions) the one current at the
 * upgrade; its runs start on that version's Step Functions version.
 */
export class DefinitionVersionMap {
  constructor(
    private readonly versions: DefinitionVersions,
    private readonly served: ReadonlyMap<string, WorkflowDefinition>,
    private readonly arns: VersionArns | undefined,
  ) {}

  /** The definition a create uses: the current one, or the version it pins (unknown → 400 naming the field). */
  forCreate(current: WorkflowDefinition, pinned: string | undefined): WorkflowDefinition {
    if (pinned === undefined || pinned === current.version) return current;
    const definition = this.versions[current.name]?.versions[pinned];
    if (definition && (!this.arns || this.arns[current.name]?.[pinned])) return definition;
    const known = this.versionsOf(current).map((d) => d.version);
    const message = `definitionVersion must be one of the versions of ${current.name}: ${known.join(', ')}`;
    throw new ValidationError(message, [{ path: 'definitionVersion', rule: 'known-version', message }]);
  }

  /** The step list a workflow of this definition and recorded version runs. */
  definitionOf(name: string, recorded: string | undefined): WorkflowDefinition | undefined {
    const current = this.served.get(name);
    if (current && current.version === recorded) return current;
    const version = versionToRun(this.versions, name, recorded);
    return (version !== undefined ? this.versions[name]?.versions[version] : undefined) ?? current;
  }

  /** The Step Functions version a run of this workflow starts on; undefined: none published (the latest runs). */
  arnOf(name: string, recorded: string | undefined): string | undefined {
    const byVersion = this.arns?.[name];
    if (!byVersion) return undefined;
    if (recorded !== undefined && byVersion[recorded]) return byVersion[recorded];
    const version = versionToRun(this.versions, name, recorded);
    return version !== undefined ? byVersion[version] : undefined;
  }

  /** Every version of a served definition this stack runs, oldest first, the current one last. */
  versionsOf(current: WorkflowDefinition): WorkflowDefinition[] {
    const older = Object.values(this.versions[current.name]?.versions ?? {}).filter(
      (d) => d.version !== current.version && (!this.arns || this.arns[current.name]?.[d.version]),
    );
    return [...older, current];
  }
}
