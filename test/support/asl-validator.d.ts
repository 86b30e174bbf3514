declare module 'asl-validator' {
  interface ValidationResult {
    readonly isValid: boolean;
    errorsText(separator?: string): string;
  }
  const validator: (
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ) => ValidationResult;
  export default validator;
}
