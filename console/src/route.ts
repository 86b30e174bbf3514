import { useEffect, useState } from 'preact/hooks';

/*
 * Hash routes, so that both servers serve one index.html and every view has a link:
 * `#/` the list (its filters in the query: `#/?view=failed`), `#/workflows/<id>`, `#/definitions`,
 * `#/settings`.
 */

export type Route =
  | { readonly page: 'list'; readonly query: URLSearchParams }
  | { readonly page: 'workflow'; readonly id: string }
  | { readonly page: 'definitions' }
  | { readonly page: 'settings' };

export const parseRoute = (hash: string): Route => {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const workflow = /^\/workflows\/([^/]+)$/.exec(path);
  if (workflow?.[1]) return { page: 'workflow', id: decodeURIComponent(workflow[1]) };
  if (path === '/definitions') return { page: 'definitions' };
  if (path === '/settings') return { page: 'settings' };
  return { page: 'list', query: new URLSearchParams(query) };
};

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
};
