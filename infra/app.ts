import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { generatedFiles } from '../state-machines/catalog.js';
import { workflowDefinitions } from '../state-machines/registry.js';
import { versionProblems } from '../state-machines/versions.js';
import { buildApp } from './build-app.js';
import { addNagChecks } from './nag.js';
import { REPO_ROOT } from './repo-root.js';

// The runtime plans with the catalog, Step Functions runs the compiled definitions: they must agree.
for (const { path, text } of generatedFiles())
  if (readFileSync(resolve(REPO_ROOT, path), 'utf8') !== text)
    throw new Error(`${path} is out of date with state-machines/definitions: run npm run definitions`);

// A definition changed without a new version would change the runs of workflows created on it.
const problems = versionProblems(workflowDefinitions);
if (problems) throw new Error(problems);

const app = new App();
buildApp(app);
addNagChecks(app);
app.synth();
