#!/usr/bin/env node
// Deploy the real 0G serving contracts on a fresh anvil and seed it.
//
//   node contrib/devnet/deploy.cjs --rpc URL --port N --dir DIR --anvil-pid PID
//
// Called by contrib/devnet/up. Uses only the pinned npm packages installed by
// contrib/setup under <repo>/.cache/npm (override with ZG_NPM_DIR, the
// node_modules directory). Writes DIR/devnet.json and DIR/user.key (0600).
//
// The deployer's transaction order below is fixed: it makes the three proxies
// land on the official SDK's built-in chain-31337 addresses. Never add a
// deployer transaction before the last registerService/setRecommendedService.
//
// 0G Storage (the real FixedPriceFlow and FixedPrice market from the creation
// bytecode in the pinned @0gfoundation/0g-ts-sdk) is deployed last, from dev
// account 9, which nothing else uses: account 0's nonces stay as they were.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const NM = process.env.ZG_NPM_DIR ||
  path.resolve(__dirname, '..', '..', '.cache', 'npm', 'node_modules');
const req = createRequire(path.join(NM, 'noop.js'));
const ethers = req('ethers');

const MNEMONIC = 'test test test test test test test test test test test junk';
const CHAIN_ID = 31337n;
const LOCK_TIME = 86400n;
const PENALTY = 30n;
const OG = 10n ** 18n;
const STAKE = 100n * OG;
const USER_LEDGER = 10n * OG;
const USER_FT_TRANSFER = 2n * OG;
const FT_PRICE_PER_TOKEN = 10n ** 12n; // neuron
const FT_MODELS = ['zg-tiny-lora', 'deadbeef-lora'];
// 0G Storage on the devnet: the real Flow and market, nodes on the storage
// ports (contrib/devnet/README.md, storage-node/README.md).
const STORAGE_DEPLOYER = 9; // dev account index; not a role in devnet.json's accounts
const STORAGE_PRICE_PER_SECTOR = 10n ** 9n; // neuron per 256-byte sector
// No epoch processing: each elapsed epoch costs a submit ~80k gas, 0 never ends.
const STORAGE_BLOCKS_PER_EPOCH = 10n ** 9n;
// The Flow's market forwards every fee to a reward contract with a payable
// fillReward(uint256,uint256). None ships on npm and nothing is compiled here,
// so the reward is a 13-byte creation code whose runtime is one STOP byte:
// it accepts any call with value (the fee stays there). PUSH1 1 PUSH1 12
// PUSH1 0 CODECOPY PUSH1 1 PUSH1 0 RETURN, then the runtime byte 00.
const STOP_CONTRACT_INITCODE = '0x6001600c60003960016000f300';
const INF_MODEL = 'Qwen2.5-0.5B-Instruct';

// The SDK's CONTRACT_ADDRESSES.hardhat (chain id 31337).
const EXPECTED = {
  ledger: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  inference: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
  fineTuning: '0xA51c1fc2f0D1a1b8494Ed1FE312d7C3a78Ed91C0',
};

// Dev account index (anvil's default mnemonic) of each role.
const ROLES = {
  deployer: 0,
  user: 1,
  user2: 2,
  ftProvider: 3,
  ftTeeSigner: 4,
  infProvider: 5,
  infTeeSigner: 6,
  ftProvider2: 7,
  ftTeeSigner2: 8,
};

function die(msg) {
  process.stderr.write(`deploy: error: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i];
    const v = argv[i + 1];
    if (!k.startsWith('--') || v === undefined) die(`bad arguments: ${argv.join(' ')}`);
    out[k.slice(2)] = v;
  }
  // --storage-port is optional (default: port + 4): the first storage node;
  // the second one and the untrusted one take the next two ports
  for (const k of ['rpc', 'port', 'dir', 'anvil-pid']) {
    if (!out[k]) die(`missing --${k}`);
  }
  return out;
}

// Find <Name>__factory.js under the SDK's CommonJS build. The package's
// exports map blocks subpath require(), so load it by file path.
function findFactory(name) {
  const base = path.join(NM, '@0gfoundation', '0g-compute-ts-sdk', 'lib.commonjs');
  const want = `${name}__factory.js`;
  const stack = [base];
  while (stack.length) {
    const d = stack.pop();
    let ents;
    try {
      ents = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      die(`cannot read ${d} (run contrib/setup): ${e.message}`);
    }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '__tests__' && e.name !== 'node_modules') stack.push(p);
      } else if (e.name === want && path.basename(d) === 'factories') {
        const F = require(p)[`${name}__factory`];
        if (!F || !F.abi || !F.bytecode) die(`${p} has no abi/bytecode`);
        return { abi: F.abi, bytecode: F.bytecode };
      }
    }
  }
  die(`${want} not found in the SDK package (run contrib/setup)`);
}

// The storage SDK's typechain factories, by file path (its exports map blocks
// subpath require() too).
function storageFactory(dir, name) {
  const p = path.join(NM, '@0gfoundation', '0g-ts-sdk', 'lib.commonjs', 'contracts', dir,
    'factories', `${name}__factory.js`);
  if (!fs.existsSync(p)) die(`${p} not found (run contrib/setup)`);
  const F = require(p)[`${name}__factory`];
  if (!F || !F.abi || !F.bytecode) die(`${p} has no abi/bytecode`);
  return { abi: F.abi, bytecode: F.bytecode };
}

function ozArtifact(name) {
  const p = path.join(NM, '@openzeppelin', 'contracts', 'build', 'contracts', `${name}.json`);
  const a = JSON.parse(fs.readFileSync(p, 'utf8'));
  return { abi: a.abi, bytecode: a.bytecode };
}

function writePrivate(file, text) {
  const tmp = `${file}.tmp${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const port = Number(args.port);
  const provider = new ethers.JsonRpcProvider(args.rpc, Number(CHAIN_ID), {
    staticNetwork: true,
    polling: true,
    pollingInterval: 50,
    batchMaxCount: 1,
    cacheTimeout: -1,
  });
  provider.pollingInterval = 50;

  const chainId = (await provider.getNetwork()).chainId;
  if (chainId !== CHAIN_ID) die(`chain id is ${chainId}, want ${CHAIN_ID}`);

  const wallets = {};
  for (const [role, i] of Object.entries(ROLES)) {
    wallets[role] = ethers.HDNodeWallet
      .fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`)
      .connect(provider);
  }
  const deployer = wallets.deployer;
  if (deployer.address !== '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266') {
    die(`unexpected dev account 0: ${deployer.address}`);
  }
  const startNonce = await provider.getTransactionCount(deployer.address);
  if (startNonce !== 0) {
    die(`deployer already sent ${startNonce} transactions; the devnet needs a fresh anvil`);
  }

  // The SDK's own table must agree with the addresses this devnet promises.
  const sdkConst = require(path.join(NM, '@0gfoundation', '0g-compute-ts-sdk', 'lib.commonjs', 'constants.js'));
  const builtin = sdkConst.CONTRACT_ADDRESSES && sdkConst.CONTRACT_ADDRESSES.hardhat;
  for (const k of Object.keys(EXPECTED)) {
    if (!builtin || builtin[k] !== EXPECTED[k]) {
      die(`the SDK's built-in chain-31337 ${k} address is ${builtin && builtin[k]}, expected ${EXPECTED[k]}`);
    }
  }

  const LM = findFactory('LedgerManager');
  const IS = findFactory('InferenceServing');
  const FT = findFactory('FineTuningServing');
  const Beacon = ozArtifact('UpgradeableBeacon');
  const Proxy = ozArtifact('BeaconProxy');

  async function send(what, txp) {
    let tx;
    try {
      tx = await txp;
    } catch (e) {
      die(`${what}: ${e.shortMessage || e.message}`);
    }
    // Asked directly rather than with tx.wait(): ethers waits for a block
    // after the one it last saw, and when anvil mines the transaction's
    // block in between (a loaded machine), no later block ever comes.
    let r = null;
    for (let i = 0; i < 1200 && !r; i++) {
      r = await provider.getTransactionReceipt(tx.hash);
      if (!r) await new Promise((res) => setTimeout(res, 50));
    }
    if (!r) die(`${what}: transaction ${tx.hash} was not mined within 60 s`);
    if (r.status !== 1) die(`${what}: transaction ${tx.hash} reverted`);
    return r;
  }

  async function deploy(what, art, ...ctorArgs) {
    const f = new ethers.ContractFactory(art.abi, art.bytecode, deployer);
    const tx = await f.getDeployTransaction(...ctorArgs);
    const r = await send(`deploy ${what}`, deployer.sendTransaction(tx));
    if (!r.contractAddress) die(`deploy ${what}: no contract address`);
    return ethers.getAddress(r.contractAddress);
  }

  // impl -> UpgradeableBeacon(impl) -> BeaconProxy(beacon, 0x)
  async function deployBeaconed(what, art) {
    const impl = await deploy(`${what} implementation`, art);
    const beacon = await deploy(`${what} beacon`, Beacon, impl);
    const proxy = await deploy(`${what} proxy`, Proxy, beacon, '0x');
    return { impl, beacon, proxy };
  }

  // 1. LedgerManager
  const lm = await deployBeaconed('LedgerManager', LM);
  const ledger = new ethers.Contract(lm.proxy, LM.abi, deployer);
  await send('LedgerManager.initialize', ledger.initialize(deployer.address));

  // 2. InferenceServing v1.0
  const inf = await deployBeaconed('InferenceServing', IS);
  const infC = new ethers.Contract(inf.proxy, IS.abi, deployer);
  await send('InferenceServing.initialize',
    infC.initialize(LOCK_TIME, lm.proxy, deployer.address));
  await send('registerService(inference)',
    ledger.registerService('inference', 'v1.0', inf.proxy, 'Inference service v1.0 (zgfs devnet)'));
  await send('setRecommendedService(inference)', ledger.setRecommendedService('inference', 'v1.0'));

  // 3. FineTuningServing v1.0
  const ft = await deployBeaconed('FineTuningServing', FT);
  const ftC = new ethers.Contract(ft.proxy, FT.abi, deployer);
  await send('FineTuningServing.initialize',
    ftC.initialize(LOCK_TIME, lm.proxy, deployer.address, PENALTY));
  await send('registerService(fine-tuning)',
    ledger.registerService('fine-tuning', 'v1.0', ft.proxy, 'Fine-tuning service v1.0 (zgfs devnet)'));
  await send('setRecommendedService(fine-tuning)', ledger.setRecommendedService('fine-tuning', 'v1.0'));

  for (const [k, want] of Object.entries(EXPECTED)) {
    const got = { ledger: lm.proxy, inference: inf.proxy, fineTuning: ft.proxy }[k];
    if (got !== want) {
      die(`${k} proxy landed at ${got}, expected the SDK's built-in ${want}; ` +
          'the deployment order no longer matches');
    }
  }

  // Service names as the SDK reads them (never hard-coded by clients).
  const ftName = (await ledger.getServiceInfo(ft.proxy)).fullName;
  const infName = (await ledger.getServiceInfo(inf.proxy)).fullName;
  if (ftName !== 'fine-tuning-v1.0' || infName !== 'inference-v1.0') {
    die(`unexpected service names ${ftName}, ${infName}`);
  }

  // ---- seed providers
  const ftUrl = `http://127.0.0.1:${port + 1}`;
  const infUrl = `http://127.0.0.1:${port + 2}`;
  const ft2Url = `http://127.0.0.1:${port + 3}`;
  const quota = [8n, 64n, 1n, 500n, 'H100'];

  await send('ftProvider addOrUpdateService',
    ftC.connect(wallets.ftProvider).addOrUpdateService(
      ftUrl, quota, FT_PRICE_PER_TOKEN, false, FT_MODELS,
      wallets.ftTeeSigner.address, { value: STAKE }));
  await send('ftProvider2 addOrUpdateService',
    ftC.connect(wallets.ftProvider2).addOrUpdateService(
      ft2Url, quota, FT_PRICE_PER_TOKEN, false, FT_MODELS,
      wallets.ftTeeSigner2.address, { value: STAKE }));
  await send('infProvider addOrUpdateService',
    infC.connect(wallets.infProvider).addOrUpdateService({
      serviceType: 'chatbot',
      url: infUrl,
      model: INF_MODEL,
      verifiability: 'TeeML',
      inputPrice: 10n ** 9n,
      outputPrice: 2n * 10n ** 9n,
      additionalInfo: JSON.stringify({ ProviderType: 'decentralized' }),
      teeSignerAddress: wallets.infTeeSigner.address,
    }, { value: STAKE }));

  // Owner vets the TEE signers of ftProvider and infProvider, NOT ftProvider2.
  await send('acknowledgeTEESignerByOwner(ftProvider)',
    ftC.acknowledgeTEESignerByOwner(wallets.ftProvider.address));
  await send('acknowledgeTEESignerByOwner(infProvider)',
    infC.acknowledgeTEESignerByOwner(wallets.infProvider.address));

  // ---- fund the user: ledger with 10 OG, 2 OG into the FT sub-account.
  const ledgerU = ledger.connect(wallets.user);
  await send('user addLedger', ledgerU.addLedger('', { value: USER_LEDGER }));
  await send('user transferFund', ledgerU.transferFund(wallets.ftProvider.address, ftName, USER_FT_TRANSFER));

  // ---- sanity checks of the seeded state
  const s1 = await ftC.getService(wallets.ftProvider.address);
  const s2 = await ftC.getService(wallets.ftProvider2.address);
  const si = await infC.getService(wallets.infProvider.address);
  if (!s1.teeSignerAcknowledged || s2.teeSignerAcknowledged || !si.teeSignerAcknowledged) {
    die('TEE signer acknowledgements are not as intended');
  }
  const led = await ledger.getLedger(wallets.user.address);
  if (led.totalBalance !== USER_LEDGER || led.availableBalance !== USER_LEDGER - USER_FT_TRANSFER) {
    die(`user ledger is ${led.availableBalance}/${led.totalBalance}`);
  }

  // ---- 0G Storage: strictly after everything account 0 sends, and from its
  // own account, so the serving contracts' addresses cannot move.
  const storageDeployer = ethers.HDNodeWallet
    .fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${STORAGE_DEPLOYER}`)
    .connect(provider);
  const FlowArt = storageFactory('flow', 'FixedPriceFlow');
  const MarketArt = storageFactory('market', 'FixedPrice');
  async function deployFrom(w, what, art, ...ctorArgs) {
    const f = new ethers.ContractFactory(art.abi, art.bytecode, w);
    const tx = await f.getDeployTransaction(...ctorArgs);
    const r = await send(`deploy ${what}`, w.sendTransaction(tx));
    if (!r.contractAddress) die(`deploy ${what}: no contract address`);
    return { address: ethers.getAddress(r.contractAddress), block: r.blockNumber };
  }
  const reward = await deployFrom(storageDeployer, 'storage reward sink',
    { abi: [], bytecode: STOP_CONTRACT_INITCODE });
  const market = await deployFrom(storageDeployer, 'FixedPrice market', MarketArt);
  const flow = await deployFrom(storageDeployer, 'FixedPriceFlow', FlowArt, 0n);
  const marketC = new ethers.Contract(market.address, MarketArt.abi, storageDeployer);
  const flowC = new ethers.Contract(flow.address, FlowArt.abi, storageDeployer);
  await send('FixedPrice.initialize',
    marketC.initialize(STORAGE_PRICE_PER_SECTOR, flow.address, reward.address));
  await send('FixedPriceFlow.initialize', flowC.initialize(market.address, STORAGE_BLOCKS_PER_EPOCH));
  if ((await flowC.market()) !== market.address ||
      (await marketC.pricePerSector()) !== STORAGE_PRICE_PER_SECTOR) {
    die('the storage contracts did not initialize as intended');
  }
  const storagePort = args['storage-port'] ? Number(args['storage-port']) : port + 4;

  const acct = (w) => ({ address: w.address, privateKey: w.privateKey });
  const accounts = {};
  for (const role of Object.keys(ROLES)) accounts[role] = acct(wallets[role]);

  const devnet = {
    network: 'devnet',
    chainId: Number(CHAIN_ID),
    rpc: args.rpc,
    contracts: {
      ledger: lm.proxy,
      inference: inf.proxy,
      fineTuning: ft.proxy,
      ledgerBeacon: lm.beacon,
      inferenceBeacon: inf.beacon,
      fineTuningBeacon: ft.beacon,
      ledgerImpl: lm.impl,
      inferenceImpl: inf.impl,
      fineTuningImpl: ft.impl,
    },
    serviceNames: { fineTuning: ftName, inference: infName },
    lockTime: Number(LOCK_TIME),
    penaltyPercentage: Number(PENALTY),
    accounts,
    providers: {
      fineTuning: {
        address: wallets.ftProvider.address,
        url: ftUrl,
        pricePerToken: FT_PRICE_PER_TOKEN.toString(),
        models: FT_MODELS,
      },
      inference: {
        address: wallets.infProvider.address,
        url: infUrl,
        model: INF_MODEL,
      },
      fineTuningUnacknowledged: {
        address: wallets.ftProvider2.address,
        url: ft2Url,
      },
    },
    anvil: { pid: Number(args['anvil-pid']), port },
    storage: {
      // one trusted node per shard (numShard 2), and a node only an
      // indexer's discovery finds, which lies about what it holds
      nodes: [`http://127.0.0.1:${storagePort}`, `http://127.0.0.1:${storagePort + 1}`],
      untrusted: `http://127.0.0.1:${storagePort + 2}`,
      flow: flow.address,
      market: market.address,
      reward: reward.address,
      pricePerSector: STORAGE_PRICE_PER_SECTOR.toString(),
      blocksPerEpoch: STORAGE_BLOCKS_PER_EPOCH.toString(),
      deployer: storageDeployer.address,
      deployBlock: flow.block,
    },
  };

  writePrivate(path.join(args.dir, 'user.key'), `${wallets.user.privateKey}\n`);
  writePrivate(path.join(args.dir, 'devnet.json'), `${JSON.stringify(devnet, null, 2)}\n`);
  provider.destroy();
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
