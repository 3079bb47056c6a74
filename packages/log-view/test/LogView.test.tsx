import type { LogEntry } from '@logs-sse/protocol';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LogView, type LogViewProps } from '../src';
import { entry } from './entries';

// jsdom lays nothing out: give every element the size of a 400 px high panel, so rows render.
const sizes = { clientHeight: 400, clientWidth: 600 };
beforeAll(() => {
  for (const [key, value] of Object.entries(sizes)) {
    Object.defineProperty(HTMLElement.prototype, key, { configurable: true, get: () => value });
  }
});
afterAll(() => {
  for (const key of Object.keys(sizes))
    delete (HTMLElement.prototype as unknown as Record<string, unknown>)[key];
});

function view(props: LogViewProps) {
  const result = render(
    <StrictMode>
      <LogView {...props} />
    </StrictMode>,
  );
  return {
    ...result,
    update: (next: Partial<LogViewProps>) =>
      result.rerender(
        <StrictMode>
          <LogView {...props} {...next} />
        </StrictMode>,
      ),
  };
}

const rows = () => screen.queryAllByText((_, element) => element?.hasAttribute('data-log-id') ?? false);
const messages = () => rows().map((row) => row.querySelector('.lv-message')?.textContent);

describe('LogView', () => {
  it('renders rows with their cursor, level and message as text', () => {
    view({ logs: [entry('<b>bold?</b>', { level: 'warn' }), entry('second')] });
    expect(messages()).toEqual(['<b>bold?</b>', 'second']);
    expect(rows()[0]!.getAttribute('data-level')).toBe('warn');
    expect(rows()[0]!.querySelector('b')).toBeNull();
  });

  it('renders ANSI colours as styled spans and no escape code', () => {
    view({ logs: [entry('\x1b[1;31mFAILED\x1b[0m 3 tests')] });
    const message = rows()[0]!.querySelector('.lv-message')!;
    expect(message.textContent).toBe('FAILED 3 tests');
    const span = message.querySelector('span')!;
    expect(span.textContent).toBe('FAILED');
    expect(span.style.color).toBe('var(--lv-ansi-1)');
    expect(span.style.fontWeight).toBe('bold');
  });

  it('highlights matches, counts them, steps through them and can show only matching rows', () => {
    view({ logs: [entry('needle one'), entry('hay'), entry('Needle and needle')] });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'needle' } });
    expect(screen.getByText('3 matches')).toBeTruthy();
    expect(document.querySelectorAll('mark')).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(screen.getByText('2 of 3')).toBeTruthy();
    expect(document.querySelector('mark.lv-current')!.textContent).toBe('Needle');
    fireEvent.click(screen.getByRole('button', { name: 'Previous match' }));
    expect(screen.getByText('1 of 3')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Only matches' }));
    expect(messages()).toEqual(['needle one', 'Needle and needle']);
  });

  it('filters by level', () => {
    view({ logs: [entry('a', { level: 'debug' }), entry('b', { level: 'error' })] });
    fireEvent.change(screen.getByLabelText('Lowest level'), { target: { value: 'warn' } });
    expect(messages()).toEqual(['b']);
  });

  it('collapses a long stack trace and expands it on request', () => {
    const trace = ['Error: boom', ...Array.from({ length: 8 }, (_, i) => `    at f${i} (a.js:${i}:1)`)].join(
      '\n',
    );
    view({ logs: [entry(trace)], collapseAfter: 3 });
    const message = () => rows()[0]!.querySelector('.lv-message')!.textContent!;
    expect(message().split('\n')).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'show 6 more lines' }));
    expect(message()).toBe(trace);
    expect(screen.getByRole('button', { name: 'show less' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('shows a badge per row when several channels are shown', () => {
    view({
      logs: [entry('a', { channel: 'logs:etl:demo:r1' }), entry('b', { channel: 'logs:api:demo:gw' })],
    });
    expect(rows().map((row) => row.querySelector('.lv-badge')?.textContent)).toEqual(['etl/r1', 'api/gw']);
  });

  it('shows all fields of a clicked row, and closes them with Escape', () => {
    view({ logs: [entry('hello', { requestId: 'r-7', attempt: 2 })] });
    fireEvent.click(rows()[0]!);
    const details = screen.getByRole('region', { name: 'Entry details' });
    expect(within(details).getByText('r-7')).toBeTruthy();
    expect(within(details).getByText('2')).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('log'), { key: 'Escape' });
    expect(screen.queryByRole('region', { name: 'Entry details' })).toBeNull();
  });

  it('freezes the rows while paused and counts what arrived behind them', () => {
    const first = [entry('1'), entry('2')];
    const { update } = view({ logs: first });
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    update({ logs: [...first, entry('3'), entry('4')] });
    expect(messages()).toEqual(['1', '2']);
    fireEvent.click(screen.getByRole('button', { name: 'Resume (2 new)' }));
    expect(messages()).toEqual(['1', '2', '3', '4']);
  });

  it('shows phase, progress and connection in the header', () => {
    view({
      logs: [],
      connectionStatus: 'open',
      status: { phase: 'load', progress: 40 },
      done: false,
      title: 'ETL',
    });
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('40');
    expect(screen.getByText('open')).toBeTruthy();
    expect(screen.getByText('No logs yet.')).toBeTruthy();
  });
});

describe('announcements', () => {
  it('summarises new entries at most once per interval, not once per entry', () => {
    vi.useFakeTimers();
    try {
      let logs: LogEntry[] = [entry('old')];
      const { update } = view({ logs, announceEveryMs: 5000 });
      const status = screen.getByRole('status');
      for (let i = 0; i < 10; i++) {
        logs = [...logs, entry(`new ${i}`, { level: i < 2 ? 'error' : 'info' })];
        update({ logs });
        act(() => vi.advanceTimersByTime(100));
      }
      expect(status.textContent).toBe('10 new entries, 2 errors');
      logs = [...logs, entry('later')];
      update({ logs });
      act(() => vi.advanceTimersByTime(4000));
      expect(status.textContent).toBe('10 new entries, 2 errors');
      act(() => vi.advanceTimersByTime(1000));
      expect(status.textContent).toBe('1 new entry');
    } finally {
      vi.useRealTimers();
    }
  });
});
