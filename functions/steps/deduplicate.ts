import { createStepHandler } from './create-step-handler.js';
import { deduplicate } from './dataset/deduplicate.js';

export const handler = createStepHandler(deduplicate);
