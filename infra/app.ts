import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CATALOG_PATH, renderCatalog } from '../state-machines/catalog.js';
import { buildApp } from './build-app.js';
import { addNagChecks } from './nag.js';
import { REPO_ROOT } from './repo-root.js';

// The runtime plans with the catalog, Step Functions runs the compiled definitions: they must agree.
if (readFileSync(resolve(REPO_ROOT, CATALOG_PATH), 'utf8') !== renderCatalog())
  throw new Error(`${CATALOG_PATH} is out of date with state-machines/definitions: run npm run definitions`);

const app = new App();
buildApp(app);
addNagChecks(app);
app.synth();
