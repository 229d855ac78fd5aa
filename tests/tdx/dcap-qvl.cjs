// node dcap-qvl.cjs QUOTE COLLATERAL TIME [ROOT_PEM]: Phala's dcap-qvl (npm
// @phala/dcap-qvl, pinned in contrib/npm/package.json) on one quote, for the
// cross-check. Prints "status STATUS" or "error MESSAGE". The quote file is
// raw bytes, hex text or a dstack document, as tdx_check reads it.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { QuoteVerifier } = require('@phala/dcap-qvl/src/verify.js');

const [quotePath, colPath, time, rootPath] = process.argv.slice(2);
let raw = fs.readFileSync(quotePath);
const text = raw.toString('latin1');
if (text.startsWith('{')) raw = Buffer.from(JSON.parse(text).quote, 'hex');
else if (/^(0x)?[0-9a-fA-F]+\n?$/.test(text)) raw = Buffer.from(text.trim().replace(/^0x/, ''), 'hex');
const collateral = JSON.parse(fs.readFileSync(colPath, 'utf8'));
const verifier = rootPath
  ? QuoteVerifier.newWithRootCa(new crypto.X509Certificate(fs.readFileSync(rootPath)).raw)
  : QuoteVerifier.newProd();
try {
  const r = verifier.verify(raw, collateral, Number(time));
  console.log(`status ${r.status}`);
} catch (e) {
  console.log(`error ${e.message}`);
}
