#!/usr/bin/env node
// Hugging Face's tokenizers library (the Rust crate behind the npm package
// `tokenizers`, loaded as a native addon) counting a JSON-lines dataset
// with the provider's per-row rule, as tests/tokenizer/ref-count.cjs does
// for the JavaScript reference. Rows are parsed in JavaScript and their
// strings sent to the library in batches (encodeBatch, no special tokens).
//
//   node hf-count.cjs TOKENIZER_DIR DATASET.jsonl
//
// The library encodes a batch with rayon when parallelism is on: run with
// TOKENIZERS_PARALLELISM=false for one thread, with it true (and
// RAYON_NUM_THREADS=N) for N. Each batch is awaited before the next rows are
// parsed, so in single-thread mode no JavaScript work overlaps the
// encoding. Prints one line in ref-count.cjs's shape, plus encode_seconds:
// the time spent inside the library alone.
'use strict';
const fs = require('fs');
const path = require('path');

const BATCH = 2048;

// Appends to out the strings a row contributes by the provider's rule (an
// absent or null field contributes none).
function rowStrings(row, out) {
    const add = (s) => {
        if (s !== undefined && s !== null) out.push(s);
    };
    if (typeof row.instruction === 'string' && typeof row.output === 'string') {
        add(row.instruction);
        add(row.input);
        add(row.output);
        return;
    }
    if (Array.isArray(row.messages) && row.messages.length > 0) {
        let user = null, assistant = null;
        for (const m of row.messages) {
            if (m.role === 'user') user = m.content;
            else if (m.role === 'assistant') assistant = m.content;
        }
        add(user);
        add(assistant);
        return;
    }
    if (typeof row.text === 'string') {
        add(row.text);
        return;
    }
    throw new Error('row of no accepted shape');
}

async function main() {
    const [dir, file] = process.argv.slice(2);
    if (!dir || !file) {
        process.stderr.write('usage: hf-count.cjs TOKENIZER_DIR DATASET.jsonl\n');
        process.exit(2);
    }
    const { Tokenizer } = require('tokenizers');
    const t0 = process.hrtime.bigint();
    const tok = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
    const t1 = process.hrtime.bigint();
    let tokens = 0, rows = 0, encodeNs = 0n, batch = [];
    const flush = async () => {
        if (!batch.length) return;
        const e0 = process.hrtime.bigint();
        const enc = await tok.encodeBatch(batch, { addSpecialTokens: false });
        for (const e of enc) tokens += e.getLength();
        encodeNs += process.hrtime.bigint() - e0;
        batch = [];
    };
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(1 << 20);
    let rest = Buffer.alloc(0);
    const line = (b) => {
        const s = b.toString('utf8');
        if (/^[ \t\r]*$/.test(s)) return;
        rowStrings(JSON.parse(s), batch);
        rows++;
    };
    for (;;) {
        const r = fs.readSync(fd, buf, 0, buf.length, null);
        if (r === 0) break;
        const chunk = Buffer.concat([rest, buf.subarray(0, r)]);
        let at = 0, nl;
        while ((nl = chunk.indexOf(10, at)) >= 0) {
            line(chunk.subarray(at, nl));
            at = nl + 1;
            if (batch.length >= BATCH) await flush();
        }
        rest = Buffer.from(chunk.subarray(at));
    }
    if (rest.length) line(rest);
    await flush();
    fs.closeSync(fd);
    const t2 = process.hrtime.bigint();
    const secs = Number(t2 - t1) / 1e9;
    console.log(`tokens=${tokens} rows=${rows} load_seconds=${(Number(t1 - t0) / 1e9).toFixed(3)} ` +
                `seconds=${secs.toFixed(3)} encode_seconds=${(Number(encodeNs) / 1e9).toFixed(3)} ` +
                `tokens_per_s=${Math.round(tokens / secs)} ` +
                `peak_rss_kib=${process.resourceUsage().maxRSS}`);
}

main().catch((e) => {
    process.stderr.write(`hf-count.cjs: ${e.stack || e}\n`);
    process.exit(1);
});
