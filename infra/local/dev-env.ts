// Imported first by the local stack's entry point: modules read these when they load.
// Readable logs for a person (Powertools dev mode); warnings and errors only unless asked.
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
