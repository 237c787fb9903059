import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh pairing token: 144 random bits, URL-safe so it survives copy and paste. */
export function createPairingToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Shortest token `--token` accepts, so a guessable one is refused up front. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * True when `presented` equals `expected`, in time independent of where they differ. Both are hashed
 * first so their lengths match (`timingSafeEqual` needs that) and the length leaks nothing either.
 */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(sha256(expected), sha256(presented));
}

/** The token of an `Authorization: Bearer <token>` header, if that is what the header holds. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
