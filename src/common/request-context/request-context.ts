import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of one unit of work (an HTTP request, later a call) is tagged with. */
export interface RequestContextStore {
  requestId?: string;
  callId?: string;
  organizationId?: string;
}

const storage = new AsyncLocalStorage<RequestContextStore>();

export const RequestContext = {
  run<T>(store: RequestContextStore, fn: () => T): T {
    return storage.run(store, fn);
  },
  current(): RequestContextStore | undefined {
    return storage.getStore();
  },
  /** Adds fields (e.g. a call id once it is known) to the current context. */
  assign(fields: Partial<RequestContextStore>): void {
    const store = storage.getStore();
    if (store) Object.assign(store, fields);
  },
};
