import '@testing-library/jest-dom/vitest';

// jsdom has no ResizeObserver (Svelte's bind:clientHeight uses it).
class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}
(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= NoResize;
