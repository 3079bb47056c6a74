import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Tell React this is a test environment, so that act() warnings mean something.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanup();
});
