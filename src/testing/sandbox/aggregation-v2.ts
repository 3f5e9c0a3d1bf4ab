// Aggregation API v2 (beta at Flanks; known only from a third-party client): products and
// transactions across every connection of the calling application, as views over the same
// generated bank data the v0 endpoints serve, with labels and cursor pages. Sandbox choices:
// - A product or transaction appears once its data type is extracted (the `created` flag of its
//   v0 status), and never for a data type whose extraction failed: nothing was stored for it.
// - Product ids are the v0 link keys (`account_id`, `card_id`, `liability_id`, the investment's
//   `_id`), so each transaction's `product_id` points at its product; transaction ids are v0 `_id`s.
// - Products are listed by connection, then accounts, cards, investments, liabilities;
//   transactions newest first.
// - Setting labels replaces the item's labels with the given set.

import type { RouteContext } from './api';
import { json } from './http';
import type { CredentialRecord, ExtractionStep, SandboxState } from './state';
import { cursorPage, inDateRange, invalid, matchesIn, type Routes, readQuery, requiredText } from './v2';

export type Labels = Record<string, string>;

interface Item {
  step: ExtractionStep;
  view: Record<string, unknown>;
}

function extracted(state: SandboxState, credential: CredentialRecord): (item: Item) => boolean {
  const { created } = state.observe(credential);
  return (item) => created.has(item.step) && !credential.failingSteps.has(item.step);
}

function clientCredentials(state: SandboxState, clientId: string): CredentialRecord[] {
  return [...state.credentials.values()].filter((c) => c.clientId === clientId);
}

function productsOf(state: SandboxState, credential: CredentialRecord): Record<string, unknown>[] {
  const d = state.bankData(credential);
  const connection = { connection_id: credential.token, entity: credential.bank };
  const items: Item[] = [
    ...d.accounts.map((a) => ({
      step: 'product.account' as const,
      view: {
        product_id: a.account_id,
        product_type: 'Account',
        name: a.alias,
        balance: a.balance,
        currency: a.currency,
        iban: a.iban,
      },
    })),
    ...d.cards.map((c) => ({
      step: 'product.card' as const,
      view: {
        product_id: c.card_id,
        product_type: 'Card',
        name: c.alias,
        balance: c.balance,
        currency: c.currency,
        pan: c.pan,
      },
    })),
    ...d.investments.map((i) => ({
      step: 'product.investment' as const,
      view: {
        product_id: i._id,
        product_type: 'Investment',
        name: i.name,
        balance: i.balance,
        currency: i.currency,
        isin: i.isin,
        portfolio_id: i.portfolio_id,
      },
    })),
    ...d.liabilities.map((l) => ({
      step: 'product.liability' as const,
      view: {
        product_id: l.liability_id,
        product_type: 'Liability',
        name: l.description,
        balance: l.balance,
        currency: l.currency,
      },
    })),
  ];
  return items.filter(extracted(state, credential)).map(({ view }) => ({
    ...view,
    ...connection,
    labels: { ...state.productLabels.get(String(view.product_id)) },
  }));
}

function transactionsOf(state: SandboxState, credential: CredentialRecord): Record<string, unknown>[] {
  const d = state.bankData(credential);
  const tx = (
    step: ExtractionStep,
    t: {
      _id: string;
      amount: number;
      currency: string;
      operationDate: string;
      valueDate: string;
      description: string;
    },
    productId: string,
    category: string | null,
  ): Item => ({
    step,
    view: {
      transaction_id: t._id,
      product_id: productId,
      amount: t.amount,
      currency: t.currency,
      description: t.description,
      date: t.operationDate,
      value_date: t.valueDate,
      category,
    },
  });
  const items: Item[] = [
    ...d.accountTransactions.map((t) => tx('transactions.account', t, t.account_id, t.category)),
    ...d.cardTransactions.map((t) => tx('transactions.card', t, t.card_id, t.category)),
    ...d.investmentTransactions.map((t) => tx('transactions.investment', t, t.investment_id, t.type)),
    ...d.liabilityTransactions.map((t) => tx('transactions.liability', t, t.liability_id, 'loan')),
  ];
  return items.filter(extracted(state, credential)).map(({ view }) => ({
    ...view,
    connection_id: credential.token,
    labels: { ...state.transactionLabels.get(String(view.transaction_id)) },
  }));
}

export function allProducts(state: SandboxState, clientId: string): Record<string, unknown>[] {
  return clientCredentials(state, clientId).flatMap((c) => productsOf(state, c));
}

export function allTransactions(state: SandboxState, clientId: string): Record<string, unknown>[] {
  return clientCredentials(state, clientId)
    .flatMap((c) => transactionsOf(state, c))
    .sort(
      (a, b) =>
        String(b.date).localeCompare(String(a.date)) ||
        String(a.transaction_id).localeCompare(String(b.transaction_id)),
    );
}

function readLabels(body: Record<string, unknown>): Labels {
  const labels = body.labels;
  if (labels === undefined || labels === null) throw invalid('labels', 'missing');
  if (typeof labels !== 'object' || Array.isArray(labels)) throw invalid('labels', 'invalid_type');
  for (const [key, value] of Object.entries(labels)) {
    if (key === '' || typeof value !== 'string') throw invalid(`labels.${key}`, 'invalid_type');
  }
  return { ...(labels as Labels) };
}

function setLabels(
  idField: 'product_id' | 'transaction_id',
  list: (state: SandboxState, clientId: string) => Record<string, unknown>[],
  store: (state: SandboxState) => Map<string, Labels>,
) {
  return ({ state, clientId, body }: RouteContext): Response => {
    const id = requiredText(body, idField);
    const labels = readLabels(body);
    if (!list(state, clientId).some((item) => item[idField] === id)) throw invalid(idField, 'not_found');
    store(state).set(id, labels);
    return json({ success: true, [idField]: id, labels });
  };
}

export const AGGREGATION_V2_ROUTES: Routes = {
  '/aggregation/v2/list-products': {
    POST: ({ state, clientId, body }) => {
      const query = readQuery(body, {
        product_id_in: 'ids',
        product_type_in: 'ids',
        connection_id_in: 'ids',
      });
      const items = allProducts(state, clientId).filter(
        (p) =>
          matchesIn(query, 'product_id_in', String(p.product_id)) &&
          matchesIn(query, 'product_type_in', String(p.product_type)) &&
          matchesIn(query, 'connection_id_in', String(p.connection_id)),
      );
      return cursorPage(state, body, 'products', items);
    },
  },
  '/aggregation/v2/list-transactions': {
    POST: ({ state, clientId, body }) => {
      const query = readQuery(body, {
        transaction_id_in: 'ids',
        product_id_in: 'ids',
        connection_id_in: 'ids',
        date_from: 'date',
        date_to: 'date',
      });
      const items = allTransactions(state, clientId).filter(
        (t) =>
          matchesIn(query, 'transaction_id_in', String(t.transaction_id)) &&
          matchesIn(query, 'product_id_in', String(t.product_id)) &&
          matchesIn(query, 'connection_id_in', String(t.connection_id)) &&
          inDateRange(query, String(t.date)),
      );
      return cursorPage(state, body, 'transactions', items);
    },
  },
  '/aggregation/v2/set-product-labels': {
    POST: setLabels('product_id', allProducts, (s) => s.productLabels),
  },
  '/aggregation/v2/set-transaction-labels': {
    POST: setLabels('transaction_id', allTransactions, (s) => s.transactionLabels),
  },
};
