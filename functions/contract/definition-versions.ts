import * as z from 'zod/mini';
import { WorkflowDefinition } from './definition.js';

/*
 * Every recorded version of every shipped definition, as data: `npm run definitions` appends the
 * current versions to `functions/definitions/versions.json` and the runtime reads it, so a workflow
 * keeps the step list of the version it was created with (docs/architecture.md, "Layers").
 */

export const DefinitionVersions = z.record(
  z.string(),
  z.object({
    /**
     * The version that was current when versions were first recorded: a workflow whose recorded
     * version is not one of `versions` (created before versions were recorded) runs on it.
     */
    upgradeVersion: z.string(),
    /** Each recorded version's definition, by version string, in the order they were recorded. */
    versions: z.record(z.string(), WorkflowDefinition),
  }),
);
export type DefinitionVersions = z.infer<typeof DefinitionVersions>;

/** Definition name → version → the ARN of that version's state machine (a Step Functions version). */
export const VersionArns = z.record(z.string(), z.record(z.string(), z.string()));
export type VersionArns = z.infer<typeof VersionArns>;

/**
 * The version a workflow runs on: the one it recorded, else (recorded before versions were) the
 * version current at the upgrade. Undefined when the definition has no recorded version at all.
 */
export const versionToRun = (
  versions: DefinitionVersions,
  definitionName: string,
  recorded: string | undefined,
): string | undefined => {
  const entry = versions[definitionName];
  if (!entry) return undefined;
  return recorded !== undefined && recorded in entry.versions ? recorded : entry.upgradeVersion;
};
