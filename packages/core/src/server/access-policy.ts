import type { IncomingMessage } from 'node:http';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type';
/** Response headers the UI may read across origins. */
const EXPOSED_HEADERS = 'X-Swinup-Job, X-Swinup-Width, X-Swinup-Height';

/** Why a request was refused before it reached a route. */
export interface Refusal {
  readonly code: 'FORBIDDEN_HOST' | 'FORBIDDEN_ORIGIN';
  readonly message: string;
}

/**
 * Refuses requests whose Host is not the server's own loopback name (a DNS-rebinding page would send
 * its own host name) and requests from browser origins other than `allowedOrigins`. Requests without
 * an Origin header come from scripts and tools, not web pages, and pass on to the token check.
 * `originRule` ends the refusal's message: `origin X may not use <originRule>`.
 */
export function refusalOf(
  req: IncomingMessage,
  port: number,
  allowedOrigins: readonly string[],
  originRule = 'this server',
): Refusal | undefined {
  const host = req.headers.host;
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return {
      code: 'FORBIDDEN_HOST',
      message: `requests must be addressed to localhost:${port} or 127.0.0.1:${port}, not ${host ?? 'no host'}`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins.includes(origin)) {
    return {
      code: 'FORBIDDEN_ORIGIN',
      message: `origin ${origin} may not use ${originRule}`,
    };
  }
  return undefined;
}

/**
 * CORS headers for an allowed origin, on every answer (a 401 must be readable too, so the UI can ask
 * for the token). A preflight that asks for Private Network Access (a public page reaching loopback)
 * is granted it.
 */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined) return {};
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    Vary: 'Origin',
  };
  if (req.method === 'OPTIONS') {
    headers['Access-Control-Allow-Methods'] = ALLOWED_METHODS;
    headers['Access-Control-Allow-Headers'] = ALLOWED_HEADERS;
    headers['Access-Control-Max-Age'] = '600';
    if (req.headers['access-control-request-private-network'] === 'true')
      headers['Access-Control-Allow-Private-Network'] = 'true';
  }
  return headers;
}
