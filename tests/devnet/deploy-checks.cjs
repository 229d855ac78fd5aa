// Checks of a running devnet against the pinned npm packages.
//   node tests/devnet/deploy-checks.cjs DIR/devnet.json
// Prints "PASS\tdesc" / "FAIL\tdesc\tdetail" lines (see tests/devnet/lib.sh).
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const NM = process.env.ZG_NPM_DIR ||
  path.resolve(__dirname, '..', '..', '.cache', 'npm', 'node_modules');
const req = createRequire(path.join(NM, 'noop.js'));
const ethers = req('ethers');
const SDK = path.join(NM, '@0gfoundation', '0g-compute-ts-sdk', 'lib.commonjs');

const OG = 10n ** 18n;
const BEACON_SLOT = '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50';

let failed = 0;
function pass(desc) { console.log(`PASS\t${desc}`); }
function fail(desc, detail) {
  failed++;
  console.log(`FAIL\t${desc}\t${String(detail).replace(/[\t\n]+/g, ' ')}`);
}
function eq(desc, got, want) {
  if (got === want) pass(desc);
  else fail(desc, `got ${got}, want ${want}`);
}
async function t(desc, fn) {
  try {
    const r = await fn();
    if (r === true || r === undefined) pass(desc);
    else fail(desc, r);
  } catch (e) {
    fail(desc, e.shortMessage || e.message);
  }
}

const factory = (dir, name) =>
  require(path.join(SDK, dir, 'contract', 'typechain', 'factories', `${name}__factory.js`))[`${name}__factory`];

async function main() {
  const file = process.argv[2];
  const dn = JSON.parse(fs.readFileSync(file, 'utf8'));
  const provider = new ethers.JsonRpcProvider(dn.rpc, dn.chainId, { staticNetwork: true, cacheTimeout: -1 });
  const c = dn.contracts;
  const a = dn.accounts;

  eq('chain id in devnet.json is 31337', dn.chainId, 31337);
  await t('RPC answers eth_chainId 31337', async () => {
    const id = await provider.send('eth_chainId', []);
    return id === '0x7a69' || `eth_chainId = ${id}`;
  });

  // Addresses: the SDK's own built-in table for chain 31337.
  const builtin = require(path.join(SDK, 'constants.js')).CONTRACT_ADDRESSES.hardhat;
  for (const k of ['ledger', 'inference', 'fineTuning']) {
    eq(`${k} proxy equals the SDK's built-in chain-31337 address`, c[k], builtin[k]);
  }
  await t('all addresses in devnet.json are EIP-55 checksummed', () => {
    const all = [...Object.values(c), ...Object.values(a).map((x) => x.address),
      dn.providers.fineTuning.address, dn.providers.inference.address,
      dn.providers.fineTuningUnacknowledged.address];
    const bad = all.filter((x) => ethers.getAddress(x) !== x);
    return bad.length === 0 || `not checksummed: ${bad.join(' ')}`;
  });
  await t('every account private key matches its address', () => {
    const bad = Object.entries(a).filter(([, v]) => new ethers.Wallet(v.privateKey).address !== v.address);
    return bad.length === 0 || `mismatch: ${bad.map(([k]) => k).join(' ')}`;
  });

  // Proxy -> beacon -> implementation, and implementation code = SDK bytecode.
  const impls = {
    ledger: ['ledger', 'LedgerManager'],
    inference: ['inference', 'InferenceServing'],
    fineTuning: ['fine-tuning', 'FineTuningServing'],
  };
  const beaconAbi = ['function implementation() view returns (address)'];
  for (const [k, [dir, name]] of Object.entries(impls)) {
    await t(`${name} proxy points at beacon ${k}Beacon, whose implementation is ${k}Impl`, async () => {
      const slot = await provider.getStorage(c[k], BEACON_SLOT);
      const beacon = ethers.getAddress(ethers.dataSlice(slot, 12));
      if (beacon !== c[`${k}Beacon`]) return `beacon slot holds ${beacon}`;
      const impl = await new ethers.Contract(beacon, beaconAbi, provider).implementation();
      return impl === c[`${k}Impl`] || `beacon implementation() = ${impl}`;
    });
    await t(`${name} implementation runtime code equals the pinned SDK's creation bytecode replayed with eth_call`, async () => {
      const F = factory(dir, name);
      const onChain = await provider.getCode(c[`${k}Impl`]);
      if (onChain === '0x') return 'no code at the implementation address';
      const replay = await provider.call({ data: F.bytecode });
      if (replay === '0x') return 'eth_call of the creation bytecode returned no code';
      return ethers.keccak256(onChain) === ethers.keccak256(replay) ||
        `code hash ${ethers.keccak256(onChain)} != ${ethers.keccak256(replay)}`;
    });
  }

  const LM = factory('ledger', 'LedgerManager');
  const IS = factory('inference', 'InferenceServing');
  const FT = factory('fine-tuning', 'FineTuningServing');
  const ledger = new ethers.Contract(c.ledger, LM.abi, provider);
  const inf = new ethers.Contract(c.inference, IS.abi, provider);
  const ft = new ethers.Contract(c.fineTuning, FT.abi, provider);

  await t('LedgerManager.getServiceInfo(fineTuning).fullName is fine-tuning-v1.0 (recommended)', async () => {
    const s = await ledger.getServiceInfo(c.fineTuning);
    if (s.fullName !== 'fine-tuning-v1.0') return `fullName ${s.fullName}`;
    if (s.serviceType !== 'fine-tuning' || s.version !== 'v1.0') return `${s.serviceType} ${s.version}`;
    return s.isRecommended || 'not recommended';
  });
  await t('LedgerManager.getServiceInfo(inference).fullName is inference-v1.0 (recommended)', async () => {
    const s = await ledger.getServiceInfo(c.inference);
    if (s.fullName !== 'inference-v1.0') return `fullName ${s.fullName}`;
    return s.isRecommended || 'not recommended';
  });
  eq('devnet.json serviceNames', JSON.stringify(dn.serviceNames),
    JSON.stringify({ fineTuning: 'fine-tuning-v1.0', inference: 'inference-v1.0' }));
  await t('deployer owns the three contracts', async () => {
    const o = [await ledger.owner(), await inf.owner(), await ft.owner()];
    return o.every((x) => x === a.deployer.address) || `owners ${o.join(' ')}`;
  });
  await t('lockTime 86400 on both serving contracts, penalty 30 % on fine-tuning', async () => {
    const l1 = await ft.lockTime();
    const l2 = await inf.lockTime();
    const p = await ft.penaltyPercentage();
    if (l1 !== 86400n || l2 !== 86400n || p !== 30n) return `lockTime ${l1}/${l2}, penalty ${p}`;
    return dn.lockTime === 86400 && dn.penaltyPercentage === 30 || 'devnet.json disagrees';
  });
  await t('the serving contracts trust the ledger proxy', async () => {
    const x = [await ft.ledgerAddress(), await inf.ledgerAddress()];
    return x.every((y) => y === c.ledger) || x.join(' ');
  });

  // Providers.
  const pf = dn.providers.fineTuning;
  await t('fine-tuning provider record (url, price, models, TEE signer, acknowledged)', async () => {
    const s = await ft.getService(pf.address);
    const errs = [];
    if (pf.address !== a.ftProvider.address) errs.push('providers.fineTuning is not accounts.ftProvider');
    if (s.url !== pf.url) errs.push(`url ${s.url}`);
    if (s.pricePerToken.toString() !== pf.pricePerToken) errs.push(`price ${s.pricePerToken}`);
    if (JSON.stringify([...s.models]) !== JSON.stringify(pf.models) || pf.models.length !== 2) errs.push(`models ${[...s.models]}`);
    if (s.teeSignerAddress !== a.ftTeeSigner.address) errs.push(`teeSigner ${s.teeSignerAddress}`);
    if (!s.teeSignerAcknowledged) errs.push('not acknowledged');
    if (s.occupied) errs.push('occupied');
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(pf.url)) errs.push(`url not on 127.0.0.1: ${pf.url}`);
    return errs.length === 0 || errs.join('; ');
  });
  const pu = dn.providers.fineTuningUnacknowledged;
  await t('second fine-tuning provider is registered with an unacknowledged TEE signer', async () => {
    const s = await ft.getService(pu.address);
    if (pu.address !== a.ftProvider2.address) return 'providers.fineTuningUnacknowledged is not accounts.ftProvider2';
    if (s.url !== pu.url) return `url ${s.url}`;
    if (s.teeSignerAddress !== a.ftTeeSigner2.address) return `teeSigner ${s.teeSignerAddress}`;
    return !s.teeSignerAcknowledged || 'acknowledged';
  });
  const pi = dn.providers.inference;
  await t('inference provider record (url, model, TEE signer, acknowledged)', async () => {
    const s = await inf.getService(pi.address);
    const errs = [];
    if (pi.address !== a.infProvider.address) errs.push('providers.inference is not accounts.infProvider');
    if (s.url !== pi.url) errs.push(`url ${s.url}`);
    if (s.model !== pi.model) errs.push(`model ${s.model}`);
    if (s.serviceType !== 'chatbot' || s.verifiability !== 'TeeML') errs.push(`${s.serviceType}/${s.verifiability}`);
    if (s.teeSignerAddress !== a.infTeeSigner.address) errs.push(`teeSigner ${s.teeSignerAddress}`);
    if (!s.teeSignerAcknowledged) errs.push('not acknowledged');
    return errs.length === 0 || errs.join('; ');
  });
  await t('each provider staked 100 OG (serving contracts hold >= 200 / 100 OG)', async () => {
    const bf = await provider.getBalance(c.fineTuning);
    const bi = await provider.getBalance(c.inference);
    return (bf >= 200n * OG && bi >= 100n * OG) || `balances ${bf} / ${bi}`;
  });

  // Users.
  await t('user ledger: total 10 OG, available 8 OG', async () => {
    const l = await ledger.getLedger(a.user.address);
    return (l.totalBalance === 10n * OG && l.availableBalance === 8n * OG) ||
      `available ${l.availableBalance}, total ${l.totalBalance}`;
  });
  await t('user has a 2 OG fine-tuning sub-account with the provider', async () => {
    const acc = await ft.getAccount(a.user.address, pf.address);
    const providers = await ledger.getLedgerProviders(a.user.address, dn.serviceNames.fineTuning);
    if (!providers.includes(pf.address)) return `getLedgerProviders = ${providers}`;
    return acc.balance === 2n * OG || `balance ${acc.balance}`;
  });
  await t('user2 has no ledger', async () => {
    try {
      await ledger.getLedger(a.user2.address);
      return 'getLedger(user2) did not revert';
    } catch (e) {
      const name = e.revert && e.revert.name;
      return name === 'LedgerNotExists' || `reverted with ${name || e.shortMessage}`;
    }
  });
  await t('user and user2 hold dev funds (>= 1000 OG)', async () => {
    const b1 = await provider.getBalance(a.user.address);
    const b2 = await provider.getBalance(a.user2.address);
    return (b1 >= 1000n * OG && b2 >= 1000n * OG) || `${b1} / ${b2}`;
  });
  eq('devnet.json anvil.port matches rpc', `http://127.0.0.1:${dn.anvil.port}`, dn.rpc);

  provider.destroy();
}

main().then(() => process.exit(0), (e) => { fail('check script ran', e.stack); process.exit(1); });
