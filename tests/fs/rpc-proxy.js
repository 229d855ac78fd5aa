// A JSON-RPC proxy in front of the devnet's chain for the mount tests.
// It forwards every request and logs one line per HTTP request: the method,
// "batch M1,M2,..." for a JSON-RPC batch, and for eth_sendRawTransaction a
// digest of the signed bytes (so a test can tell that every broadcast
// carried the same transaction). What it does besides
// is one word in MODE_FILE, read at each request:
//
//   proxy        forward unchanged
//   drop-reply   forward the next eth_sendRawTransaction to the chain, then
//                cut the connection instead of answering (once; the mode
//                file then says proxy)
//   outage=MS    forward the next eth_sendRawTransaction and its answer,
//                then answer nothing for MS ms: every connection is cut as
//                it arrives (once)
//
// It listens on 127.0.0.1 only and exits by itself when the process that
// started it is gone, or after an hour.
//
// usage: node rpc-proxy.js PORT UPSTREAM_URL LOG MODE_FILE
'use strict';
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');

const [port, upstream, logFile, modeFile] = process.argv.slice(2);
const parent = process.ppid;
let outageUntil = 0;

function mode() {
    try {
        return fs.readFileSync(modeFile, 'utf8').trim() || 'proxy';
    } catch {
        return 'proxy';
    }
}

function log(line) {
    fs.appendFileSync(logFile, line + '\n');
}

function forward(body, done) {
    const u = new URL(upstream);
    const up = http.request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (ur) => {
            const chunks = [];
            ur.on('data', (c) => chunks.push(c));
            ur.on('end', () => done(ur.statusCode, Buffer.concat(chunks)));
        });
    up.on('error', (e) => done(502, Buffer.from(String(e))));
    up.end(body);
}

const server = http.createServer((req, res) => {
    if (Date.now() < outageUntil) {
        log('cut (outage)');
        req.socket.destroy();
        return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        const body = Buffer.concat(chunks);
        let call = {};
        try {
            call = JSON.parse(body.toString());
        } catch {
            /* forwarded as it is */
        }
        const send = call.method === 'eth_sendRawTransaction';
        const m = mode();
        log(send ? `${call.method} ${crypto.createHash('sha256').update(String(call.params[0])).digest('hex').slice(0, 16)}`
            : Array.isArray(call) ? `batch ${call.map((c) => c.method).join(',')}`
            : String(call.method));
        forward(body, (status, answer) => {
            if (send && m === 'drop-reply') {
                fs.writeFileSync(modeFile, 'proxy\n');
                log('reply dropped');
                req.socket.destroy();
                return;
            }
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(answer);
            const o = /^outage=(\d+)$/.exec(m);
            if (send && o) {
                fs.writeFileSync(modeFile, 'proxy\n');
                outageUntil = Date.now() + Number(o[1]);
                log(`outage for ${o[1]} ms`);
            }
        });
    });
});
server.on('connection', (sock) => {
    if (Date.now() < outageUntil)
        sock.destroy();
});
server.listen(Number(port), '127.0.0.1', () => console.log(`listening on ${port}`));

const started = Date.now();
setInterval(() => {
    let alive = true;
    try {
        process.kill(parent, 0);
    } catch {
        alive = false;
    }
    if (!alive || Date.now() - started > 3600 * 1000)
        process.exit(0);
}, 1000).unref();
