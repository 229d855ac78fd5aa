// The official SDK (@0gfoundation/0g-compute-ts-sdk 0.9.0, unmodified) drives
// its own fine-tuning flow against a devnet and zg-provider, step by step.
//
//   node tests/interop/sdk-finetune.cjs DEVNET.json WORKDIR
//
// Prints one "PASS<TAB>what" or "FAIL<TAB>what<TAB>detail" line per step on
// stdout (tests/interop/sdk-finetune.sh turns them into TAP). The SDK's own
// console chatter is silenced unless ZG_VERBOSE=1. CommonJS on purpose: the
// SDK checks its signer with instanceof, so ethers must be the same CommonJS
// copy the SDK's lib.commonjs build requires (the 0.9.0 ESM bundle packs a
// browser build of form-data, which fails on Node).
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const NM = process.env.ZG_NODE_MODULES || process.env.NODE_PATH ||
  path.resolve(__dirname, '..', '..', '.cache', 'npm', 'node_modules');
const req = createRequire(path.join(NM, 'noop.js'));
const ethers = req('ethers');
const SDK_DIR = path.join(NM, '@0gfoundation', '0g-compute-ts-sdk', 'lib.commonjs');
const sdk = require(path.join(SDK_DIR, 'index.js'));

const out = (s) => process.stdout.write(s + '\n');
const pass = (what) => out(`PASS\t${what}`);
const fail = (what, detail) => out(`FAIL\t${what}\t${String(detail).replace(/\s+/g, ' ').slice(0, 400)}`);
const note = (s) => out(`# ${s}`);
if (process.env.ZG_VERBOSE !== '1') {
  console.log = () => {};
  console.info = () => {};
  console.warn = () => {};
  console.debug = () => {};
  console.error = () => {};
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function step(what, fn) {
  try {
    const r = await fn();
    pass(what);
    return r;
  } catch (e) {
    fail(what, e && e.message ? e.message : e);
    return undefined;
  }
}

function check(what, cond, detail) {
  if (cond) pass(what);
  else fail(what, detail === undefined ? 'condition false' : detail);
  return cond;
}

async function main() {
  const [devnetPath, work] = process.argv.slice(2);
  const dn = JSON.parse(fs.readFileSync(devnetPath, 'utf8'));
  const rpc = new ethers.JsonRpcProvider(dn.rpc, dn.chainId, { staticNetwork: true });
  rpc.pollingInterval = 100;
  const wallet = new ethers.Wallet(dn.accounts.user.privateKey, rpc);
  const ftProv = dn.providers.fineTuning.address;
  const infProv = dn.providers.inference.address;
  const baseModel = dn.providers.inference.model;
  const teeSigner = dn.accounts.ftTeeSigner.address;

  const broker = await step('createZGComputeNetworkBroker with the devnet contracts', () =>
    sdk.createZGComputeNetworkBroker(wallet, dn.contracts.ledger, dn.contracts.inference,
      dn.contracts.fineTuning));
  if (!broker) return;
  const ft = broker.fineTuning;

  // --- attestation
  const vr = await step('fineTuning.verifyService downloads and parses the quote', () =>
    ft.verifyService(ftProv, work));
  if (vr) {
    check('verifyService: compose hash matches the compose-hash event',
      vr.composeVerification && vr.composeVerification.passed === true,
      JSON.stringify(vr.composeVerification));
    // The newest provider defaults to the new report_data layout, which the SDK
    // cannot read: the SDK reports a mismatch (docs/provider-notes.md).
    const addrs = vr.signerVerification.reportAddresses;
    check('verifyService: default quote uses the new report_data layout (SDK sees no address match)',
      addrs.length === 0 || addrs.every((a) => a.match === false), JSON.stringify(addrs));
  }
  await step('GET /v1/quote?legacy=true binds the TEE signer as the SDK reads it', async () => {
    const r = await fetch(`${dn.providers.fineTuning.url}/v1/quote?legacy=true`);
    const q = JSON.parse(await r.text());
    const a = Buffer.from(q.report_data, 'base64').toString('utf8').replace(/\0/g, '');
    if (a.toLowerCase() !== teeSigner.toLowerCase()) throw new Error(`report_data says ${a}`);
  });
  await step('fineTuning.acknowledgeProviderSigner', () => ft.acknowledgeProviderSigner(ftProv));

  // --- dataset
  const pairs = [
    ['What is the capital of France?', 'The capital of France is Paris.'],
    ['Which planet is known as the red planet?', 'Mars is known as the red planet.'],
    ['How many legs does a spider have?', 'A spider has eight legs.'],
    ['What colour is the sky on a clear day?', 'The sky is blue on a clear day.'],
    ['Who wrote the play Romeo and Juliet?', 'William Shakespeare wrote Romeo and Juliet.'],
    ['What is the boiling point of water at sea level?', 'Water boils at 100 degrees Celsius at sea level.'],
  ];
  const dsPath = path.join(work, 'dataset.jsonl');
  fs.writeFileSync(dsPath, pairs.map(([q, a]) => JSON.stringify({ instruction: q, input: '', output: a })).join('\n') + '\n');
  const cfgPath = path.join(work, 'training.json');
  fs.writeFileSync(cfgPath, JSON.stringify({
    neftune_noise_alpha: 5, num_train_epochs: 2, per_device_train_batch_size: 2,
    learning_rate: 0.0002, max_steps: -1,
  }, null, 2));

  const up = await step('fineTuning.uploadDatasetToTEE', () => ft.uploadDatasetToTEE(ftProv, dsPath));
  const want = ethers.keccak256(fs.readFileSync(dsPath));
  if (!up || !check('datasetHash = keccak256 of the uploaded bytes', up.datasetHash === want,
    `${up && up.datasetHash} vs ${want}`)) return;

  // --- task
  const taskId = await step('fineTuning.createTask with the customized model zg-tiny-lora', () =>
    ft.createTask(ftProv, dn.providers.fineTuning.models[0], up.datasetHash, cfgPath));
  if (!taskId) return;
  check('task id is a lower-case uuid v4', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(taskId), taskId);

  const t0 = await step('fineTuning.getTask', () => ft.getTask(ftProv, taskId));
  if (t0) check('getTask returns the task', t0.id === taskId && typeof t0.progress === 'string', JSON.stringify(t0));
  const list = await step('fineTuning.listTask', () => ft.listTask(ftProv));
  if (list) check('listTask lists the task first', list.length >= 1 && list[0].id === taskId, JSON.stringify(list.map((t) => t.id)));

  const seen = [];
  let task;
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    task = await ft.getTask(ftProv, taskId);
    if (!seen.includes(task.progress)) seen.push(task.progress);
    if (['Delivered', 'Failed', 'Finished'].includes(task.progress)) break;
    await sleep(150);
  }
  note(`progress seen: ${seen.join(' -> ')}`);
  if (!check('task reaches Delivered', task && task.progress === 'Delivered', JSON.stringify(task))) {
    const log = await ft.getLog(ftProv, taskId).catch((e) => String(e));
    note(`log: ${log}`);
    return;
  }
  check('progress went through Training', seen.includes('Training'), seen.join(','));
  check('fee was computed at setup', BigInt(task.fee) > 0n, task.fee);
  check('deliverTime is set', task.deliverTime > 0, String(task.deliverTime));

  const log = await step('fineTuning.getLog', () => ft.getLog(ftProv, taskId));
  if (log) check('log shows the training steps', /'loss'/.test(log) && /delivered/.test(log), log.slice(0, 200));

  // --- acknowledge (download + verify + ack)
  const encPath = path.join(work, 'lora.enc');
  await step('fineTuning.acknowledgeModel (TEE download, hash check, acknowledge)', () =>
    ft.acknowledgeModel(ftProv, taskId, encPath, { downloadMethod: 'tee' }));
  const deliv = await step('deliverable is acknowledged on chain', async () => {
    const c = new ethers.Contract(dn.contracts.fineTuning,
      ['function getDeliverable(address,address,string) view returns ((string,bytes,bytes,bool,uint256,bool))'], rpc);
    const d = await c.getDeliverable(wallet.address, ftProv, taskId);
    if (!d[3]) throw new Error('not acknowledged');
    return d;
  });
  if (deliv && fs.existsSync(encPath)) {
    // The broker's main posts the file's 0G Storage root as "0x..." text;
    // the SDK compares keccak256 with the posted bytes and only warns.
    const posted = Buffer.from(ethers.getBytes(deliv[1])).toString('latin1');
    const root = require('child_process').execFileSync(process.env.ZGSTORE, ['root', encPath]).toString().trim();
    check('downloaded file has modelRootHash as its 0G Storage root', posted === root, `${posted} vs ${root}`);
  }

  const t2deadline = Date.now() + 30000;
  while (Date.now() < t2deadline) {
    task = await ft.getTask(ftProv, taskId);
    if (['Finished', 'Failed'].includes(task.progress)) break;
    await sleep(250);
  }
  check('task reaches Finished after the acknowledgement', task.progress === 'Finished', task.progress);
  const log2 = await ft.getLog(ftProv, taskId);
  check('log says "Settle task <id> successfully"', log2.includes(`Settle task ${taskId} successfully`), log2.slice(-300));

  // --- decrypt
  const zipPath = path.join(work, 'lora.zip');
  await step('fineTuning.decryptModel', () => ft.decryptModel(ftProv, taskId, encPath, zipPath));
  if (fs.existsSync(zipPath)) {
    const AdmZip = req('adm-zip');
    const names = new AdmZip(zipPath).getEntries().map((e) => e.entryName);
    check('decrypted zip holds adapter_config.json and adapter_model.safetensors',
      names.includes('adapter_config.json') && names.includes('adapter_model.safetensors'), names.join(','));
  }

  // --- inference: deploy the adapter and chat with it
  const inf = broker.inference;
  await step('inference.acknowledgeProviderSigner (creates the inference sub-account)', () =>
    inf.acknowledgeProviderSigner(infProv));
  const adapterName = await step('inference.resolveAdapterName', () => inf.resolveAdapterName(infProv, taskId, baseModel));
  const dep = await step('inference.deployAdapter (wait until active)', () =>
    inf.deployAdapter(infProv, baseModel, taskId, { wait: true, timeoutSeconds: 90 }));
  if (dep) note(`deploy: ${JSON.stringify(dep)}`);
  const st = await step('inference.getAdapterStatus', () => inf.getAdapterStatus(infProv, adapterName));
  if (st) check('adapter is active and owned by the user', st.state === 'active' &&
    st.userAddress.toLowerCase() === wallet.address.toLowerCase(), JSON.stringify(st));
  const chat = await step('inference.chatWithFineTunedModel', () =>
    inf.chatWithFineTunedModel(infProv, adapterName, 'what is the capital city of france'));
  if (chat) {
    const content = chat.choices && chat.choices[0] && chat.choices[0].message.content;
    check('chat answers with the closest training completion', content === pairs[0][1], JSON.stringify(chat));
    check('chat response names the adapter as model', chat.model === adapterName, chat.model);
  }
}

main().then(() => process.exit(0), (e) => {
  fail('script runs to the end', e && e.stack ? e.stack : e);
  process.exit(1);
});
