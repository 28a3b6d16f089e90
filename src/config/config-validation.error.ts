export interface ConfigIssue {
  variable: string;
  message: string;
  received: string | undefined;
}

/** Raised at boot when the environment is invalid; its message names every bad variable and why. */
export class ConfigValidationError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      [
        `Invalid configuration: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the environment.`,
        ...issues.map((issue) => `  - ${issue.variable}: ${issue.message}${describe(issue)}`),
        'See .env.example or docs/configuration.md for every variable and its default.',
      ].join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

function describe(issue: ConfigIssue): string {
  if (issue.received === undefined) return '';
  // Never echo values that may be secrets; their length is enough to spot an empty or truncated value.
  return /SECRET|TOKEN|KEY|DSN|PASSWORD|URL/.test(issue.variable)
    ? ` (got ${issue.received.length} characters)`
    : ` (got "${issue.received}")`;
}
