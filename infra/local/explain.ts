/**
 * An error as a person reads it: a definition that does not validate is a list of its problems, not
 * a stack trace; anything else is its message.
 */
export const explain = (error: unknown): string => {
  const { name, message, issues } = error as { name?: string; message?: string; issues?: unknown };
  if (name === 'WorkflowDefinitionError' && Array.isArray(issues))
    return `invalid workflow definition:\n${issues.map((i: { path: string; message: string }) => `  - ${i.path}: ${i.message}`).join('\n')}`;
  return message ?? String(error);
};
