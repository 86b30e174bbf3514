import { createStepHandler } from './create-step-handler.js';
import { packageDataset } from './dataset/package.js';

export const handler = createStepHandler(packageDataset);
