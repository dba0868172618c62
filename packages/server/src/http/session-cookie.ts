import type { FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth/authenticate.js';

/** The session secret the request carries, if any. */
export function sessionSecretOf(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * HttpOnly keeps scripts (and so XSS) away from the secret; SameSite=Strict keeps other sites
 * from sending it, with the CSRF header as the second line; Secure whenever we can tell the
 * connection is (or, behind a TLS-terminating proxy, is configured as) https.
 */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export const isSecureRequest = (req: FastifyRequest, forced: boolean) => forced || req.protocol === 'https';
