export interface WebResult {
  title: string;
  url: string;
  snippet: string;
}

/** Searches the web for the `web_search` tool. No default adapter: the tool is off unless one is configured. */
export abstract class WebSearch {
  abstract readonly name: string;
  abstract search(
    query: string,
    options: { limit: number; signal?: AbortSignal },
  ): Promise<WebResult[]>;
}

/** Injection token of the optional web search (null when WEB_SEARCH_URL is unset). */
export const WEB_SEARCH = Symbol('WEB_SEARCH');
