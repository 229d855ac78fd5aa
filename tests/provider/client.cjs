// A small client of zg-provider for the shell tests: signs requests the way
// the SDK does (docs/protocol.md §P1.4, §P6.2) and prints what came back.
//
//   node tests/provider/client.cjs DEVNET.json COMMAND ARGS...
//
// The acting wallet is accounts[$ZG_ROLE] of devnet.json (default "user").
// HTTP commands print "STATUS<TAB>BODY" on one line (BODY with newlines
// replaced by \n). Commands:
//   upload FILE [TS_OFFSET_S] [NAME]   dataset upload (multipart)
//   create DATASET_HASH [PARAMS_JSON] [MODEL_HASH] [WAIT]
//   get ID | list [QUERY] | log ID [USER] | pending
//   cancel ID
//   lora ID OUT [RANGE] [TS_OFFSET_S]  download; prints STATUS<TAB>LENGTH<TAB>CONTENT-RANGE
//   wait ID STATE [TIMEOUT_S]          poll until STATE or a terminal state; prints the last
//   ack ID                             acknowledgeDeliverable from the wallet
//   deliverable ID                     the on-chain deliverable as JSON
//   session                            an Authorization header value for the inference provider
//   keccak FILE                        keccak256 of a file
//   fund                               addLedger(3 OG) + transferFund 2 OG to the FT provider
//   fund-inf                           transferFund 1 OG to the inference provider
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const NM = process.env.ZG_NODE_MODULES || process.env.NODE_PATH ||
  path.resolve(__dirname, '..', '..', '.cache', 'npm', 'node_modules');
const ethers = createRequire(path.join(NM, 'noop.js'))('ethers');

const FT_ABI = [
  'function getDeliverable(address user, address provider, string id) view returns ((string id, bytes modelRootHash, bytes encryptedSecret, bool acknowledged, uint256 timestamp, bool settled))',
  'function acknowledgeDeliverable(address provider, string id)',
];
const LEDGER_ABI = [
  'function addLedger(string additionalInfo) payable',
  'function transferFund(address provider, string serviceName, uint256 amount)',
];

const flat = (s) => String(s).replace(/\n/g, '\\n');

async function http(method, url, body, headers = {}) {
  const opt = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (body instanceof FormData) opt.body = body;
    else {
      opt.body = JSON.stringify(body);
      opt.headers['Content-Type'] = 'application/json';
    }
  }
  const r = await fetch(url, opt);
  const text = await r.text();
  console.log(`${r.status}\t${flat(text)}`);
  return { status: r.status, text };
}

async function signHash(wallet, bytes) {
  return wallet.signMessage(ethers.getBytes(ethers.keccak256(bytes)));
}

async function main() {
  const [dnPath, cmd, ...a] = process.argv.slice(2);
  const dn = JSON.parse(fs.readFileSync(dnPath, 'utf8'));
  const role = process.env.ZG_ROLE || 'user';
  const rpc = new ethers.JsonRpcProvider(dn.rpc, dn.chainId, { staticNetwork: true });
  rpc.pollingInterval = 50;
  const wallet = new ethers.Wallet(dn.accounts[role].privateKey, rpc);
  const ftUrl = dn.providers.fineTuning.url;
  const infUrl = dn.providers.inference.url;
  const ftProv = dn.providers.fineTuning.address;
  const user = wallet.address;
  const base = `${ftUrl}/v1/user/${user}`;

  switch (cmd) {
    case 'upload': {
      const [file, off = '0', name] = a;
      const ts = Math.floor(Date.now() / 1000) + Number(off);
      const sig = await signHash(wallet, ethers.toUtf8Bytes(`${user}${ts}`));
      const fd = new FormData();
      fd.append('file', new Blob([fs.readFileSync(file)]), name || path.basename(file));
      if (process.env.NO_SIG !== '1') fd.append('signature', sig);
      fd.append('timestamp', String(ts));
      await http('POST', `${base}/dataset`, fd);
      break;
    }
    case 'create': {
      const [hash, params, model, wait] = a;
      const p = params || JSON.stringify({ neftune_noise_alpha: 5, num_train_epochs: 1,
        per_device_train_batch_size: 2, learning_rate: 0.0002, max_steps: -1 });
      const nonce = BigInt(Date.now()) * 10000n + 40n;
      const packed = ethers.concat([user, ethers.toBeHex(nonce, 32), ethers.toUtf8Bytes(hash)]);
      const signature = await signHash(wallet, packed);
      await http('POST', `${base}/task`, {
        userAddress: user,
        preTrainedModelHash: model || '0x029e68156eb71d1e02fb7fe8a720281145d552d03e4709628a4cf5bac69f5d42',
        datasetHash: hash, trainingParams: p, fee: '0', nonce: nonce.toString(), signature,
        wait: wait === 'true',
      });
      break;
    }
    case 'get': await http('GET', `${base}/task/${a[0]}`); break;
    case 'list': await http('GET', `${base}/task${a[0] ? '?' + a[0] : ''}`); break;
    case 'log': await http('GET', `${ftUrl}/v1/user/${a[1] || user}/task/${a[0]}/log`); break;
    case 'pending': await http('GET', `${ftUrl}/v1/task/pending`); break;
    case 'cancel': {
      const sig = await signHash(wallet, '0x' + a[0].replace(/-/g, ''));
      await http('POST', `${base}/task/${a[0]}/cancel`, { signature: sig });
      break;
    }
    case 'lora': {
      const [id, out, range, off = '0'] = a;
      const ts = Math.floor(Date.now() / 1000) + Number(off);
      const signature = await signHash(wallet, ethers.toUtf8Bytes(`${id.replace(/-/g, '')}${ts}`));
      const headers = { 'Content-Type': 'application/json' };
      if (range) headers.Range = range;
      const r = await fetch(`${base}/task/${id}/lora`, {
        method: 'POST', headers, body: JSON.stringify({ signature, timestamp: ts }),
      });
      const buf = Buffer.from(await r.arrayBuffer());
      fs.writeFileSync(out, buf);
      console.log(`${r.status}\t${buf.length}\t${r.headers.get('content-range') || ''}`);
      break;
    }
    case 'wait': {
      const [id, want, tmo = '60'] = a;
      const end = Date.now() + Number(tmo) * 1000;
      let p = '';
      while (Date.now() < end) {
        const r = await fetch(`${base}/task/${id}`);
        if (r.ok) {
          p = (await r.json()).progress;
          if (p === want || p === 'Failed' || p === 'Finished') break;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      console.log(p);
      break;
    }
    case 'ack': {
      const c = new ethers.Contract(dn.contracts.fineTuning, FT_ABI, wallet);
      await (await c.acknowledgeDeliverable(ftProv, a[0])).wait();
      console.log('acknowledged');
      break;
    }
    case 'deliverable': {
      const c = new ethers.Contract(dn.contracts.fineTuning, FT_ABI, rpc);
      const d = await c.getDeliverable(user, ftProv, a[0]);
      console.log(JSON.stringify({ id: d.id, modelRootHash: d.modelRootHash,
        encryptedSecret: d.encryptedSecret, acknowledged: d.acknowledged,
        timestamp: Number(d.timestamp), settled: d.settled }));
      break;
    }
    case 'session': {
      const ic = new ethers.Contract(dn.contracts.inference,
        ['function getAccount(address,address) view returns ((address,address,uint256,uint256,uint256,(uint256,uint256,uint256,bool)[],string,bool,uint256,uint256,uint256))'], rpc);
      let generation = 0;
      try { generation = Number((await ic.getAccount(user, dn.providers.inference.address))[9]); } catch (e) { /* no account */ }
      const ts = Date.now();
      const token = JSON.stringify({ address: user, provider: dn.providers.inference.address,
        timestamp: ts, expiresAt: ts + 3600000, nonce: 'test' + ts, generation, tokenId: 255 });
      const sig = await signHash(wallet, ethers.toUtf8Bytes(token));
      console.log(`Bearer app-sk-${Buffer.from(token + '|' + sig).toString('base64')}`);
      break;
    }
    case 'keccak': console.log(ethers.keccak256(fs.readFileSync(a[0]))); break;
    case 'fund': {
      const l = new ethers.Contract(dn.contracts.ledger, LEDGER_ABI, wallet);
      // Explicit nonces: back-to-back sends otherwise race ethers' nonce lookup.
      const n = await rpc.getTransactionCount(user, 'latest');
      await (await l.addLedger('', { value: 3n * 10n ** 18n, nonce: n })).wait();
      await (await l.transferFund(ftProv, dn.serviceNames.fineTuning, 2n * 10n ** 18n, { nonce: n + 1 })).wait();
      console.log('funded');
      break;
    }
    case 'fund-inf': {
      const l = new ethers.Contract(dn.contracts.ledger, LEDGER_ABI, wallet);
      await (await l.transferFund(dn.providers.inference.address, dn.serviceNames.inference, 10n ** 18n)).wait();
      console.log('funded');
      break;
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
  rpc.destroy();
}

main().catch((e) => {
  console.error(e && e.shortMessage ? e.shortMessage : (e && e.message) || e);
  process.exit(1);
});
