import { createStepHandler } from './create-step-handler.js';
import { validate } from './dataset/validate.js';

export const handler = createStepHandler(validate);
