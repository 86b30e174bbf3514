// Imported first by the local stack's entry point: modules read these when they load.
// Logs for a person: one line per event (functions/shared/log-line.ts; `LOG_FORMAT=json` for
// Powertools' JSON), warnings and errors only unless asked. Dev mode keeps EMF metrics off the screen.
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.LOG_FORMAT ??= 'line';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
