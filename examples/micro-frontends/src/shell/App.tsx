import { LogsSSEProvider } from '@logs-sse/react';
import { AllView } from '../all/AllView';
import { CheckoutPanel } from '../checkout/CheckoutPanel';
import { GATEWAY_URL, WORKSPACE } from '../config';
import { EtlPanel } from '../etl/EtlPanel';
import { FunctionsPanel } from '../functions/FunctionsPanel';
import { ValidatorPanel } from '../validator/ValidatorPanel';
import { WorkflowPanel } from '../workflow/WorkflowPanel';
import { WorkflowView } from '../workflow/WorkflowView';
import { ConnectionBadge } from './ConnectionBadge';
import { type Route, useHashRoute } from './useHashRoute';

const LINKS: Array<[Route, string]> = [
  ['/', 'Overview'],
  ['/etl', 'ETL'],
  ['/workflow', 'Workflow'],
  ['/functions', 'Functions'],
  ['/validator', 'Validator'],
  ['/checkout', 'Checkout'],
  ['/all', 'All'],
];

/**
 * The shell: one provider (one connection) for every micro frontend, a navigation bar and the routes.
 * Panels know nothing of each other; each subscribes to its own channel through `useLogsSSE`.
 */
export function App() {
  const route = useHashRoute();
  return (
    <LogsSSEProvider gatewayUrl={GATEWAY_URL} bufferSize={10_000} persistence="session">
      <header className="topbar">
        <strong>logs-sse</strong>
        <nav>
          {LINKS.map(([path, label]) => (
            <a key={path} href={`#${path}`} aria-current={route === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span className="workspace">workspace {WORKSPACE}</span>
        <ConnectionBadge />
      </header>
      <main className={route === '/' ? 'grid' : 'single'}>
        {route === '/' && (
          <>
            <EtlPanel />
            <WorkflowPanel />
            <FunctionsPanel />
            <ValidatorPanel />
            <CheckoutPanel />
          </>
        )}
        {route === '/etl' && <EtlPanel tall />}
        {route === '/workflow' && <WorkflowView />}
        {route === '/functions' && <FunctionsPanel tall />}
        {route === '/validator' && <ValidatorPanel tall />}
        {route === '/checkout' && <CheckoutPanel tall />}
        {route === '/all' && <AllView />}
      </main>
    </LogsSSEProvider>
  );
}
