// Static reference data for the generator. Securities with a known ISIN carry only its first
// eleven characters; the check digit is computed (see identifiers.ts). Fund and pension-plan
// ISINs are derived from the product name, so one product has one ISIN across all credentials.

/** A bank as `GET /v0/bank/available` lists it, plus what the generator needs about it. */
export interface Entity {
  id: string;
  name: string;
  country: string;
  /** Four-digit Spanish bank code used in the IBANs of this entity's accounts. */
  bankCode: string;
  /** Brand colour of the generated logo. */
  color: string;
}

export const TESTBANK_ID = 'testbank';

export const ENTITIES: readonly Entity[] = [
  { id: TESTBANK_ID, name: 'TestBank', country: 'ES', bankCode: '9000', color: '#4338ca' },
  { id: 'santander', name: 'Banco Santander', country: 'ES', bankCode: '0049', color: '#ec0000' },
  { id: 'bbva', name: 'BBVA', country: 'ES', bankCode: '0182', color: '#004481' },
  { id: 'caixabank', name: 'CaixaBank', country: 'ES', bankCode: '2100', color: '#007eae' },
  { id: 'bankinter', name: 'Bankinter', country: 'ES', bankCode: '0128', color: '#e35205' },
  { id: 'sabadell', name: 'Banco Sabadell', country: 'ES', bankCode: '0081', color: '#006dff' },
  { id: 'ing', name: 'ING España', country: 'ES', bankCode: '1465', color: '#ff6200' },
  { id: 'renta4', name: 'Renta 4 Banco', country: 'ES', bankCode: '0083', color: '#1d3c6e' },
  { id: 'myinvestor', name: 'MyInvestor', country: 'ES', bankCode: '1544', color: '#00a37a' },
  { id: 'inversis', name: 'Banco Inversis', country: 'ES', bankCode: '0232', color: '#5b2c83' },
];

export interface Security {
  name: string;
  /** ISIN without its check digit, or a two-letter country to derive one from the name. */
  isinBody?: string;
  country?: 'ES' | 'LU' | 'IE';
  /** Current price in EUR. */
  price: number;
  /** Short name used in bank statement lines. */
  short: string;
}

export const FUNDS: readonly Security[] = [
  { name: 'Fondo Naranja Renta Fija, FI', country: 'ES', price: 11.8342, short: 'FONDO NARANJA RF' },
  { name: "Fondo Naranja Standard & Poor's 500, FI", country: 'ES', price: 21.4761, short: 'NARANJA SP500' },
  { name: 'Santander Acciones Españolas, FI', country: 'ES', price: 41.2583, short: 'SANT ACC ESPAÑOLAS' },
  { name: 'BBVA Bolsa Índice Euro, FI', country: 'ES', price: 19.7405, short: 'BBVA BOLSA IND EURO' },
  { name: 'Bestinver Internacional, FI', country: 'ES', price: 52.3117, short: 'BESTINVER INTERNAC' },
  { name: 'Cobas Internacional, FI', country: 'ES', price: 138.5204, short: 'COBAS INTERNACIONAL' },
  {
    name: 'Vanguard Global Stock Index Fund EUR Acc',
    country: 'IE',
    price: 38.9216,
    short: 'VANGUARD GLB STOCK',
  },
  {
    name: 'Fidelity Funds - Global Technology Fund A-Acc-EUR',
    country: 'LU',
    price: 61.05,
    short: 'FIDELITY GLB TECH',
  },
  {
    name: 'Amundi Index MSCI Emerging Markets AE-C',
    country: 'LU',
    price: 132.4011,
    short: 'AMUNDI MSCI EM',
  },
  {
    name: 'Pictet - Global Megatrend Selection R EUR',
    country: 'LU',
    price: 384.17,
    short: 'PICTET MEGATREND',
  },
  { name: 'DWS Concept Kaldemorgen LC', country: 'LU', price: 168.9037, short: 'DWS KALDEMORGEN' },
];

export const EQUITIES: readonly Security[] = [
  { name: 'Iberdrola SA', isinBody: 'ES0144580Y1', price: 12.86, short: 'IBERDROLA' },
  { name: 'Banco Santander SA', isinBody: 'ES0113900J3', price: 5.92, short: 'BANCO SANTANDER' },
  { name: 'Industria de Diseño Textil SA', isinBody: 'ES014839600', price: 48.31, short: 'INDITEX' },
  { name: 'Telefónica SA', isinBody: 'ES0178430E1', price: 3.94, short: 'TELEFONICA' },
  { name: 'Banco Bilbao Vizcaya Argentaria SA', isinBody: 'ES011321183', price: 11.24, short: 'BBVA' },
  { name: 'Repsol SA', isinBody: 'ES017351611', price: 13.47, short: 'REPSOL' },
  { name: 'Amadeus IT Group SA', isinBody: 'ES010906701', price: 67.12, short: 'AMADEUS' },
  { name: 'CaixaBank SA', isinBody: 'ES014060901', price: 5.63, short: 'CAIXABANK' },
];

export const ETFS: readonly Security[] = [
  {
    name: 'iShares Core MSCI World UCITS ETF',
    isinBody: 'IE00B4L5Y98',
    price: 98.42,
    short: 'ISHARES MSCI WORLD',
  },
  {
    name: 'Vanguard FTSE All-World UCITS ETF (Acc)',
    isinBody: 'IE00BK5BQT8',
    price: 128.06,
    short: 'VANGUARD ALL-WORLD',
  },
  { name: 'iShares Core S&P 500 UCITS ETF', isinBody: 'IE00B5BMR08', price: 561.3, short: 'ISHARES S&P 500' },
  {
    name: 'iShares Core MSCI EM IMI UCITS ETF',
    isinBody: 'IE00BKM4GZ6',
    price: 33.87,
    short: 'ISHARES MSCI EM IMI',
  },
];

/** Spanish government debt; `price` is per bond of 1,000 EUR nominal. */
export const BONDS: readonly Security[] = [
  {
    name: 'Obligaciones del Estado 3,45% 30/07/2034',
    country: 'ES',
    price: 1023.5,
    short: 'OBLIG ESTADO 2034',
  },
  { name: 'Bonos del Estado 2,50% 31/05/2027', country: 'ES', price: 1004.2, short: 'BONOS ESTADO 2027' },
  {
    name: 'Obligaciones del Estado 3,15% 30/04/2033',
    country: 'ES',
    price: 1008.1,
    short: 'OBLIG ESTADO 2033',
  },
];

export const PENSION_PLANS: readonly Security[] = [
  {
    name: "Plan Naranja Standard & Poor's 500, PP",
    country: 'ES',
    price: 18.2261,
    short: 'PLAN NARANJA SP500',
  },
  { name: 'Santander Futuro 2040, PP', country: 'ES', price: 9.8754, short: 'SANTANDER FUT 2040' },
  {
    name: 'Indexa Más Rentabilidad Acciones, PP',
    country: 'ES',
    price: 17.0432,
    short: 'INDEXA ACCIONES PP',
  },
  { name: 'Bestinver Previsión, PP', country: 'ES', price: 31.6108, short: 'BESTINVER PREVISION' },
];

export const FIRST_NAMES: readonly string[] = [
  'María',
  'Lucía',
  'Carmen',
  'Ana',
  'Laura',
  'Marta',
  'Elena',
  'Isabel',
  'Raquel',
  'Cristina',
  'Javier',
  'Carlos',
  'Pablo',
  'Alejandro',
  'David',
  'Sergio',
  'Jorge',
  'Daniel',
  'Manuel',
  'Álvaro',
];

export const SURNAMES: readonly string[] = [
  'García',
  'Fernández',
  'González',
  'Rodríguez',
  'López',
  'Martínez',
  'Sánchez',
  'Pérez',
  'Gómez',
  'Martín',
  'Jiménez',
  'Ruiz',
  'Hernández',
  'Díaz',
  'Moreno',
  'Álvarez',
  'Romero',
  'Navarro',
  'Torres',
  'Domínguez',
  'Vázquez',
  'Castillo',
  'Ortega',
  'Serrano',
];

export const CITIES: readonly { city: string; province: string; postalPrefix: string; streets: string[] }[] =
  [
    {
      city: 'Madrid',
      province: 'Madrid',
      postalPrefix: '280',
      streets: ['Calle de Alcalá', 'Calle de Serrano', 'Paseo de la Castellana', 'Calle de Bravo Murillo'],
    },
    {
      city: 'Barcelona',
      province: 'Barcelona',
      postalPrefix: '080',
      streets: [
        'Carrer de Mallorca',
        'Avinguda Diagonal',
        'Carrer de Balmes',
        'Gran Via de les Corts Catalanes',
      ],
    },
    {
      city: 'Valencia',
      province: 'Valencia',
      postalPrefix: '460',
      streets: ['Calle de Colón', 'Avenida del Puerto', 'Calle de Cirilo Amorós'],
    },
    {
      city: 'Sevilla',
      province: 'Sevilla',
      postalPrefix: '410',
      streets: ['Calle Sierpes', 'Avenida de la Constitución', 'Calle Asunción'],
    },
    {
      city: 'Bilbao',
      province: 'Bizkaia',
      postalPrefix: '480',
      streets: ['Gran Vía de Don Diego López de Haro', 'Calle Ercilla', 'Alameda de Recalde'],
    },
    {
      city: 'Málaga',
      province: 'Málaga',
      postalPrefix: '290',
      streets: ['Calle Larios', 'Avenida de Andalucía', 'Calle Carretería'],
    },
    {
      city: 'Zaragoza',
      province: 'Zaragoza',
      postalPrefix: '500',
      streets: ['Paseo de la Independencia', 'Calle Alfonso I', 'Avenida de Goya'],
    },
  ];

export const EMPLOYERS: readonly string[] = [
  'SOLUCIONES TECNOLOGICAS DEL NORTE SL',
  'GRUPO LOGISTICO IBERICO SA',
  'CONSULTORA ATLANTICA DE GESTION SL',
  'DISTRIBUCIONES LEVANTE SA',
  'CLINICA DENTAL SONRISA SL',
  'INGENIERIA Y PROYECTOS MEDITERRANEO SL',
];

/** [statement text, category, min €, max €] */
type Merchant = readonly [string, string, number, number];

export const SUPERMARKETS: readonly Merchant[] = [
  ['MERCADONA', 'Supermercados', 18, 140],
  ['CARREFOUR', 'Supermercados', 15, 120],
  ['LIDL', 'Supermercados', 12, 85],
  ['DIA', 'Supermercados', 8, 45],
  ['CONSUM', 'Supermercados', 14, 90],
];

export const CARD_MERCHANTS: readonly Merchant[] = [
  ['AMAZON EU SARL', 'Compras', 8, 90],
  ['REPSOL ESTACION DE SERVICIO', 'Combustible', 35, 75],
  ['EL CORTE INGLES', 'Compras', 20, 180],
  ['RENFE VIAJEROS', 'Transporte', 12, 85],
  ['ZARA', 'Ropa y complementos', 19, 120],
  ['RESTAURANTE LA TAGLIATELLA', 'Restauración', 25, 70],
  ['CAFETERIA EL RINCON', 'Restauración', 3, 14],
  ['FARMACIA LCDA. ORTEGA', 'Salud', 4, 35],
  ['CINESA', 'Ocio', 8, 25],
  ['IKEA', 'Hogar', 15, 220],
];

export const UTILITIES: readonly Merchant[] = [
  ['RECIBO IBERDROLA CLIENTES SAU', 'Suministros', 45, 120],
  ['RECIBO ENDESA ENERGIA SAU', 'Suministros', 40, 115],
  ['RECIBO NATURGY IBERIA SA', 'Suministros', 38, 110],
];

export const TELECOMS: readonly Merchant[] = [
  ['RECIBO TELEFONICA DE ESPAÑA SAU', 'Comunicaciones', 39.9, 65],
  ['RECIBO VODAFONE ESPAÑA SAU', 'Comunicaciones', 35, 60],
  ['RECIBO ORANGE ESPAGNE SAU', 'Comunicaciones', 30, 55],
];
