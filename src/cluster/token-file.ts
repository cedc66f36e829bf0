/**
 * A bearer token read from a file, as kubectl reads a user's `tokenFile` and a pod's service account token
 * (client-go transport/token_source.go NewCachedFileTokenSource): whitespace trimmed, kept for a minute, then read
 * again, so a token that rotates (projected service account tokens do, hourly) is picked up without a restart.
 */
import { readFileSync } from 'node:fs';

/** How long a token read from its file is used before the file is read again (client-go: one minute). */
const REREAD_MS = 60_000;

export class TokenFile {
  private token: string | undefined;
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(
    /** Absolute path of the file. */
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token, read again when the last read is a minute old; throws the file's error (the caller names it). */
  current(): string {
    const now = this.now();
    if (this.token === undefined || now - this.readAt >= REREAD_MS) {
      this.token = readFileSync(this.path, 'utf8').trim();
      this.readAt = now;
    }
    return this.token;
  }
}
