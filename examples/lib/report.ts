import {
  type Account,
  INVESTMENT_TYPES,
  type Investment,
  PORTFOLIO_TYPES,
  type Portfolio,
  type Transaction,
} from 'flanks-sdk';

const money = (amount: number | null | undefined, currency?: string | null) =>
  new Intl.NumberFormat('es-ES', {
    style: 'currency',
    currency: currency ?? 'EUR',
    useGrouping: 'always',
  }).format(amount ?? 0);

const label = (table: Record<string, string>, code?: string | null) => (code ? (table[code] ?? code) : '—');

const pad = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);

export interface ReportData {
  portfolios: Portfolio[];
  investments: Investment[];
  accounts: Account[];
  transactions: Transaction[];
}

/** Formats a user's wealth as a plain-text report. */
export function formatReport(title: string, data: ReportData): string {
  const lines: string[] = [];
  const total =
    data.portfolios.reduce((s, p) => s + (p.balance ?? 0), 0) +
    data.accounts.reduce((s, a) => s + (a.balance ?? 0), 0);
  lines.push(title, '='.repeat(title.length), `Total wealth: ${money(total)}`, '');

  lines.push(`Portfolios (${data.portfolios.length})`);
  for (const p of data.portfolios) {
    lines.push(
      `  ${pad(p.name ?? p._id ?? '—', 40)} ${pad(label(PORTFOLIO_TYPES, p.type), 16)} ${padLeft(money(p.balance, p.currency), 16)}`,
    );
    const positions = data.investments.filter((i) => i.portfolio_id === p._id);
    for (const i of positions) {
      const weight = p.balance ? ((i.balance ?? 0) / p.balance) * 100 : 0;
      lines.push(
        `    ${pad(i.isin ?? '—', 13)} ${pad(i.name ?? '', 38)} ${pad(label(INVESTMENT_TYPES, i.type), 14)} ${padLeft(money(i.balance, i.currency), 14)} ${padLeft(`${weight.toFixed(1)} %`, 8)}`,
      );
    }
  }
  lines.push('', `Accounts (${data.accounts.length})`);
  for (const a of data.accounts) {
    lines.push(
      `  ${pad(a.iban ?? a._id ?? '—', 30)} ${pad(a.alias ?? a.description ?? '', 28)} ${padLeft(money(a.balance, a.currency), 16)}`,
    );
  }
  const recent = [...data.transactions]
    .sort((x, y) => String(y.operationDate ?? '').localeCompare(String(x.operationDate ?? '')))
    .slice(0, 10);
  lines.push('', `Recent transactions (${recent.length} of ${data.transactions.length})`);
  for (const t of recent) {
    lines.push(
      `  ${pad(String(t.operationDate ?? ''), 11)} ${padLeft(money(t.amount, t.currency), 14)}  ${t.description ?? ''}`,
    );
  }
  return lines.join('\n');
}
