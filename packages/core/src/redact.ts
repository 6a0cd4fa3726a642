// Endpoints carry secrets: `https://user:token@collector/…` or `…/v1/traces?api_key=…`. Anything
// forkhooks prints, throws or counts goes through here first.

/** A URL with a scheme: scheme://, then user info up to the last '@' before the host, host and path, query, fragment. */
const URL_WITH_SCHEME = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*@)?([^\s?#"'<>]*)(\?[^\s#"'<>]*)?/gi;
/** User info with no scheme before it (`user:pass@host`, a value that is not a URL at all). */
const BARE_USER_INFO = /(^|[\s"'(=,])[^\s"'(=,@/]+:[^\s"'@/]*@/g;

/**
 * Removes the secrets a URL can hold from `text`, wherever URLs appear in it: user info becomes
 * `***@` and a query string becomes `?***` (kept as a marker, so the reader sees there was one).
 * Scheme, host, port and path stay: they are what a user needs to fix an endpoint.
 */
export function redactUrl(text: string): string {
  return text
    .replace(URL_WITH_SCHEME, (_all, scheme: string, userInfo: string | undefined, rest: string, query: string | undefined) => {
      return `${scheme}${userInfo ? '***@' : ''}${rest}${query ? '?***' : ''}`;
    })
    .replace(BARE_USER_INFO, (_all, before: string) => `${before}***@`);
}
