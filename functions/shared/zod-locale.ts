import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/*
 * zod/mini loads no locale: without one, every issue's message is "Invalid input", and the API's
 * 400s (and every other message built from a zod issue) read their messages. English only, once per
 * process: importing this module first is enough, as the configuration is zod's global one. Not
 * `z.locales`: that is every locale, ~250 KB of a bundle.
 */
z.config(en());
