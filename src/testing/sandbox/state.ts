import { argumentError, optionalNumber, requireObject, requireString } from '../../internal/args';
// The sandbox's world: applications and their access tokens, Links, link codes, credentials and
// the lifecycle of each credential's first extraction. Everything is in memory; `reset()` on the
// sandbox replaces the whole state object.

import type { Labels } from './aggregation-v2';
import { ENTITIES, type Entity } from './catalog';
import type { SessionRecord } from './connect';
import { type BankData, generateBankData } from './data';
import { TokenSource } from './random';
import type { ReportRecord } from './reports';
import {
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  type SandboxClient,
  type SandboxLink,
  type SandboxOptions,
} from './types';

export interface SandboxConfig {
  clients: SandboxClient[];
  apiBaseUrl: string;
  linkBaseUrl: string;
  defaultRedirectUri: string;
  pendingPolls: number;
  pendingMs: number | undefined;
  clock: () => number;
  tokenTtlSeconds: number;
  seed: number | undefined;
  pageSize: number;
  statusTransactionKey: 'transaction' | 'transactions';
}

function count(name: string, value: number | undefined, fallback: number, min = 0): number {
  const resolved = value ?? fallback;
  return optionalNumber(resolved, `options.${name}`, { min, integer: true }) as number;
}

function baseUrl(name: string, value: string): string {
  try {
    return new URL(value).href.replace(/\/+$/, '');
  } catch {
    throw argumentError(`options.${name}`, 'is not an absolute URL.');
  }
}

export function resolveConfig(options: SandboxOptions): SandboxConfig {
  requireObject(options, 'options');
  const clients = options.clients ?? [{ clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET }];
  if (!Array.isArray(clients) || clients.length === 0) {
    throw argumentError('options.clients', 'must be a non-empty array of { clientId, clientSecret }.');
  }
  clients.forEach((c, i) => {
    requireString(c?.clientId, `options.clients.${i}.clientId`);
    requireString(c?.clientSecret, `options.clients.${i}.clientSecret`);
  });
  if (new Set(clients.map((c) => c.clientId)).size !== clients.length) {
    throw argumentError('options.clients', 'has a duplicated clientId.');
  }
  return {
    clients: clients.map((c) => ({ ...c })),
    apiBaseUrl: baseUrl('apiBaseUrl', options.apiBaseUrl ?? 'https://api.flanks.io'),
    linkBaseUrl: baseUrl('linkBaseUrl', options.linkBaseUrl ?? 'https://platform.flanks.io/link'),
    defaultRedirectUri: options.defaultRedirectUri ?? 'http://localhost:3000/flanks/callback',
    pendingPolls: count('pendingPolls', options.pendingPolls, 2),
    pendingMs: options.pendingMs === undefined ? undefined : count('pendingMs', options.pendingMs, 0),
    clock: options.clock ?? Date.now,
    tokenTtlSeconds: count('tokenTtlSeconds', options.tokenTtlSeconds, 3600, 1),
    seed: options.seed,
    pageSize: count('pageSize', options.pageSize, 20, 1),
    statusTransactionKey: options.statusTransactionKey ?? 'transactions',
  };
}

const PRODUCT_KEYS = ['auth', 'account', 'card', 'portfolio', 'investment', 'liability', 'holders'] as const;
const TRANSACTION_KEYS = ['account', 'card', 'investment', 'liability'] as const;
export type ProductKey = (typeof PRODUCT_KEYS)[number];
export type TransactionKey = (typeof TRANSACTION_KEYS)[number];
export type ExtractionStep = `product.${ProductKey}` | `transactions.${TransactionKey}`;

/** The order `created.*` flags turn true while a credential is pending: identity and products first. */
const EXTRACTION_ORDER: readonly ExtractionStep[] = [
  'product.auth',
  'product.account',
  'product.portfolio',
  'product.holders',
  'product.investment',
  'product.card',
  'product.liability',
  'transactions.account',
  'transactions.investment',
  'transactions.card',
  'transactions.liability',
];

export interface LinkRecord {
  token: string;
  clientId: string;
  name: string | null;
  redirectUri: string;
  companyName: string | null;
  termsUrl: string | null;
  privacyUrl: string | null;
  active: boolean;
}

export interface CodeRecord {
  code: string;
  clientId: string;
  linkToken: string;
  credentialsToken: string;
  extra: Record<string, string>;
  /** Exchange answers 202 instead of the token (the `SANDBOX_DELAYED` password). */
  delayed: boolean;
}

/** The first extraction runs for `length` polls, or `length` ms, counted from `from`. */
interface Extraction {
  unit: 'polls' | 'ms';
  from: number;
  length: number;
  startedAtMs: number;
}

export interface CredentialBehaviour {
  failingSteps: ReadonlySet<ExtractionStep>;
  blockWhenSettled: boolean;
  /** The bank asks for SCA again (an `sca_token`) once the extraction ends. */
  scaWhenSettled: boolean;
}

export interface CredentialRecord extends CredentialBehaviour {
  token: string;
  clientId: string;
  bank: string;
  username: string;
  externalId: string | null;
  linkToken: string | null;
  createdAtMs: number;
  polls: number;
  extraction: Extraction;
  settledAtMs: number | null;
  blocked: boolean;
  resetToken: string | null;
  scaToken: string | null;
  transactionToken: string | null;
  data: BankData | undefined;
}

export interface CredentialSnapshot {
  pending: boolean;
  created: ReadonlySet<ExtractionStep>;
}

export interface NewCredential extends CredentialBehaviour {
  clientId: string;
  bank: string;
  username: string;
  externalId: string | null;
  linkToken: string | null;
  pendingPolls?: number;
}

/** A re-authentication the Link or a session was opened with: the credential's reset or SCA token. */
export interface Reauth {
  kind: 'reset' | 'sca';
  token: string;
}

export interface LoginAttempt {
  clientId: string;
  linkToken: string;
  bank: string;
  username: string;
  password: string;
  /** Custom Link params, `external_id` included; echoed as `extra` by the code exchange. */
  extra: Record<string, string>;
  /** Set when the Link URL carried `reset_token` / `sca_token`: the login updates that credential. */
  reauth?: Reauth | undefined;
}

const DEFAULT_COMPANY_NAME = 'Sandbox Company';

export function entityById(id: string): Entity | undefined {
  return ENTITIES.find((entity) => entity.id === id);
}

export class SandboxState {
  readonly links = new Map<string, LinkRecord>();
  readonly codes = new Map<string, CodeRecord>();
  readonly credentials = new Map<string, CredentialRecord>();
  /** Open SCA steps, keyed by an id the SCA form carries so the password never reaches the HTML. */
  readonly challenges = new Map<string, { attempt: LoginAttempt; challenge: string }>();
  /** Connect v2 sessions by `session_id` (see connect.ts). */
  readonly sessions = new Map<string, SessionRecord>();
  /** Aggregation v2 labels by product id and by transaction id (see aggregation-v2.ts). */
  readonly productLabels = new Map<string, Labels>();
  readonly transactionLabels = new Map<string, Labels>();
  /** Report v1 reports by `report_id` (see reports.ts). */
  readonly reports = new Map<number, ReportRecord>();
  private readonly accessTokens = new Map<string, { clientId: string; expiresAtMs: number }>();
  private readonly tokens: TokenSource;
  private usernames = 0;

  constructor(
    readonly config: SandboxConfig,
    defaultLinkTokens: readonly string[] = [],
  ) {
    this.tokens = new TokenSource(config.seed);
    config.clients.forEach((client, i) => {
      // Always draw, so a seeded sandbox hands out the same token sequence after reset().
      const drawn = this.newToken();
      const token = defaultLinkTokens[i] ?? drawn;
      this.links.set(token, {
        token,
        clientId: client.clientId,
        name: 'Default link',
        redirectUri: config.defaultRedirectUri,
        companyName: null,
        termsUrl: null,
        privacyUrl: null,
        active: true,
      });
    });
  }

  now(): number {
    return this.config.clock();
  }

  newToken(): string {
    return this.tokens.next();
  }

  freshUsername(): string {
    this.usernames += 1;
    return `sandbox-user-${this.usernames}`;
  }

  /** One valid token per client: issuing a new one revokes the previous (legacy Flanks rule). */
  issueAccessToken(clientId: string): string {
    for (const [token, record] of this.accessTokens) {
      if (record.clientId === clientId) this.accessTokens.delete(token);
    }
    const token = this.newToken();
    this.accessTokens.set(token, { clientId, expiresAtMs: this.now() + this.config.tokenTtlSeconds * 1000 });
    return token;
  }

  clientOfAccessToken(token: string): string | undefined {
    const record = this.accessTokens.get(token);
    return record && this.now() < record.expiresAtMs ? record.clientId : undefined;
  }

  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  linkFor(clientId: string, token: string): LinkRecord | undefined {
    const link = this.links.get(token);
    return link?.clientId === clientId ? link : undefined;
  }

  linkView(link: LinkRecord): SandboxLink {
    return {
      token: link.token,
      name: link.name ?? link.token,
      redirect_uri: link.redirectUri,
      company_name: link.companyName ?? DEFAULT_COMPANY_NAME,
      terms_and_conditions_url: link.termsUrl,
      privacy_policy_url: link.privacyUrl,
      active: link.active,
      pending_code_count: this.pendingCodes(link.clientId, link.token).length,
    };
  }

  pendingCodes(clientId: string, linkToken?: string): CodeRecord[] {
    return [...this.codes.values()].filter(
      (code) => code.clientId === clientId && (linkToken === undefined || code.linkToken === linkToken),
    );
  }

  issueCode(
    credential: CredentialRecord,
    linkToken: string,
    extra: Record<string, string>,
    delayed: boolean,
  ): string {
    const code = this.newToken();
    this.codes.set(code, {
      code,
      clientId: credential.clientId,
      linkToken,
      credentialsToken: credential.token,
      extra: { ...extra },
      delayed,
    });
    return code;
  }

  hasCredential(clientId: string, bank: string, username: string): boolean {
    return [...this.credentials.values()].some(
      (c) => c.clientId === clientId && c.bank === bank && c.username === username,
    );
  }

  addCredential(spec: NewCredential): CredentialRecord {
    const now = this.now();
    const credential: CredentialRecord = {
      token: this.newToken(),
      clientId: spec.clientId,
      bank: spec.bank,
      username: spec.username,
      externalId: spec.externalId,
      linkToken: spec.linkToken,
      createdAtMs: now,
      polls: 0,
      extraction: this.extraction(0, spec.pendingPolls),
      settledAtMs: null,
      failingSteps: spec.failingSteps,
      blockWhenSettled: spec.blockWhenSettled,
      scaWhenSettled: spec.scaWhenSettled,
      blocked: false,
      resetToken: null,
      scaToken: null,
      transactionToken: null,
      data: undefined,
    };
    this.credentials.set(credential.token, credential);
    return credential;
  }

  credentialFor(clientId: string, token: string): CredentialRecord | undefined {
    const credential = this.credentials.get(token);
    return credential?.clientId === clientId ? credential : undefined;
  }

  deleteCredential(credential: CredentialRecord): void {
    this.credentials.delete(credential.token);
    for (const [code, record] of this.codes) {
      if (record.credentialsToken === credential.token) this.codes.delete(code);
    }
  }

  /** An extraction starting now: `pendingPolls` polls if given, else as the sandbox is configured. */
  private extraction(polls: number, pendingPolls: number | undefined): Extraction {
    const now = this.now();
    return this.config.pendingMs !== undefined && pendingPolls === undefined
      ? { unit: 'ms', from: now, length: this.config.pendingMs, startedAtMs: now }
      : { unit: 'polls', from: polls, length: pendingPolls ?? this.config.pendingPolls, startedAtMs: now };
  }

  /**
   * Restarts the extraction: `pending` for the next `polls` status polls, or as long as a new
   * credential's when `polls` is left out.
   */
  restartExtraction(credential: CredentialRecord, polls?: number): void {
    credential.extraction = this.extraction(credential.polls, polls);
    credential.settledAtMs = null;
  }

  /** The credential whose pending reset or SCA token this is, for this client. */
  reauthTarget(clientId: string, reauth: Reauth): CredentialRecord | undefined {
    return [...this.credentials.values()].find(
      (c) =>
        c.clientId === clientId && (reauth.kind === 'reset' ? c.resetToken : c.scaToken) === reauth.token,
    );
  }

  /**
   * The user passed the Link or a session again for this credential. A reset (the password typed
   * again, with its TestBank behaviour) clears `blocked` and both tokens; an SCA clears the SCA
   * token. Either way the token is used up and the data is extracted again.
   */
  reauthenticate(credential: CredentialRecord, kind: Reauth['kind'], behaviour: CredentialBehaviour): void {
    if (kind === 'reset') {
      Object.assign(credential, behaviour);
      credential.blocked = false;
      credential.resetToken = null;
    } else {
      credential.scaWhenSettled = false;
    }
    credential.scaToken = null;
    this.restartExtraction(credential);
  }

  block(credential: CredentialRecord): void {
    credential.blocked = true;
    credential.resetToken ??= this.newToken();
  }

  /**
   * Where the first extraction stands. Only status polls (`poll: true`) advance a poll-based
   * extraction, so a client that never polls never sees data, as with the real API's advice.
   */
  observe(credential: CredentialRecord, poll = false): CredentialSnapshot {
    if (poll) credential.polls += 1;
    const { unit, from, length, startedAtMs } = credential.extraction;
    const now = this.now();
    const elapsed = Math.max(0, unit === 'polls' ? credential.polls - from : now - from);
    const pending = length > 0 && (unit === 'polls' ? elapsed <= length : elapsed < length);
    const done = pending
      ? Math.floor((EXTRACTION_ORDER.length * elapsed) / (unit === 'polls' ? length + 1 : length))
      : EXTRACTION_ORDER.length;
    if (!pending && credential.settledAtMs === null) {
      credential.settledAtMs = unit === 'ms' ? startedAtMs + length : length === 0 ? startedAtMs : now;
      if (credential.blockWhenSettled) this.block(credential);
      if (credential.scaWhenSettled) credential.scaToken ??= this.newToken();
    }
    return { pending, created: new Set(EXTRACTION_ORDER.slice(0, done)) };
  }

  bankData(credential: CredentialRecord): BankData {
    credential.data ??= generateBankData({
      credentialsToken: credential.token,
      seed: this.config.seed ?? 0,
      entity: entityById(credential.bank) ?? (ENTITIES[0] as Entity),
      createdAtMs: credential.createdAtMs,
      externalId: credential.externalId,
    });
    return credential.data;
  }

  /** The Credential Status object of the Credentials API. */
  statusBody(credential: CredentialRecord, snapshot: CredentialSnapshot): Record<string, unknown> {
    const flags = (test: (step: ExtractionStep) => boolean) => ({
      product: Object.fromEntries(PRODUCT_KEYS.map((key) => [key, test(`product.${key}`)])),
      [this.config.statusTransactionKey]: Object.fromEntries(
        TRANSACTION_KEYS.map((key) => [key, test(`transactions.${key}`)]),
      ),
    });
    const updated = new Date(credential.settledAtMs ?? credential.createdAtMs).toISOString();
    return {
      pending: snapshot.pending,
      blocked: credential.blocked,
      reset_token: credential.resetToken,
      last_transaction_date: this.bankData(credential).lastTransactionDate,
      sca_token: credential.scaToken,
      transaction_token: credential.transactionToken,
      name: credential.bank,
      last_update: updated.slice(0, 10),
      time: updated.slice(11, 16),
      last_update_timestamp: Math.floor(Date.parse(updated) / 1000),
      created_at_timestamp: Math.floor(credential.createdAtMs / 1000),
      errored: flags((step) => snapshot.created.has(step) && credential.failingSteps.has(step)),
      created: flags((step) => snapshot.created.has(step)),
    };
  }

  /** A one-word summary for List Credentials, whose `status` values Flanks does not document. */
  summary(credential: CredentialRecord): 'pending' | 'blocked' | 'sca_required' | 'data_error' | 'ok' {
    const snapshot = this.observe(credential);
    if (snapshot.pending) return 'pending';
    if (credential.blocked) return 'blocked';
    if (credential.scaToken !== null) return 'sca_required';
    return credential.failingSteps.size > 0 ? 'data_error' : 'ok';
  }
}
