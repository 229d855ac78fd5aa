#!/usr/bin/env node
// The reference side of the token count: @lenml/tokenizers loading a
// tokenizer.json, and the provider's per-row rule (docs/protocol.md
// §P7.2) written independently of the C code.
//
//   node ref-count.cjs TOKENIZER_DIR DATASET.jsonl
//
// prints "tokens=N rows=N seconds=S tokens_per_s=R peak_rss_kib=K".
'use strict';
const fs = require('fs');
const path = require('path');

function loadReference(dir) {
    const { TokenizerLoader } = require('@lenml/tokenizers');
    const json = path.join(dir, 'tokenizer.json');
    const config = path.join(dir, 'tokenizer_config.json');
    return TokenizerLoader.fromPreTrained({
        tokenizerJSON: JSON.parse(fs.readFileSync(json, 'utf8')),
        tokenizerConfig: fs.existsSync(config) ? JSON.parse(fs.readFileSync(config, 'utf8'))
                                               : { tokenizer_class: 'Qwen2Tokenizer' },
    });
}

const n = (tok, s) => (s === undefined || s === null ? 0 : tok.encode(s).length);

function countRow(tok, row) {
    if (typeof row.instruction === 'string' && typeof row.output === 'string')
        return n(tok, row.instruction) + n(tok, row.input) + n(tok, row.output);
    if (Array.isArray(row.messages) && row.messages.length > 0) {
        let user = null, assistant = null;
        for (const m of row.messages) {
            if (m.role === 'user') user = m.content;
            else if (m.role === 'assistant') assistant = m.content;
        }
        return n(tok, user) + n(tok, assistant);
    }
    if (typeof row.text === 'string') return n(tok, row.text);
    throw new Error('row of no accepted shape');
}

// Line by line, so the reference's memory is not inflated by holding the
// whole file as one string.
function countDataset(tok, file) {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(1 << 20);
    let rest = Buffer.alloc(0), tokens = 0, rows = 0;
    const line = (b) => {
        const s = b.toString('utf8');
        if (/^[ \t\r]*$/.test(s)) return;
        tokens += countRow(tok, JSON.parse(s));
        rows++;
    };
    for (;;) {
        const r = fs.readSync(fd, buf, 0, buf.length, null);
        if (r === 0) break;
        let chunk = Buffer.concat([rest, buf.subarray(0, r)]);
        let at = 0, nl;
        while ((nl = chunk.indexOf(10, at)) >= 0) {
            line(chunk.subarray(at, nl));
            at = nl + 1;
        }
        rest = Buffer.from(chunk.subarray(at));
    }
    if (rest.length) line(rest);
    fs.closeSync(fd);
    return { tokens, rows };
}

module.exports = { loadReference, countRow, countDataset };

if (require.main === module) {
    const [dir, file] = process.argv.slice(2);
    if (!dir || !file) {
        process.stderr.write('usage: ref-count.cjs TOKENIZER_DIR DATASET.jsonl\n');
        process.exit(2);
    }
    const t0 = process.hrtime.bigint();
    const tok = loadReference(dir);
    const t1 = process.hrtime.bigint();
    const { tokens, rows } = countDataset(tok, file);
    const t2 = process.hrtime.bigint();
    const secs = Number(t2 - t1) / 1e9;
    console.log(`tokens=${tokens} rows=${rows} load_seconds=${(Number(t1 - t0) / 1e9).toFixed(3)} ` +
                `seconds=${secs.toFixed(3)} tokens_per_s=${Math.round(tokens / secs)} ` +
                `peak_rss_kib=${process.resourceUsage().maxRSS}`);
}
