import { randomBytes } from 'node:crypto';

/**
 * The stand-in's one account and its sessions, as a PDS keeps them: createSession hands out an access
 * token (short-lived) and a refresh token; refreshSession trades the refresh token for a new pair and
 * revokes the old one. Lifetimes are real time. Tokens are opaque here; clients must not read them.
 */
export interface SessionAccount {
  did: string;
  handle: string;
  appPassword: string;
}

export type TokenCheck =
  | { ok: true; did: string }
  | { ok: false; error: 'ExpiredToken' | 'InvalidToken'; message: string };

export class SessionStore {
  readonly #access = new Map<string, number>();
  readonly #refresh = new Map<string, number>();
  readonly #revoked = new Set<string>();
  created = 0;
  refreshed = 0;

  constructor(
    readonly account: SessionAccount,
    readonly accessTtlMs: number,
    readonly refreshTtlMs: number,
    readonly realNow: () => number,
  ) {}

  /** Whether `identifier` (handle or DID, any case) and password are the account's. */
  accepts(identifier: string, password: string): boolean {
    const id = identifier.toLowerCase().replace(/^@/, '');
    return (id === this.account.handle || id === this.account.did) && password === this.account.appPassword;
  }

  create(): { accessJwt: string; refreshJwt: string } {
    this.created++;
    return this.#issue();
  }

  refresh(refreshJwt: string): TokenCheck | { ok: true; tokens: { accessJwt: string; refreshJwt: string } } {
    const check = this.#check(this.#refresh, refreshJwt);
    if (!check.ok) return check;
    this.#refresh.delete(refreshJwt);
    this.#revoked.add(refreshJwt);
    this.refreshed++;
    return { ok: true, tokens: this.#issue() };
  }

  checkAccess(accessJwt: string): TokenCheck {
    return this.#check(this.#access, accessJwt);
  }

  checkRefresh(refreshJwt: string): TokenCheck {
    return this.#check(this.#refresh, refreshJwt);
  }

  /** Every access token expires now (tests: the next search must refresh). */
  expireAccess(): void {
    for (const token of this.#access.keys()) this.#access.set(token, 0);
  }

  /** Every token expires now (tests: the client must make a new session). */
  expireAll(): void {
    this.expireAccess();
    for (const token of this.#refresh.keys()) this.#refresh.set(token, 0);
  }

  #issue() {
    const now = this.realNow();
    const accessJwt = `sim-access-${randomBytes(18).toString('hex')}`;
    const refreshJwt = `sim-refresh-${randomBytes(18).toString('hex')}`;
    this.#access.set(accessJwt, now + this.accessTtlMs);
    this.#refresh.set(refreshJwt, now + this.refreshTtlMs);
    return { accessJwt, refreshJwt };
  }

  #check(tokens: Map<string, number>, token: string): TokenCheck {
    if (this.#revoked.has(token))
      return { ok: false, error: 'ExpiredToken', message: 'Token has been revoked' };
    const expires = tokens.get(token);
    if (expires === undefined)
      return { ok: false, error: 'InvalidToken', message: 'Token could not be verified' };
    if (expires <= this.realNow()) return { ok: false, error: 'ExpiredToken', message: 'Token has expired' };
    return { ok: true, did: this.account.did };
  }
}
