import type { ReceivedSpan } from '@forkhooks/receiver';

/**
 * Asserts `count` http server spans and `count` spans named `manual`, each the child of a server
 * span of the same trace and process; returns the server spans.
 */
export function expectManualUnderServer(spans: ReceivedSpan[], count: number): ReceivedSpan[] {
  const server = spans.filter((s) => s.kind === 'server');
  const manual = spans.filter((s) => s.name === 'manual');
  expect(server).toHaveLength(count);
  expect(manual).toHaveLength(count);
  for (const span of manual) {
    const parent = server.find((s) => s.spanId === span.parentSpanId);
    expect(parent?.traceId).toBe(span.traceId);
    expect(parent?.resource['process.pid']).toBe(span.resource['process.pid']);
  }
  return server;
}
