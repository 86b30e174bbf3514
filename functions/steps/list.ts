import { createStepHandler } from './create-step-handler.js';
import { listDataset } from './dataset/list.js';

export const handler = createStepHandler(listDataset);
