import { cleanup, configure } from '@testing-library/react';
import { EventSource } from 'eventsource';
import { afterEach } from 'vitest';

// msw's sse() refuses to build a handler where no global EventSource exists, as in Node 20.
globalThis.EventSource ??= EventSource as unknown as typeof globalThis.EventSource;

// Tell React this is a test environment, so that act() warnings mean something.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

// waitFor polls until its condition holds; on a loaded CI machine a stream can take longer than the
// default second to open or close. The condition, not the time, is what each test asserts.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
});
