import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefinitionCatalog, type WorkflowDefinition } from '../functions/contract/definition.js';
import { DefinitionVersions } from '../functions/contract/definition-versions.js';

/*
 * Versions (README, "Versions"): a definition's `version` string names its steps and their
 * policies. The lock holds each recorded version's hash, so a changed definition that kept its
 * version fails `npm run definitions` and `cdk synth`; the runtime's copy of each version's
 * definition is functions/definitions/versions.json.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LOCK_PATH = 'state-machines/versions.lock.json';
export const VERSIONS_PATH = 'functions/definitions/versions.json';

/** name → { upgradeVersion, versions: version → hash } */
export type VersionLock = Record<string, { upgradeVersion: string; versions: Record<string, string> }>;

/** What a version pins: the steps and their policies (the description and parameters are not run). */
export const versionHash = (definition: WorkflowDefinition): string => {
  const [data] = DefinitionCatalog.parse([definition]) as [WorkflowDefinition];
  const { name, maxRecoveryAttempts, steps } = data;
  const text = JSON.stringify({ name, maxRecoveryAttempts, steps });
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
};

const readJson = (path: string, fallback: unknown): unknown =>
  existsSync(resolve(ROOT, path)) ? JSON.parse(readFileSync(resolve(ROOT, path), 'utf8')) : fallback;

export const readLock = (): VersionLock => readJson(LOCK_PATH, {}) as VersionLock;
export const readVersions = (): DefinitionVersions => DefinitionVersions.parse(readJson(VERSIONS_PATH, {}));

const changedWithoutBump = (d: WorkflowDefinition, lock: VersionLock): string | undefined => {
  const recorded = lock[d.name]?.versions[d.version];
  if (recorded === undefined || recorded === versionHash(d)) return undefined;
  return `definition "${d.name}" changed its steps or their policies but kept version "${d.version}" (recorded in ${LOCK_PATH}): give it a new version, then run npm run definitions`;
};

/**
 * The lock and the runtime's versions with the current definitions recorded: a new version is
 * added (the first one recorded for a definition is its upgrade version); a recorded version whose
 * definition changed is an error naming it.
 */
export const recordVersions = (
  definitions: readonly WorkflowDefinition[],
  lock: VersionLock = readLock(),
  versions: DefinitionVersions = readVersions(),
  /** Keep a recorded version whose definition changed as it was recorded (the local stack's loop). */
  options: { keepChanged?: boolean } = {},
): { lock: VersionLock; versions: DefinitionVersions } => {
  const problems = definitions.map((d) => changedWithoutBump(d, lock)).filter((p) => p !== undefined);
  if (problems.length > 0 && !options.keepChanged) throw new Error(problems.join('\n'));
  const nextLock: VersionLock = structuredClone(lock);
  const nextVersions: DefinitionVersions = structuredClone(versions);
  for (const definition of definitions) {
    const [data] = DefinitionCatalog.parse([definition]) as [WorkflowDefinition];
    const lockEntry = nextLock[data.name] ?? { upgradeVersion: data.version, versions: {} };
    lockEntry.versions[data.version] ??= versionHash(data);
    nextLock[data.name] = lockEntry;
    const entry = nextVersions[data.name] ?? { upgradeVersion: lockEntry.upgradeVersion, versions: {} };
    entry.versions[data.version] ??= data;
    nextVersions[data.name] = entry;
  }
  return { lock: nextLock, versions: nextVersions };
};

/**
 * Why synth must stop, or undefined: a definition whose version is not recorded, or changed under
 * a recorded version, or a runtime copy that disagrees with the lock.
 */
export const versionProblems = (
  definitions: readonly WorkflowDefinition[],
  lock: VersionLock = readLock(),
  versions: DefinitionVersions = readVersions(),
): string | undefined => {
  const problems: string[] = [];
  for (const d of definitions) {
    const changed = changedWithoutBump(d, lock);
    if (changed) problems.push(changed);
    else if (lock[d.name]?.versions[d.version] === undefined)
      problems.push(
        `definition "${d.name}" version "${d.version}" is not recorded in ${LOCK_PATH}: run npm run definitions`,
      );
  }
  for (const [name, entry] of Object.entries(lock))
    for (const [version, hash] of Object.entries(entry.versions)) {
      const data = versions[name]?.versions[version];
      if (!data || versionHash(data) !== hash || versions[name]?.upgradeVersion !== entry.upgradeVersion)
        problems.push(
          `${VERSIONS_PATH} disagrees with ${LOCK_PATH} on "${name}" version "${version}": run npm run definitions`,
        );
    }
  return problems.length > 0 ? problems.join('\n') : undefined;
};

/**
 * The recorded versions of one definition, oldest first, the current one last: the state machine
 * versions the stack publishes for it.
 */
export const recordedVersionsOf = (
  definition: WorkflowDefinition,
  versions: DefinitionVersions = readVersions(),
): WorkflowDefinition[] => {
  const recorded = Object.values(versions[definition.name]?.versions ?? {});
  return [...recorded.filter((d) => d.version !== definition.version), definition as WorkflowDefinition];
};

/**
 * What the local stack does before it synthesizes (as it rewrites the catalog): a new version is
 * recorded, so the template keeps the earlier one; a definition changed under its recorded version
 * is left to the local stack, which publishes it again (cdk synth refuses it). Returns what it wrote.
 */
export const recordVersionsLocally = (definitions: readonly WorkflowDefinition[]): string[] => {
  const { lock, versions } = recordVersions(definitions, readLock(), readVersions(), { keepChanged: true });
  const written: string[] = [];
  for (const [path, data] of [
    [LOCK_PATH, lock],
    [VERSIONS_PATH, versions],
  ] as const) {
    const text = `${JSON.stringify(data, null, 2)}\n`;
    const file = resolve(ROOT, path);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    writeFileSync(file, text);
    written.push(path);
  }
  return written;
};
