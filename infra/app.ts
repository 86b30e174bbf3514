import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';
import { addNagChecks } from './nag.js';

const app = new App();
buildApp(app);
addNagChecks(app);
app.synth();
