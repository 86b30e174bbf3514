import { createStepHandler } from './create-step-handler.js';
import { download } from './dataset/download.js';

export const handler = createStepHandler(download);
