/** console/build.js: the console's vite build (see there). */
export declare const CONSOLE_ROOT: string;
export declare const CONSOLE_DIST: string;
export declare const consoleIsCurrent: () => boolean;
export declare const buildConsole: () => Promise<void>;
export declare const ensureConsoleBuilt: () => Promise<void>;
