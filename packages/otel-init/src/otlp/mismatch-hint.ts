import type { OtlpTransport } from './protocol';
import type * as Mismatch from './protocol-mismatch';

/**
 * The advice of protocol-mismatch.ts for a failed export, the first time one applies, then never
 * again (each signal's failure line carries it once per process: a wrong protocol never recovers,
 * and one line with the fix is enough). protocol-mismatch.ts is loaded on the first failure only:
 * nothing on the start-up path.
 */
export function mismatchHintOnce(config: Pick<OtlpTransport, 'protocol' | 'protocolSetting'>): (error: Error | undefined) => string | undefined {
  let hinted = false;
  return (error) => {
    if (hinted) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { protocolMismatchHint } = require('./protocol-mismatch') as typeof Mismatch;
    const hint = protocolMismatchHint(config, error);
    if (hint) hinted = true;
    return hint;
  };
}
