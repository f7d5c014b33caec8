/**
 * How the adapters talk to OpenSearch: one typed call, `request({ method, path, querystring,
 * body | bulkBody })`, over the official client's Transport (its connections, timeouts, errors:
 * a 4xx or 5xx rejects with a `ResponseError` carrying `meta.statusCode` and the parsed `body`).
 * connect.ts builds it from the transport alone, as the function bundles it; a full client's
 * transport serves as well (`overTransport(client.transport)`).
 */
import type Transport from '@opensearch-project/opensearch/lib/Transport.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

export interface SearchRequest {
  readonly method: HttpMethod;
  /** From the root, its names encoded: see pathOf. */
  readonly path: string;
  /** Lists are sent comma-separated. */
  readonly querystring?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** JSON: an object is serialized, a string sent as it is. */
  readonly body?: object | string;
  /** NDJSON (`_bulk`): a string sent as it is, or objects one per line. */
  readonly bulkBody?: string | readonly object[];
}

export interface SearchResponse<Body> {
  readonly statusCode: number;
  /** Parsed JSON; for HEAD, whether the answer was 2xx; with `asStream`, the body unread. */
  readonly body: Body;
}

export interface RequestOptions {
  /** The body as a readable stream, for a parse of its own (every digit of every number). */
  readonly asStream?: boolean;
}

export interface SearchTransport {
  request<Body = any>(request: SearchRequest, options?: RequestOptions): Promise<SearchResponse<Body>>;
  /** Closes its connections. */
  close(): Promise<void>;
}

export function overTransport(transport: Transport): SearchTransport {
  return {
    async request(request, options = {}) {
      // Copies: the client's transport writes the serialized body and query string into what it is given.
      const response = await transport.request({ ...request, querystring: { ...request.querystring } } as never, { ...options });
      return { statusCode: response.statusCode ?? 0, body: response.body };
    },
    close: () => new Promise((resolve) => transport.connectionPool.empty(resolve)),
  };
}

/** The HTTP status of a refused request (a ResponseError's `meta.statusCode`); undefined when none came back (unreachable, timed out). */
export function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number | null } } | undefined)?.meta?.statusCode ?? undefined;
}

/** A path from its parts, each encoded: `pathOf('mirror', '_doc', 'a/b')` is `/mirror/_doc/a%2Fb`. */
export function pathOf(...parts: string[]): string {
  return parts.map((part) => `/${encodeURIComponent(part)}`).join('');
}

/** Whether the path answers 2xx to HEAD: an index (`/<name>`), an alias (`/_alias/<name>`). */
export async function exists(transport: SearchTransport, path: string): Promise<boolean> {
  return (await transport.request<boolean>({ method: 'HEAD', path })).body;
}
