import { createHash, timingSafeEqual } from 'node:crypto';

/** Who an api key belongs to. The id is derived from the key and reveals nothing of it. */
export interface ApiIdentity {
  userId: string;
}

/**
 * The configured api keys. A presented key is hashed and compared with every configured key's
 * hash in constant time, so neither the comparison nor an early exit tells how much of a key was
 * right; keys are never kept in logs or stats, only their hashes here.
 */
export class ApiKeyStore {
  readonly #digests: { digest: Buffer; userId: string }[];

  constructor(keys: readonly string[]) {
    this.#digests = keys.map((key) => {
      const digest = sha256(key);
      return { digest, userId: `user-${digest.toString('hex').slice(0, 12)}` };
    });
  }

  get size(): number {
    return this.#digests.length;
  }

  /** The identity of `key`, or undefined when it is not a configured key. */
  identify(key: string): ApiIdentity | undefined {
    const presented = sha256(key);
    let match: ApiIdentity | undefined;
    // No early exit: every configured key is compared whatever matched.
    for (const { digest, userId } of this.#digests) {
      if (timingSafeEqual(digest, presented)) match = { userId };
    }
    return match;
  }
}

/** Constant-time check of an admin token; always false when admin access is disabled (`expected` null). */
export function isAdminToken(expected: string | null, presented: unknown): boolean {
  if (expected === null || typeof presented !== 'string' || presented.length === 0) return false;
  return timingSafeEqual(sha256(expected), sha256(presented));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
