/**
 * A search read a page at a time over a scroll: one consistent view taken when reading starts, so
 * documents written or deleted while the pages are read neither shift the pages nor come back.
 * The scroll is cleared when reading ends, however it ends (the last page read, the reader gone).
 *
 * Scroll ids travel in the body (POST and DELETE `/_search/scroll`), never in the path: one grant
 * of that path covers every read, and no grant lets anyone clear every scroll (`_search/scroll/_all`).
 */
import { pathOf, type SearchTransport } from './search-transport';

export interface ScrolledSearch {
  readonly index: string;
  /** How long the scroll lives between two pages (`2m`): the time one page takes its reader. */
  readonly keepAlive: string;
  readonly querystring?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** The search body: its `size` is the page's. */
  readonly body: object;
}

interface ScrollPage<Hit> {
  readonly _scroll_id?: string;
  readonly hits?: { readonly hits?: Hit[] };
}

/** The hits of the search, page by page, until a page comes back empty. */
export async function* scrolledHits<Hit>(transport: SearchTransport, search: ScrolledSearch): AsyncGenerator<Hit[]> {
  let page = await transport.request<ScrollPage<Hit>>({
    method: 'POST',
    path: pathOf(search.index, '_search'),
    querystring: { ...search.querystring, scroll: search.keepAlive },
    body: search.body,
  });
  try {
    for (;;) {
      const hits = page.body.hits?.hits ?? [];
      if (hits.length === 0) return;
      yield hits;
      if (!page.body._scroll_id) return;
      page = await transport.request<ScrollPage<Hit>>({
        method: 'POST',
        path: '/_search/scroll',
        body: { scroll_id: page.body._scroll_id, scroll: search.keepAlive },
      });
    }
  } finally {
    const scrollId = page.body._scroll_id;
    if (scrollId)
      await transport.request({ method: 'DELETE', path: '/_search/scroll', body: { scroll_id: [scrollId] } }).catch(() => undefined);
  }
}
