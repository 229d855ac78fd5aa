// The official JS storage SDK (@0gfoundation/0g-ts-sdk) against the devnet's
// storage nodes (two shards): Uploader / Downloader with a StorageNode for
// each, no indexer.
//
//   node tests/storage/sdk.cjs root FILE
//   node tests/storage/sdk.cjs upload DEVNET.json ROLE FILE    -> prints the root
//   node tests/storage/sdk.cjs download DEVNET.json ROOT DEST
//
// Loaded through NODE_PATH (tests/lib.sh sets it to .cache/npm/node_modules).
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const NM = process.env.ZG_NPM_DIR || path.resolve(__dirname, '..', '..', '.cache', 'npm', 'node_modules');
const req = createRequire(path.join(NM, 'noop.js'));
const ethers = req('ethers');
const sdk = req('@0gfoundation/0g-ts-sdk');

function die(msg) {
  process.stderr.write(`sdk.cjs: ${msg}\n`);
  process.exit(1);
}

// The SDK logs its progress on stdout; keep stdout for the answer.
const out = process.stdout.write.bind(process.stdout);
console.log = (...a) => process.stderr.write(`${a.map(String).join(' ')}\n`);

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'root') {
    const f = await sdk.ZgFile.fromFilePath(args[0]);
    const [tree, err] = await f.merkleTree();
    if (err) die(err);
    out(`${tree.rootHash()}\n`);
    await f.close();
    return;
  }
  const dn = JSON.parse(fs.readFileSync(args[0], 'utf8'));
  const nodes = dn.storage.nodes.map((u) => new sdk.StorageNode(u));
  if (cmd === 'upload') {
    const provider = new ethers.JsonRpcProvider(dn.rpc, dn.chainId, { staticNetwork: true });
    const signer = new ethers.Wallet(dn.accounts[args[1]].privateKey, provider);
    const flow = sdk.getFlowContract(dn.storage.flow, signer);
    const up = new sdk.Uploader(nodes, dn.rpc, flow);
    const f = await sdk.ZgFile.fromFilePath(args[2]);
    const [res, err] = await up.uploadFile(f, { finalityRequired: true });
    await f.close();
    if (err) die(`upload: ${err.message || err}`);
    out(`${res.rootHash} ${res.txSeq}\n`);
    provider.destroy();
    return;
  }
  if (cmd === 'download') {
    const d = new sdk.Downloader(nodes);
    const err = await d.download(args[1], args[2], true);
    if (err) die(`download: ${err.message || err}`);
    out('ok\n');
    return;
  }
  die(`unknown command ${cmd}`);
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
