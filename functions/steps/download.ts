import { downloadItem } from './dataset/download-item.js';
import { createItemHandler } from './for-each/create-item-handler.js';

export const handler = createItemHandler(downloadItem);
