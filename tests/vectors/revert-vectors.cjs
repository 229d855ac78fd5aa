#!/usr/bin/env node
// Every custom error of the contracts the devnet deploys, read from the ABIs
// the pinned npm packages ship, with its selector and a revert payload
// encoded by ethers, for tests/unit/chain/test_revert.c: the table of
// src/chain/revert.c must know each error by its declared signature and
// decode its arguments.
//
// Run (the pinned node_modules directory as NODE_PATH):
//   NODE_PATH=/path/to/node_modules node tests/vectors/revert-vectors.cjs > revert.json
//   build/tests/unit/test_revert revert.json
//
// The contracts are those contrib/devnet/deploy.cjs deploys: LedgerManager,
// InferenceServing and FineTuningServing from @0gfoundation/0g-compute-ts-sdk,
// FixedPriceFlow and FixedPrice from @0gfoundation/0g-ts-sdk, and the
// UpgradeableBeacon/BeaconProxy of @openzeppelin/contracts.
//
// Output (one JSON object, deterministic):
//   { "generator": "ethers <version>",
//     "contracts": [ { "name", "package", "errors": N } ],
//     "errors": [ { "signature", "selector", "contracts": [names],
//                   "data": "0x" + selector + encoded arguments,
//                   "args": [ { "type", "text": { "a"|"u"|"o"|"s": rendering } } ] } ] }
// "text" holds how each directive of a sentence renders the argument: an
// address checksummed (a), a number in decimal (u) and as OG (o), a string
// as is (s). Nothing generated here is committed.
'use strict';

const fs = require('fs');
const path = require('path');

function nodeModules() {
    for (const d of (process.env.NODE_PATH || '').split(path.delimiter)) {
        if (d && fs.existsSync(path.join(d, 'ethers'))) return d;
    }
    return path.resolve(__dirname, '..', '..', '.cache', 'npm', 'node_modules');
}
const NM = nodeModules();
const ethers = require(path.join(NM, 'ethers'));

function die(msg) {
    process.stderr.write(`revert-vectors: ${msg}\n`);
    process.exit(1);
}

// The package's exports map blocks subpath require(), so factories are
// loaded by file path, found by name under the CommonJS build.
function factory(pkg, name) {
    const base = path.join(NM, ...pkg.split('/'), 'lib.commonjs');
    const want = `${name}__factory.js`;
    const stack = [base];
    while (stack.length) {
        const d = stack.pop();
        let ents;
        try {
            ents = fs.readdirSync(d, { withFileTypes: true });
        } catch (e) {
            die(`cannot read ${d}: ${e.message}`);
        }
        for (const e of ents) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) {
                if (e.name !== 'node_modules' && e.name !== '__tests__') stack.push(p);
            } else if (e.name === want && path.basename(d) === 'factories') {
                const F = require(p)[`${name}__factory`];
                if (!F || !Array.isArray(F.abi)) die(`${p} has no abi`);
                return F.abi;
            }
        }
    }
    die(`${want} not found in ${pkg}`);
}

function ozArtifact(name) {
    const p = path.join(NM, '@openzeppelin', 'contracts', 'build', 'contracts', `${name}.json`);
    return JSON.parse(fs.readFileSync(p, 'utf8')).abi;
}

const SOURCES = [
    ['LedgerManager', '@0gfoundation/0g-compute-ts-sdk', factory],
    ['InferenceServing', '@0gfoundation/0g-compute-ts-sdk', factory],
    ['FineTuningServing', '@0gfoundation/0g-compute-ts-sdk', factory],
    ['FixedPriceFlow', '@0gfoundation/0g-ts-sdk', factory],
    ['FixedPrice', '@0gfoundation/0g-ts-sdk', factory],
    ['UpgradeableBeacon', '@openzeppelin/contracts', (_, n) => ozArtifact(n)],
    ['BeaconProxy', '@openzeppelin/contracts', (_, n) => ozArtifact(n)],
];

// One sample value per type; numbers chosen so that the OG rendering has a
// fraction and the decimal one is long.
function sample(type, i) {
    if (type === 'address') return ethers.getAddress('0x' + (0xa1 + i).toString(16).repeat(20));
    if (type === 'string') return `deliverable-${i}-7f3e`;
    if (type === 'bool') return i % 2 === 1;
    if (/^u?int\d*$/.test(type)) return 1234500000000000000n + BigInt(i) * 1000000000000000n;
    const m = /^bytes(\d+)$/.exec(type);
    if (m) return '0x' + (0x3c + i).toString(16).repeat(Number(m[1]));
    if (type === 'bytes') return '0x0102';
    die(`no sample for type ${type}`);
}

function og(v) {
    const whole = v / 10n ** 18n;
    let frac = (v % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '');
    return frac ? `${whole}.${frac}` : `${whole}`;
}

function text(type, v) {
    if (type === 'address') return { a: v };
    if (type === 'string') return { s: v };
    if (typeof v === 'bigint') return { u: v.toString(), o: og(v) };
    return {};
}

const coder = ethers.AbiCoder.defaultAbiCoder();
const contracts = [];
const bySig = new Map();
for (const [name, pkg, load] of SOURCES) {
    const abi = load(pkg, name);
    const errs = abi.filter((x) => x.type === 'error');
    contracts.push({ name, package: pkg, errors: errs.length });
    for (const e of errs) {
        const frag = ethers.ErrorFragment.from(e);
        const sig = frag.format('sighash');
        if (bySig.has(sig)) {
            bySig.get(sig).contracts.push(name);
            continue;
        }
        const types = frag.inputs.map((p) => p.format('sighash'));
        const values = types.map((t, i) => sample(t, i));
        const selector = ethers.id(sig).slice(0, 10);
        const data = selector + coder.encode(types, values).slice(2);
        bySig.set(sig, {
            signature: sig,
            selector,
            contracts: [name],
            data,
            args: types.map((t, i) => ({ type: t, text: text(t, values[i]) })),
        });
    }
}
for (const need of ['LedgerManager', 'InferenceServing', 'FineTuningServing']) {
    if (!contracts.find((c) => c.name === need && c.errors > 0)) die(`${need}'s ABI lists no errors`);
}

process.stdout.write(JSON.stringify({
    generator: `ethers ${ethers.version}`,
    contracts,
    errors: [...bySig.values()],
}, null, 1) + '\n');
