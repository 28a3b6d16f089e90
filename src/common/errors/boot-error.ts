/** A failure at startup whose message already tells the operator what to do; printed without a stack. */
export class BootError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BootError';
  }
}
