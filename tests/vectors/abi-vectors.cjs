#!/usr/bin/env node
// Known-answer vectors for the ABI encoder/decoder (src/chain/abi.c),
// computed by ethers so that the C code is checked against an independent
// implementation rather than against itself.
//
// Run (ethers must be resolvable, e.g. from NODE_PATH):
//   NODE_PATH=/path/to/node_modules node tests/vectors/abi-vectors.cjs > abi.json
//   build/tests/unit/test_abi abi.json
//
// Output (one JSON object, deterministic: no randomness, no clock):
//   { "generator": "ethers <version>",
//     "vectors":   [ { "name", "type", "values", "encoded" } ],
//     "selectors": [ { "signature", "selector" } ] }
// "type" is tuple type text "(T1,...,Tn)"; "encoded" is abi.encode of the
// members, i.e. ethers AbiCoder.encode([T1..Tn], values). Values in JSON:
// uint/int as decimal strings (may be negative), address/bytes/bytesN as
// 0x-hex, bool as true/false, string as a JSON string, arrays and tuples as
// JSON arrays. Nothing generated here is committed.
'use strict';

const ethers = require('ethers');

const coder = ethers.AbiCoder.defaultAbiCoder();

// Deterministic byte source, so the output is identical on every run.
let seed = 0x0123abcd;
function nextByte() {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) & 0xff;
}
function hexBytes(n) {
    let s = '0x';
    for (let i = 0; i < n; i++) s += nextByte().toString(16).padStart(2, '0');
    return s;
}
function text(n) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_ ';
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[nextByte() % alphabet.length];
    return s;
}
function randUint(bits) {
    let v = 0n;
    for (let i = 0; i < bits / 8; i++) v = (v << 8n) | BigInt(nextByte());
    return v;
}

// A plausible value for any ParamType; sizes kept small but non-trivial.
function gen(pt, depth = 0) {
    if (pt.baseType === 'array') {
        const n = pt.arrayLength >= 0 ? pt.arrayLength : [0, 1, 2, 3][nextByte() % 4];
        return Array.from({ length: n }, () => gen(pt.arrayChildren, depth + 1));
    }
    if (pt.baseType === 'tuple') return pt.components.map((c) => gen(c, depth + 1));
    if (pt.type === 'address') return hexBytes(20);
    if (pt.type === 'bool') return nextByte() % 2 === 1;
    if (pt.type === 'string') return text([0, 5, 31, 32, 33, 40][nextByte() % 6]);
    if (pt.type === 'bytes') return hexBytes([0, 1, 32, 33, 65][nextByte() % 5]);
    let m = /^bytes(\d+)$/.exec(pt.type);
    if (m) return hexBytes(Number(m[1]));
    m = /^(u?)int(\d+)$/.exec(pt.type);
    if (m) {
        const bits = Number(m[2]);
        const r = randUint(bits);
        if (m[1] === 'u') return r >> BigInt(nextByte() % bits);
        const half = 1n << BigInt(bits - 1);
        return (r % (2n * half)) - half;
    }
    throw new Error('no generator for ' + pt.type);
}

// JSON form of a value (BigInt -> decimal string; everything else as is).
function jsonValue(v) {
    if (Array.isArray(v)) return v.map(jsonValue);
    if (typeof v === 'bigint') return v.toString();
    return v;
}

const vectors = [];
function add(name, types, values) {
    const encoded = coder.encode(types, values);
    // Round-trip through ethers' own decoder to catch a bad vector early.
    coder.decode(types, encoded);
    vectors.push({ name, type: '(' + types.join(',') + ')', values: jsonValue(values), encoded });
}
function addGen(name, types, count = 1) {
    for (let i = 0; i < count; i++) {
        const values = types.map((t) => gen(ethers.ParamType.from(t)));
        add(count > 1 ? `${name} #${i}` : name, types, values);
    }
}

// ---- every scalar kind, with boundaries
for (let bits = 8; bits <= 256; bits += 8) {
    const max = (1n << BigInt(bits)) - 1n;
    add(`uint${bits} 0/1/max`, [`uint${bits}`, `uint${bits}`, `uint${bits}`], [0n, 1n, max]);
    const hi = (1n << BigInt(bits - 1)) - 1n;
    add(`int${bits} min/-1/0/max`, [`int${bits}`, `int${bits}`, `int${bits}`, `int${bits}`],
        [-hi - 1n, -1n, 0n, hi]);
}
add('int256 small negatives', ['int256', 'int64', 'int8'], [-2n, -1000000000000000000n, -128n]);
add('address zero/value', ['address', 'address'],
    ['0x0000000000000000000000000000000000000000', '0xa02b95aa6886b1116c4f334ede00381511e31a09']);
add('bool false/true', ['bool', 'bool'], [false, true]);
for (const n of [1, 2, 4, 20, 31, 32])
    add(`bytes${n}`, [`bytes${n}`], [hexBytes(n)]);

// ---- bytes and string lengths around the word size
for (const n of [0, 1, 31, 32, 33, 100]) {
    add(`bytes length ${n}`, ['bytes'], [hexBytes(n)]);
    add(`string length ${n}`, ['string'], [text(n)]);
}
add('string utf-8', ['string'], ['héllo ✓ 0G – 微调']);
add('string and bytes mixed with statics', ['uint256', 'string', 'bool', 'bytes', 'address'],
    [7n, 'fine-tuning-v1.0', true, hexBytes(65), '0x' + '11'.repeat(20)]);

// ---- arrays
add('empty arrays', ['uint256[]', 'string[]', 'bytes[]'], [[], [], []]);
add('string[]', ['string[]'], [['', 'a', text(31), text(32), text(33), text(100)]]);
add('bytes[]', ['bytes[]'], [['0x', hexBytes(1), hexBytes(32), hexBytes(33)]]);
add('address[] (retrieveFund)', ['address[]', 'string'],
    [['0xa02b95aa6886b1116c4f334ede00381511e31a09', '0x' + '22'.repeat(20)], 'fine-tuning-v1.0']);
add('uint256[][]', ['uint256[][]'], [[[1n, 2n], [], [3n]]]);
add('string[][]', ['string[][]'], [[['a', 'bc'], [], ['', text(40)]]]);
add('uint8[] of many', ['uint8[]'], [Array.from({ length: 40 }, (_, i) => BigInt(i))]);
add('int16[] negatives', ['int16[]'], [[-32768n, -1n, 0n, 1n, 32767n]]);
add('bool[]', ['bool[]'], [[true, false, true]]);

// ---- fixed arrays
add('uint256[3]', ['uint256[3]'], [[1n, 2n, 3n]]);
add('address[2] then uint', ['address[2]', 'uint256'],
    [['0x' + '01'.repeat(20), '0x' + 'fe'.repeat(20)], 42n]);
add('string[2] (dynamic fixed)', ['string[2]'], [['x', text(50)]]);
add('uint8[2][3]', ['uint8[2][3]'], [[[1n, 2n], [3n, 4n], [5n, 6n]]]);
add('bytes32[2][]', ['bytes32[2][]'], [[[hexBytes(32), hexBytes(32)]]]);
add('string[][2]', ['string[][2]'], [[['a'], ['b', 'c']]]);
add('(uint256,bool)[2]', ['(uint256,bool)[2]'], [[[5n, true], [6n, false]]]);
add('(string,uint8)[2] dynamic', ['(string,uint8)[2]'], [[['s1', 1n], ['s2', 2n]]]);

// ---- nested tuples, arrays of tuples
add('static tuple', ['(uint256,address,bool)', 'uint8'],
    [[1n, '0x' + '33'.repeat(20), true], 9n]);
add('nested dynamic tuple', ['(uint256,(string,bytes)[],(bool,(address,string[])))'],
    [[1n, [['a', '0x01'], ['', '0x']], [true, ['0x' + '44'.repeat(20), ['x', 'yz']]]]]);
add('tuple of tuples of arrays', ['((uint256[],string)[],(bytes32,int8)[])'],
    [[[[[1n, 2n], 'one'], [[], 'two']], [[hexBytes(32), -5n]]]]);
addGen('generated deep', ['(uint64,(string[],(bytes,int32)[2])[],bool)[]', 'bytes4'], 3);

// ---- the 0G structs (docs/protocol.md §C3)
const QUOTA = '(uint256,uint256,uint256,uint256,string)';
const FT_SERVICE = `(address,string,${QUOTA},uint256,bool,string[],address,bool)`;
const REFUND = '(uint256,uint256,uint256,bool)';
const DELIVERABLE = '(string,bytes,bytes,bool,uint248,bool)';
const ACCOUNT_DETAILS =
    `(address,address,uint256,uint256,uint256,${REFUND}[],string,${DELIVERABLE}[],uint256,uint256,uint256,bool)`;
const LEDGER = '(address,uint256,uint256,string)';
const SERVICE_INFO = '(address,address,string,string,string,string,bool,uint256)';
const ACCOUNT_SUMMARY = '(address,address,uint256,uint256,uint256,string,uint256,uint256,bool)';
const VERIFIER_INPUT = '(string,bytes,bytes,uint256,bytes,uint256,address)';

add('FT Service (getService)', [FT_SERVICE], [[
    '0xa02b95aa6886b1116c4f334ede00381511e31a09', 'https://provider.example:3080',
    [8n, 65536n, 1n, 1048576n, 'H100'], 1000000000n, false,
    ['Qwen2.5-0.5B-Instruct', 'my-model'], '0x' + '5a'.repeat(20), true]]);
addGen('FT Service[] (getAllServices)', [FT_SERVICE + '[]'], 2);
add('AccountDetails (getAccount)', [ACCOUNT_DETAILS], [[
    '0x' + '0a'.repeat(20), '0x' + '0b'.repeat(20), 3n, 5000000000000000000n,
    1000000000000000000n,
    [[0n, 1000000000000000000n, 1760000000n, false], [1n, 0n, 1760000100n, false]],
    '',
    [['3e385c46-f5dc-4e93-b713-63ab7a987ae3', '0x' + 'ab'.repeat(32), '0x', true, 1760000000n, false],
     ['5f0c2b6a-0000-4e93-b713-63ab7a987ae3', hexBytes(32), hexBytes(113), true, 1760000500n, true]],
    1n, 0n, 2n, true]]);
addGen('AccountDetails generated', [ACCOUNT_DETAILS], 2);
add('Deliverable (getDeliverable, docs/protocol.md C3.4)', [DELIVERABLE],
    [['3e385c46-f5dc-4e93-b713-63ab7a987ae3', '0x' + 'ab'.repeat(32), '0x', true, 1760000000n, false]]);
addGen('Deliverable[] (getDeliverables)', [DELIVERABLE + '[]'], 2);
addGen('Ledger (getLedger)', [LEDGER]);
addGen('Ledger[] and total (getAllLedgers)', [LEDGER + '[]', 'uint256'], 2);
addGen('ServiceInfo[] (getAllActiveServices)', [SERVICE_INFO + '[]']);
addGen('AccountSummary[] and total (getAccountsByUser)', [ACCOUNT_SUMMARY + '[]', 'uint256'], 2);
addGen('VerifierInput (settleFees)', [VERIFIER_INPUT]);
addGen('getAllVersions', ['string[]', 'address[]', 'bool[]']);
add('addOrUpdateService args', ['string', QUOTA, 'uint256', 'bool', 'string[]', 'address'],
    ['https://p.example', [1n, 2n, 3n, 4n, 'A100'], 10n, true, ['m1'], '0x' + '77'.repeat(20)]);

// ---- selectors (docs/protocol.md §C2 lists the expected ones)
const signatures = [
    'addLedger(string)', 'depositFund()', 'depositFundFor(address)', 'refund(uint256)',
    'transferFund(address,string,uint256)', 'retrieveFund(address[],string)', 'deleteLedger()',
    'getLedger(address)', 'getAllLedgers(uint256,uint256)', 'getLedgerProviders(address,string)',
    'getService(address)', 'getAllServices()', 'getAccount(address,address)',
    'getDeliverable(address,address,string)', 'getDeliverables(address,address)',
    'acknowledgeTEESigner(address,bool)', 'acknowledgeDeliverable(address,string)',
    `addOrUpdateService(string,${QUOTA},uint256,bool,string[],address)`,
    `settleFees(${VERIFIER_INPUT})`, 'revokeTokens(address,uint8[])',
];
const selectors = signatures.map((s) => ({ signature: s, selector: ethers.id(s).slice(0, 10) }));

process.stdout.write(JSON.stringify({ generator: `ethers ${ethers.version}`, vectors, selectors },
    null, 1) + '\n');
