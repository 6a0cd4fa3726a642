// Which decorator mode this copy of the specs was compiled in (the same file runs in both projects).
/** 'legacy' under experimentalDecorators, 'standard' under TC39 decorators. */
export function decoratorMode(): 'legacy' | 'standard' {
  let seen = 0;
  const probe = (...args: unknown[]): void => {
    seen = args.length;
  };
  class Probe {
    @probe
    method(): void {}
  }
  void Probe;
  // Legacy passes (target, key, descriptor); standard passes (value, context).
  return seen === 3 ? 'legacy' : 'standard';
}
