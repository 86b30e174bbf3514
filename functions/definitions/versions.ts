import { DefinitionVersions } from '../contract/definition-versions.js';
import versions from './versions.json' with { type: 'json' };

/**
 * Every recorded version of the shipped definitions, as data `npm run definitions` generates from
 * the lock (state-machines/versions.lock.json): a workflow runs the step list of its version.
 */
export const definitionVersions: DefinitionVersions = DefinitionVersions.parse(versions);
