// A stand-in fine-tuning provider for the mount tests, listening on the URL
// the devnet registered for its second (unacknowledged) provider, where
// nothing else listens. It forwards every request to the simulator behind
// the first provider and logs "METHOD URL" per request (with " range=R"
// when the request has a Range header), so a test can count what zgfs asks,
// and it can be told to lie (one word in MODE_FILE, read at each request):
//
//   proxy          forward unchanged: the quote is bound to the FIRST
//                  provider's TEE signer, not the one this provider has on
//                  chain
//   rebind         the document's report_data re-bound to SIGNER (both
//                  layouts); the TDX quote inside still carries the old one
//   forge          rebind, and the signed TDX quote's own report_data too:
//                  what a forger without the TEE's keys can make (the
//                  quote's signature no longer verifies)
//   forge-tamper   forge, and tcb_info.app_compose edited so that it no
//                  longer hashes to the event log's compose-hash
//   garbage        /v1/quote answers a body that is not JSON
//   file:PATH      /v1/quote answers the bytes of PATH (either layout)
//   nousage        /v1/model/desc/NAME answers 400 "... detail usage file
//                  not found", as a provider without a usage file does
//   norange        Range headers are not forwarded: every file comes whole
//                  with 200, as from a server that ignores ranges
//   delay-task=MS  a task creation (POST /v1/user/ADDR/task) is read whole,
//                  then held MS ms before it goes on to the simulator, which
//                  creates the task even if the client is gone by then (as a
//                  provider busy with a request it has received does)
//   silent         every request is read and never answered: the connection
//                  stays open and nothing comes back (a provider that hangs)
//   reset          the simulator's answer goes out with its headers and the
//                  first half of its body, then the connection is reset
//                  (TCP RST): an answer cut in the middle of its body
//
// It listens on 127.0.0.1 only and exits by itself when the process that
// started it is gone.
//
// usage: node provider-proxy.js PORT UPSTREAM_URL LOG MODE_FILE SIGNER
'use strict';
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');
const { getAddress } = require('ethers');

const [port, upstream, logFile, modeFile, signer] = process.argv.slice(2);

function mode() {
    try {
        return fs.readFileSync(modeFile, 'utf8').trim() || 'proxy';
    } catch {
        return 'proxy';
    }
}

// report_data for SIGNER in the layout the request asks for (§5.2).
function reportData(legacy) {
    const rd = Buffer.alloc(64);
    if (legacy) {
        rd.write(getAddress(signer), 0, 'ascii');
    } else {
        crypto.createHash('sha256').update('zg-test enc_pub').digest().copy(rd, 0);
        Buffer.from(signer.slice(2), 'hex').copy(rd, 32);
        rd.writeUInt32BE(1, 52);
    }
    return rd.toString('base64');
}

function rewriteQuote(body, legacy, m) {
    const doc = JSON.parse(body);
    doc.report_data = reportData(legacy);
    if (m.startsWith('forge')) {
        // TDX quote v4: 48-byte header, report_data at 520 in the TD report.
        const q = Buffer.from(doc.quote, 'hex');
        Buffer.from(doc.report_data, 'base64').copy(q, 48 + 520);
        doc.quote = q.toString('hex');
    }
    if (m === 'forge-tamper') {
        const tcb = JSON.parse(doc.tcb_info);
        tcb.app_compose = tcb.app_compose.replace('devnet-simulator', 'devnet-evil-twin');
        doc.tcb_info = JSON.stringify(tcb);
    }
    return JSON.stringify(doc);
}

function delayTask(req, res, ms) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => setTimeout(() => {
        const body = Buffer.concat(chunks);
        const u = new URL(req.url, upstream);
        const headers = { ...req.headers, host: u.host, 'content-length': body.length };
        const up = http.request(u, { method: req.method, headers }, (ur) => {
            fs.appendFileSync(logFile, `forwarded ${req.method} ${req.url} after ${ms} ms: ${ur.statusCode}\n`);
            if (req.socket.destroyed) {
                ur.resume();
                return;
            }
            res.writeHead(ur.statusCode, ur.headers);
            ur.pipe(res);
        });
        up.on('error', (e) => {
            if (!req.socket.destroyed) {
                res.writeHead(502);
                res.end(String(e));
            }
        });
        up.end(body);
    }, ms));
}

http.createServer((req, res) => {
    const range = req.headers.range ? ` range=${req.headers.range}` : '';
    fs.appendFileSync(logFile, `${req.method} ${req.url}${range}\n`);
    const m = mode();
    if (m === 'norange') delete req.headers.range;
    const path = req.url.split('?')[0];
    if (m === 'nousage' && path.startsWith('/v1/model/desc/')) {
        const name = decodeURIComponent(path.slice('/v1/model/desc/'.length));
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `Model ${name} detail usage file not found` }));
        return;
    }
    const delay = /^delay-task=(\d+)$/.exec(m);
    if (delay && req.method === 'POST' && /^\/v1\/user\/[^/]+\/task$/.test(path)) {
        delayTask(req, res, Number(delay[1]));
        return;
    }
    if (m === 'silent') {
        req.resume(); // read it all, answer nothing
        return;
    }
    if (m === 'garbage' && path === '/v1/quote') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('<html>not an attestation</html>');
        return;
    }
    if (m.startsWith('file:') && path === '/v1/quote') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(fs.readFileSync(m.slice(5)));
        return;
    }
    const u = new URL(req.url, upstream);
    const up = http.request(u, { method: req.method, headers: { ...req.headers, host: u.host } }, (ur) => {
        if (m === 'reset') {
            const chunks = [];
            ur.on('data', (c) => chunks.push(c));
            ur.on('end', () => {
                const body = Buffer.concat(chunks);
                const headers = { ...ur.headers, 'content-length': body.length };
                delete headers['transfer-encoding'];
                res.writeHead(ur.statusCode, headers);
                res.write(body.subarray(0, Math.floor(body.length / 2)), () =>
                    setTimeout(() => req.socket.resetAndDestroy(), 100));
            });
            return;
        }
        if (path !== '/v1/quote' || !/^(rebind|forge)/.test(m) || ur.statusCode !== 200) {
            res.writeHead(ur.statusCode, ur.headers);
            ur.pipe(res);
            return;
        }
        const chunks = [];
        ur.on('data', (c) => chunks.push(c));
        ur.on('end', () => {
            const legacy = /[?&]legacy=(1|t|true)\b/i.test(req.url);
            const out = rewriteQuote(Buffer.concat(chunks).toString(), legacy, m);
            res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
            res.end(out);
        });
    });
    up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
    });
    req.pipe(up);
}).listen(Number(port), '127.0.0.1', () => console.log(`listening on ${port}`));

const parent = process.ppid;
setInterval(() => {
    try {
        process.kill(parent, 0);
    } catch {
        process.exit(0);
    }
}, 1000).unref();
