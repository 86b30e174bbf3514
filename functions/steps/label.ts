import { createStepHandler } from './create-step-handler.js';
import { label } from './dataset/label.js';

export const handler = createStepHandler(label);
