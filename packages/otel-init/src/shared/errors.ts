import { redactUrl } from '@forkhooks/core';
import { OtelErrorCodes } from './codes';

/** A tracing setting (an option or an OTEL_* variable) that would silently send spans nowhere. */
export class TracingConfigError extends Error {
  override name = 'TracingConfigError';
  readonly code = OtelErrorCodes.CONFIG;

  constructor(
    /** The option or environment variable at fault. */
    readonly setting: string,
    message: string,
  ) {
    // The value may be an endpoint with user info or an API key in its query: never print those.
    super(redactUrl(`${setting}: ${message}`));
  }
}
