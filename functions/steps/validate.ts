import { validateItem } from './dataset/validate-item.js';
import { createItemHandler } from './for-each/create-item-handler.js';

export const handler = createItemHandler(validateItem);
