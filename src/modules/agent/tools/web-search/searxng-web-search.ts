import { ExternalProviderError } from '../../../../common/errors/domain-error';
import type { ProviderPolicy } from '../../../../common/resilience/provider-policy';
import { WebResult, WebSearch } from './web-search';

interface SearxngResponse {
  results?: { title?: unknown; url?: unknown; content?: unknown }[];
}

/** A self-hosted SearXNG instance (its JSON output must be enabled), or anything answering its format. */
export class SearxngWebSearch extends WebSearch {
  readonly name = 'searxng';

  constructor(
    private readonly endpoint: string,
    private readonly policy: ProviderPolicy,
  ) {
    super();
  }

  async search(
    query: string,
    options: { limit: number; signal?: AbortSignal },
  ): Promise<WebResult[]> {
    const url = new URL(this.endpoint);
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    const body = await this.policy.execute(
      async ({ signal }) => {
        const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
        if (!response.ok) {
          throw Object.assign(new Error(`search answered HTTP ${response.status}`), {
            status: response.status,
          });
        }
        return (await response.json()) as SearxngResponse;
      },
      { signal: options.signal },
    );
    if (!Array.isArray(body.results)) {
      throw new ExternalProviderError('web-search', 'search answered without a results list');
    }
    return body.results
      .filter((result) => typeof result.url === 'string')
      .slice(0, options.limit)
      .map((result) => ({
        title: typeof result.title === 'string' ? result.title : '',
        url: String(result.url),
        snippet: typeof result.content === 'string' ? result.content.slice(0, 500) : '',
      }));
  }
}
