// Scenario 2's server: one static body of 100,000 account transactions (about 20 MB of JSON, shaped
// like the sandbox's), built once and served byte for byte the same to the SDK and the baseline. The
// sandbox would rebuild and re-serialise it per request, which would measure the sandbox.
import { createServer } from 'node:http';
import { serveCommands } from './lib/child.mjs';

export const TOKEN = 'bench-access-token';
const COUNT = Number(process.argv[2] ?? 100_000);
const CATEGORIES = [
  'groceries',
  'salary',
  'utilities',
  'transport',
  'restaurants',
  'transfer',
  'rent',
  'health',
];
const MERCHANTS = [
  'MERCADONA',
  'NOMINA ACME SL',
  'IBERDROLA',
  'RENFE',
  'BAR PEPE',
  'TRANSFERENCIA',
  'ALQUILER',
  'FARMACIA',
];

function transactions(count) {
  const items = [];
  let balance = 1_250_000;
  const start = Date.UTC(2016, 0, 1);
  for (let i = 0; i < count; i++) {
    const kind = (i * 7919) % CATEGORIES.length;
    const cents = kind === 1 ? 240_000 + (i % 97) * 100 : -((i * 104_729) % 25_000) - 150;
    balance += cents;
    const day = new Date(start + Math.floor(i / 30) * 86_400_000).toISOString().slice(0, 10);
    items.push({
      _id: `tx${i.toString(36).padStart(6, '0')}`,
      account_id: `acc_${(i % 3) + 1}`,
      amount: cents / 100,
      balance: balance / 100,
      currency: 'EUR',
      operationDate: day,
      valueDate: day,
      description: `${MERCHANTS[kind]} ${String(i % 1000).padStart(4, '0')}`,
      category: CATEGORIES[kind],
      entity: 'testbank',
    });
  }
  return items;
}

const payload = Buffer.from(JSON.stringify(transactions(COUNT)));
const status = Buffer.from(JSON.stringify({ pending: false, blocked: false }));
const token = Buffer.from(JSON.stringify({ access_token: TOKEN, expires_in: 3600, token_type: 'Bearer' }));

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const path = req.url;
    let body;
    if (path === '/v0/token') body = token;
    else if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end();
      return;
    } else if (path === '/v0/bank/credentials/data') body = payload;
    else if (path === '/v0/bank/credentials/status') body = status;
    else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

serveCommands({
  info: () => ({
    url: `http://127.0.0.1:${server.address().port}`,
    bytes: payload.length,
    count: COUNT,
    token: TOKEN,
  }),
  close: () => {
    server.closeAllConnections();
    server.close();
    setImmediate(() => process.exit(0));
    return true;
  },
});
