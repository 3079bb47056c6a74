import { useSyncExternalStore } from 'react';

/** The routes of the app: the start page, one view per micro frontend, and all of them in one view. */
export const ROUTES = ['/', '/etl', '/workflow', '/functions', '/validator', '/checkout', '/all'] as const;
export type Route = (typeof ROUTES)[number];

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentRoute(): Route {
  const path = window.location.hash.replace(/^#/, '') || '/';
  return (ROUTES as readonly string[]).includes(path) ? (path as Route) : '/';
}

/** The route in the URL's hash (`#/etl`), so that a static server needs no fallback for deep links. */
export function useHashRoute(): Route {
  return useSyncExternalStore(subscribe, currentRoute, () => '/');
}
