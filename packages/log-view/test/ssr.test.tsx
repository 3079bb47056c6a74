// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LogView } from '../src';
import { entry } from './entries';

describe('server rendering', () => {
  it('renders the shell, with the counts and controls but no rows', () => {
    const html = renderToString(
      <LogView logs={[entry('one'), entry('two')]} title="Build" channel="logs:ci:acme:42" />,
    );
    expect(html).toContain('data-channel="logs:ci:acme:42"');
    expect(html).toContain('data-count="2"');
    expect(html).toContain('role="log"');
    expect(html).not.toContain('data-log-id');
  });
});
