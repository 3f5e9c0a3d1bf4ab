import type { FlanksClient } from '../../src';

// Every endpoint the SDK reads an answer from, with a realistic body in its documented form, the
// other forms Flanks plausibly sends it in (envelopes), which of its fields are enum-like, which are
// required, and what the method returns for a given body. The suite (compat.test.ts) derives its
// variations from these.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Method = 'get' | 'post' | 'put' | 'delete';

export interface Fixture {
  name: string;
  method: Method;
  path: string;
  status?: number;
  call: (flanks: FlanksClient) => Promise<unknown>;
  /** The answer as the docs (or the best source) show it. */
  body: Json;
  /** What the method returns for `body` (the same shape once numbers are numbers). */
  result: (body: Json) => unknown;
  /** Other wire forms of the same answer, which must give the same result. */
  envelopes?: Array<[string, (body: Json) => Json]>;
  /** Keys of enum-like fields (any depth), to receive values the SDK has never seen. */
  enums?: string[];
  /** Keys that must stay non-null (the SDK needs them). */
  required?: string[];
  /** Keys whose numbers are ids that may also come as strings: a string there stays a string. */
  keepsStrings?: string[];
  /** Wire bodies that mean "nothing here". */
  empty?: Json[];
  /**
   * A body off the schema, and the issue it must be reported with. `unusable`: the SDK cannot return
   * anything for it, so it is an error in every mode.
   */
  bad: { body: Json; issue: { path: string; expected: string; received: string }; unusable?: boolean };
}

export const CT = 'ct_compat_credentials_token';
export const SID = 'ses_compat_1';
const IBAN = 'ES9121000418450200051332';
const IBAN2 = 'ES7921000813610123456789';

const items = (body: Json): unknown => (Array.isArray(body) ? body : (body as { items: Json[] }).items);
const same = (body: Json): unknown => body;
const data = (body: Json): unknown => {
  const b = body as { success?: unknown; data?: Json };
  return typeof b.success === 'boolean' && b.data ? b.data : body;
};
const listEnvelopes: Array<[string, (body: Json) => Json]> = [
  ['{ items }', (b) => ({ items: b })],
  ['{ success, count, items }', (b) => ({ success: true, count: (b as Json[]).length, items: b })],
];
const dataEnvelope: Array<[string, (body: Json) => Json]> = [
  ['{ success, data }', (b) => ({ success: true, data: b })],
];
const page = (list: Json[]): Json => ({ items: list, next_page_token: null });
const pageEmpty: Json[] = [page([]), []];

const portfolio: Json = {
  _id: 'pf_1',
  name: 'Cartera Fondos',
  type: 'F',
  tax_type: 'GENERAL',
  currency: 'EUR',
  refValores: '00491500051234567892',
  refAccount: IBAN,
  refAccounts: [IBAN, IBAN2],
  owners: ['Ana Pérez Gil'],
  balance: 15234.56,
  entity: 'testbank',
  external_id: 'user-42',
  updated_at_timestamp: 1767225600,
};
const investment: Json = {
  _id: 'inv_1',
  name: 'Fondo Global',
  isin: 'ES0110407097',
  type: 'F',
  subtype: 'PE',
  portfolio_id: 'pf_1',
  amount: 120.5,
  balance: 1500.25,
  currency: 'EUR',
  entity: 'testbank',
  external_id: 'user-42',
  updated_at_timestamp: 1767225600,
};
const transaction = (extra: Record<string, Json>): Json => ({
  _id: 'tx_1',
  amount: -50,
  balance: 1450.5,
  currency: 'EUR',
  description: 'PAGO CON TARJETA',
  productDescription: 'Cuenta Nómina',
  category: 'Supermercado',
  operationDate: '2026-03-01',
  valueDate: '2026-03-02',
  entity: 'testbank',
  ...extra,
});
const account: Json = {
  _id: 'acc_p_1',
  account_id: 'acc_1',
  iban: IBAN,
  alias: 'Nómina',
  description: 'CUENTA NOMINA',
  type: 'cashAccount',
  balance: 2500.75,
  currency: 'EUR',
  entity: 'testbank',
  isOwner: true,
  numOwners: 2,
  owners: ['Ana Pérez Gil', 'Luis Gil Mora'],
};
const status: Json = {
  pending: false,
  blocked: false,
  reset_token: null,
  sca_token: null,
  transaction_token: null,
  last_transaction_date: '2026-03-01',
  name: 'testbank',
  last_update: '2026-03-02',
  time: '10:30',
  last_update_timestamp: 1767225600,
  created_at_timestamp: 1767000000,
  errored: {
    product: { auth: false, account: false, card: false, portfolio: false },
    transactions: { account: false, card: false },
  },
  created: {
    product: { auth: true, account: true, card: true, portfolio: true },
    transaction: { account: true, card: true },
  },
};
const link: Json = {
  token: 'lt_compat_1',
  name: 'web',
  redirect_uri: 'https://app.example.com/flanks/callback',
  company_name: 'Example SL',
  terms_and_conditions_url: 'https://app.example.com/terms',
  privacy_policy_url: 'https://app.example.com/privacy',
  active: true,
  pending_code_count: 2,
};
const session: Json = {
  session_id: SID,
  status: 'Waiting:ProvideCredentials',
  connection_id: null,
  error_code: null,
  url: 'https://connect.flanks.io/s/abc',
};
const product: Json = {
  product_id: 'prod_1',
  product_type: 'Account',
  connection_id: CT,
  name: 'Cuenta Nómina',
  balance: 2500.75,
  currency: 'EUR',
  iban: IBAN,
  labels: { client: 'acme' },
};
const report: Json = { report_id: 7, template_id: 1, status: 'new' };

const aggregationList = (
  name: string,
  kind: string,
  item: Json,
  call: (f: FlanksClient) => Promise<unknown>,
  enums: string[] = ['type'],
): Fixture => ({
  name,
  method: 'post',
  path: `/v0/bank/credentials/${kind}`,
  call,
  body: [item],
  result: same,
  enums,
  empty: [[]],
  bad: {
    body: [item, { ...(item as Record<string, Json>), balance: '1.234,50' }],
    issue: { path: 'response[].balance', expected: 'number', received: 'string' },
  },
});

export const FIXTURES: Fixture[] = [
  aggregationList('aggregation.portfolios', 'portfolio', portfolio, (f) => f.aggregation.portfolios(CT)),
  aggregationList('aggregation.investments', 'investment', investment, (f) => f.aggregation.investments(CT)),
  aggregationList(
    'aggregation.investmentTransactions',
    'investment/transaction',
    transaction({ investment_id: 'inv_1', refValores: '00491500051234567892' }),
    (f) => f.aggregation.investmentTransactions(CT),
    ['category'],
  ),
  aggregationList('aggregation.accounts', 'account', account, (f) => f.aggregation.accounts(CT)),
  aggregationList(
    'aggregation.accountTransactions',
    'data',
    transaction({
      account_id: 'acc_1',
      transfer: {
        payer: 'Ana Pérez Gil',
        ibanPayer: IBAN,
        beneficiary: 'Luis Gil Mora',
        ibanBeneficiary: IBAN2,
      },
    }),
    (f) => f.aggregation.accountTransactions(CT),
    ['category'],
  ),
  aggregationList(
    'aggregation.liabilities',
    'liability',
    {
      _id: 'li_1',
      liability_id: 'li_1',
      type: 'Loan',
      balance: 120000,
      currency: 'EUR',
      description: 'HIPOTECA',
      entity: 'testbank',
    },
    (f) => f.aggregation.liabilities(CT),
  ),
  aggregationList(
    'aggregation.liabilityTransactions',
    'liability/transaction',
    transaction({ liability_id: 'li_1' }),
    (f) => f.aggregation.liabilityTransactions(CT),
    ['category'],
  ),
  aggregationList(
    'aggregation.cards',
    'card',
    {
      _id: 'card_p_1',
      card_id: 'card_1',
      pan: '**** **** **** 1234',
      balance: -320.1,
      currency: 'EUR',
      entity: 'testbank',
    },
    (f) => f.aggregation.cards(CT),
    [],
  ),
  aggregationList(
    'aggregation.cardTransactions',
    'card/transaction',
    transaction({ card_id: 'card_1', cardNumber: '**** 1234' }),
    (f) => f.aggregation.cardTransactions(CT),
    ['category'],
  ),
  {
    name: 'aggregation.holders',
    method: 'post',
    path: '/v0/bank/credentials/holder',
    call: (f) => f.aggregation.holders(CT),
    body: [{ product_id: 'acc_1', rel: 'Titular', name: 'Ana Pérez Gil' }],
    result: same,
    enums: ['rel'],
    empty: [[]],
    bad: {
      body: [{ product_id: 1, rel: 'Titular', name: 'Ana' }],
      issue: { path: 'response[].product_id', expected: 'string', received: 'number' },
    },
  },
  {
    name: 'aggregation.identity',
    method: 'post',
    path: '/v0/bank/credentials/auth',
    call: (f) => f.aggregation.identity(CT),
    body: {
      _id: 'id_1',
      contactInfo: { email: 'ana@example.com', phone: '+34 600 000 000' },
      address: { city: 'Madrid' },
    },
    result: same,
    empty: [{}],
    bad: { body: { _id: 5 }, issue: { path: 'response._id', expected: 'string', received: 'number' } },
  },
  {
    name: 'credentials.getStatus',
    method: 'post',
    path: '/v0/bank/credentials/status',
    call: (f) => f.credentials.getStatus(CT),
    body: status,
    result: same,
    required: ['pending'],
    bad: {
      body: { ...(status as Record<string, Json>), pending: 'no' },
      issue: { path: 'response.pending', expected: 'boolean', received: 'string' },
    },
  },
  {
    name: 'credentials.listPage',
    method: 'post',
    path: '/v0/bank/credentials/list',
    call: (f) => f.credentials.listPage(1),
    // Without page numbers, so that the bare-array form (read as `{ items }`) gives the same result.
    body: { items: [{ credentials_token: CT, external_id: 'user-42', bank: 'testbank', status: 'active' }] },
    result: (b) => (Array.isArray(b) ? { items: b } : b),
    envelopes: [['a bare array', (b) => (b as { items: Json }).items]],
    enums: ['status'],
    required: ['credentials_token'],
    empty: [{ items: [], page: 1, pages: 1 }, []],
    bad: {
      body: { items: [{ credentials_token: 7 }], page: 1, pages: 1 },
      issue: { path: 'response.items[].credentials_token', expected: 'string', received: 'number' },
    },
  },
  {
    name: 'credentials.list',
    method: 'post',
    path: '/v0/bank/credentials/list',
    call: (f) => f.credentials.list().toArray({ limit: 10 }),
    body: {
      items: [{ credentials_token: CT, external_id: null, bank: 'testbank', status: 'active' }],
      page: 1,
      pages: 1,
    },
    result: items,
    enums: ['status'],
    required: ['credentials_token', 'page', 'pages'],
    empty: [{ items: [], page: 1, pages: 1 }],
    bad: {
      body: { items: [{ credentials_token: CT, bank: 3 }], page: 1, pages: 1 },
      issue: { path: 'response.items[].bank', expected: 'string', received: 'number' },
    },
  },
  {
    name: 'credentials.force',
    method: 'put',
    path: '/v0/bank/credentials/status',
    call: (f) => f.credentials.force(CT, 'sca'),
    body: { sca_token: 'st_compat_1', reset_token: null, transaction_token: null },
    result: same,
    bad: {
      body: { sca_token: 1 },
      issue: { path: 'response.sca_token', expected: 'string', received: 'number' },
    },
  },
  {
    name: 'credentials.delete',
    method: 'delete',
    path: '/v0/bank/credentials',
    call: (f) => f.credentials.delete(CT),
    body: { message: 'Credentials deleted' },
    result: same,
    bad: {
      body: { message: 3 },
      issue: { path: 'response.message', expected: 'string', received: 'number' },
    },
  },
  {
    name: 'entities.list',
    method: 'get',
    path: '/v0/bank/available',
    call: (f) => f.entities.list(),
    body: [
      { id: 'testbank', name: 'TestBank', country: 'ES', logo_url: 'https://cdn.flanks.io/testbank.png' },
    ],
    result: items,
    envelopes: listEnvelopes,
    required: ['id'],
    empty: [[], { items: [] }],
    bad: {
      body: [{ name: 'TestBank' }],
      issue: { path: 'response[].id', expected: 'string', received: 'missing' },
    },
  },
  {
    name: 'links.exchangeCode',
    method: 'post',
    path: '/v0/platform/link',
    call: (f) => f.links.exchangeCode('lc_compat_code'),
    body: {
      credentials_token: CT,
      message: 'Successfully retrieved',
      extra: { plan: 'pro' },
      link_token: 'lt_compat_1',
    },
    result: (b) => ({ status: 'ready', body: b }),
    required: ['credentials_token'],
    bad: {
      body: { message: 'ok' },
      issue: { path: 'response.credentials_token', expected: 'string', received: 'missing' },
    },
  },
  {
    name: 'links.exchangeCode (202)',
    method: 'post',
    path: '/v0/platform/link',
    status: 202,
    call: (f) => f.links.exchangeCode('lc_compat_code'),
    body: { message: 'Security checks in progress' },
    result: (b) => ({ status: 'delayed', body: b }),
    bad: {
      body: { message: 5 },
      issue: { path: 'response.message', expected: 'string', received: 'number' },
    },
  },
  {
    name: 'links.list',
    method: 'post',
    path: '/v0/links/list-links',
    call: (f) => f.links.list(),
    body: { success: true, count: 1, items: [link] },
    result: items,
    envelopes: [
      ['a bare array', (b) => (b as { items: Json }).items],
      ['{ items }', (b) => ({ items: (b as { items: Json }).items })],
    ],
    required: ['token'],
    empty: [[], { success: true, count: 0, items: [] }],
    bad: {
      body: { success: true, count: 1, items: [{ ...(link as Record<string, Json>), active: 'yes' }] },
      issue: { path: 'response[].active', expected: 'boolean', received: 'string' },
    },
  },
  ...(['create', 'edit', 'pause', 'resume'] as const).map(
    (verb): Fixture => ({
      name: `links.${verb}`,
      method: 'post',
      path: `/v0/links/${verb}-link`,
      call: (f) =>
        verb === 'create'
          ? f.links.create({ redirect_uri: 'https://app.example.com/flanks/callback' })
          : verb === 'edit'
            ? f.links.edit({ token: 'lt_compat_1', name: 'web' })
            : f.links[verb]('lt_compat_1'),
      body: { success: true, data: link },
      result: data,
      envelopes: [['a bare link', (b) => (b as { data: Json }).data]],
      required: ['token'],
      bad: {
        body: { success: true, data: { ...(link as Record<string, Json>), pending_code_count: 'two' } },
        issue: { path: 'response.pending_code_count', expected: 'number', received: 'string' },
      },
    }),
  ),
  {
    name: 'links.delete',
    method: 'post',
    path: '/v0/links/delete-link',
    call: (f) => f.links.delete('lt_compat_1'),
    body: { success: true },
    result: same,
    bad: {
      body: { message: false },
      issue: { path: 'response.message', expected: 'string', received: 'boolean' },
    },
  },
  {
    name: 'links.unusedCodes',
    method: 'get',
    path: '/v0/platform/link',
    call: (f) => f.links.unusedCodes(),
    body: [{ code: 'lc_unused_1', extra: { plan: 'pro' }, link_token: 'lt_compat_1' }],
    result: items,
    envelopes: listEnvelopes,
    required: ['code'],
    empty: [[], { items: [] }],
    bad: {
      body: [{ extra: {} }],
      issue: { path: 'response[].code', expected: 'string', received: 'missing' },
    },
  },
  {
    name: 'connect.createSession',
    method: 'post',
    path: '/connect/v2/sessions/create-session',
    call: (f) => f.connect.createSession({ configuration: {} }),
    body: { session },
    result: (b) => {
      const s = (b as { session?: Json }).session ?? (data(b) as Json);
      return { url: (s as { url: string }).url, session: s };
    },
    envelopes: [
      ['a bare session', (b) => (b as { session: Json }).session],
      ['{ success, data }', (b) => ({ success: true, data: (b as { session: Json }).session })],
    ],
    enums: ['status', 'error_code'],
    required: ['session_id', 'status', 'url'],
    bad: {
      body: { session: { ...(session as Record<string, Json>), status: 3 } },
      issue: { path: 'response.status', expected: 'string', received: 'number' },
    },
  },
  {
    name: 'connect.getSession',
    method: 'post',
    path: '/connect/v2/sessions/list-sessions',
    call: (f) => f.connect.getSession(SID),
    body: page([session]),
    result: (b) => (items(b) as Json[])[0],
    envelopes: [['a bare array', (b) => (b as { items: Json }).items]],
    enums: ['status', 'error_code'],
    required: ['session_id', 'status'],
    bad: {
      body: page([{ ...(session as Record<string, Json>), connection_id: 9 }]),
      issue: { path: 'response.items[].connection_id', expected: 'string', received: 'number' },
    },
  },
  {
    name: 'connect.listConnectors',
    method: 'post',
    path: '/connect/v2/connectors/list-connectors',
    call: (f) => f.connect.listConnectors().toArray({ limit: 10 }),
    body: page([{ connector_id: 'testbank', name: 'TestBank', country: 'ES', logo_url: null }]),
    result: items,
    envelopes: [['a bare array', (b) => (b as { items: Json }).items]],
    required: ['connector_id'],
    empty: pageEmpty,
    bad: {
      body: page([{ name: 'TestBank' }]),
      issue: { path: 'response.items[].connector_id', expected: 'string', received: 'missing' },
    },
  },
  {
    name: 'aggregationV2.listProducts',
    method: 'post',
    path: '/aggregation/v2/list-products',
    call: (f) => f.aggregationV2.listProducts().toArray({ limit: 10 }),
    body: page([product]),
    result: items,
    envelopes: [['a bare array', (b) => (b as { items: Json }).items]],
    enums: ['product_type'],
    required: ['product_id'],
    empty: pageEmpty,
    bad: {
      body: page([{ ...(product as Record<string, Json>), balance: '2.500,75' }]),
      issue: { path: 'response.items[].balance', expected: 'number', received: 'string' },
    },
  },
  {
    name: 'aggregationV2.listTransactions',
    method: 'post',
    path: '/aggregation/v2/list-transactions',
    call: (f) => f.aggregationV2.listTransactions().toArray({ limit: 10 }),
    body: page([
      {
        transaction_id: 'tx_1',
        product_id: 'prod_1',
        amount: -50,
        currency: 'EUR',
        description: 'PAGO',
        date: '2026-03-01',
        category: 'Supermercado',
        labels: { reviewed: 'yes' },
      },
    ]),
    result: items,
    envelopes: [['a bare array', (b) => (b as { items: Json }).items]],
    enums: ['category'],
    required: ['transaction_id'],
    empty: pageEmpty,
    bad: {
      body: page([{ transaction_id: 'tx_1', amount: true }]),
      issue: { path: 'response.items[].amount', expected: 'number', received: 'boolean' },
    },
  },
  ...(['setProductLabels', 'setTransactionLabels'] as const).map(
    (name): Fixture => ({
      name: `aggregationV2.${name}`,
      method: 'post',
      path:
        name === 'setProductLabels'
          ? '/aggregation/v2/set-product-labels'
          : '/aggregation/v2/set-transaction-labels',
      call: (f) => f.aggregationV2[name]('id_1', { client: 'acme' }),
      body: { success: true, labels: { client: 'acme' } },
      result: same,
      bad: {
        body: { message: [] },
        issue: { path: 'response.message', expected: 'string', received: 'array' },
      },
    }),
  ),
  {
    name: 'reports.listTemplates',
    method: 'post',
    path: '/report/v1/list-templates',
    call: (f) => f.reports.listTemplates(),
    body: { items: [{ template_id: 1, name: 'Wealth', description: 'Summary' }] },
    result: items,
    envelopes: [['a bare array', (b) => (b as { items: Json }).items]],
    required: ['template_id'],
    keepsStrings: ['template_id'],
    empty: [{ items: [] }, []],
    bad: {
      body: { items: [{ template_id: true }] },
      issue: { path: 'response[].template_id', expected: 'number or string', received: 'boolean' },
    },
  },
  ...(['build', 'getStatus'] as const).map(
    (verb): Fixture => ({
      name: `reports.${verb}`,
      method: 'post',
      path: verb === 'build' ? '/report/v1/build-report' : '/report/v1/get-report-status',
      call: (f) => (verb === 'build' ? f.reports.build({ templateId: 1 }) : f.reports.getStatus(7)),
      body: report,
      result: data,
      envelopes: dataEnvelope,
      enums: ['status'],
      required: ['report_id', 'status'],
      keepsStrings: ['report_id', 'template_id'],
      bad: {
        body: { report_id: 7 },
        issue: { path: 'response.status', expected: 'string', received: 'missing' },
      },
    }),
  ),
  {
    name: 'reports.getContentUrl',
    method: 'post',
    path: '/report/v1/get-report-content',
    call: (f) => f.reports.getContentUrl(7),
    body: { url: 'https://files.flanks.io/r/7.pdf' },
    result: (b) => (data(b) as { url: string }).url,
    envelopes: dataEnvelope,
    required: ['url'],
    bad: {
      body: { url: '' },
      issue: { path: 'response.url', expected: 'a non-empty string', received: 'string' },
      unusable: true,
    },
  },
];
