// The EVM side of a running Tributary network: eth JSON-RPC (eth-rpc), the project precompiles
// and the DatanetBounty dapp, each checked against what polkadot.js reads from the node.
//
//   ETH_RPC_URL=http://127.0.0.1:8545 SUBSTRATE_URL=ws://127.0.0.1:9944 npm test
//
// The bounty test needs final attribution records on the network (run the studio browser flow,
// scripts/studio-e2e.sh, against it first); it fails, rather than skips, without them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ethers } from 'ethers';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const ETH_RPC_URL = process.env.ETH_RPC_URL;
const SUBSTRATE_URL = process.env.SUBSTRATE_URL;
if (!ETH_RPC_URL || !SUBSTRATE_URL) {
  throw new Error(
    'contracts/test/evm.test.mjs runs against a running network: set ETH_RPC_URL (eth-rpc, e.g. ' +
      'http://127.0.0.1:8545) and SUBSTRATE_URL (the node, e.g. ws://127.0.0.1:9944)',
  );
}

const CHAIN_ID = 0x54524942n;
/** One planck (TRIB has 12 decimals) is 10^6 wei. */
const WEI_PER_PLANCK = 1_000_000n;
const ALITH_KEY = '0x5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133';
const ALITH = '0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac';
const BALTATHAR_KEY = '0x8075991ce870b93a8870eca0c0f91913d12f47948ca0fd25b49c6fa7cdbeee8b';
const BALTATHAR = '0x3Cd0A705a2DC65e5b1E1205896BaA2be8A07c6e0';
const DATANETS_ADDRESS = '0x0000000000000000000000000000000054010000';
const MODELS_ADDRESS = '0x0000000000000000000000000000000054020000';
const REWARDS_ADDRESS = '0x0000000000000000000000000000000054030000';
const ATTRIBUTION_ADDRESS = '0x0000000000000000000000000000000054040000';
const ERROR_STRING_SELECTOR = '0x08c379a0';

const LONG = { timeout: 240_000 };
const VERY_LONG = { timeout: 420_000 };

const artifact = (name) => JSON.parse(readFileSync(new URL(`../build/${name}.json`, import.meta.url), 'utf8'));

let provider;
let api;
let alith;
let baltathar;
let alice; // sr25519 //Alice
let bob; // sr25519 //Bob
let existentialDeposit;
let wsProvider;

// ---------- helpers ----------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The AccountId32 (hex) of an Ethereum address: its 20 bytes, then twelve 0xEE bytes. */
function ethToAccountId(address) {
  return `${ethers.getAddress(address).toLowerCase()}${'ee'.repeat(12)}`;
}

/** The Ethereum address of an AccountId32: an Ethereum-derived account's first 20 bytes, else
 * the last 20 bytes of the keccak-256 of the 32 bytes. */
function accountIdToEth(accountId) {
  const hex = typeof accountId === 'string' ? accountId : u8aToHex(accountId.toU8a ? accountId.toU8a() : accountId);
  const bytes = ethers.getBytes(hex);
  assert.equal(bytes.length, 32, `not an AccountId32: ${hex}`);
  if (bytes.slice(20).every((b) => b === 0xee)) return ethers.getAddress(ethers.hexlify(bytes.slice(0, 20)));
  return ethers.getAddress(ethers.dataSlice(ethers.keccak256(bytes), 12));
}

const sameAddress = (a, b) => ethers.getAddress(a) === ethers.getAddress(b);

async function ethBlockNumber() {
  return Number(await provider.send('eth_blockNumber', []));
}

async function waitForEthBlock(n, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await ethBlockNumber();
    if (current >= n) return current;
    if (Date.now() > deadline) throw new Error(`eth_blockNumber stayed at ${current}, below ${n}, for ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

async function finalizedNumber() {
  const head = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(head)).number.toNumber();
}

/** Waits until block `n` is finalized, then returns its hash (canonical from then on). */
async function finalizedHashOf(n, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const finalized = await finalizedNumber();
    if (finalized >= n) return (await api.rpc.chain.getBlockHash(n)).toHex();
    if (Date.now() > deadline) throw new Error(`block ${n} was not finalized within ${timeoutMs / 1000} s (finalized: ${finalized})`);
    await sleep(1500);
  }
}

/** The finalized block as {number, hash}, once eth-rpc has seen it too. */
async function finalizedBlockSeenByEth() {
  const head = await api.rpc.chain.getFinalizedHead();
  const number = (await api.rpc.chain.getHeader(head)).number.toNumber();
  await waitForEthBlock(number);
  return { number, hash: head.toHex() };
}

/** `pallet.Error` for a dispatch error. */
function describeDispatchError(dispatchError) {
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    return `${meta.section}.${meta.name}`;
  }
  return dispatchError.toString();
}

/** Signs and submits a substrate extrinsic; resolves once it is in a block, rejects with the
 * pallet error if it failed. */
function submit(tx, signer) {
  return withTimeout(
    new Promise((resolve, reject) => {
      let unsub = null;
      let done = false;
      const finish = (fn) => {
        if (done) return;
        done = true;
        if (unsub) unsub();
        fn();
      };
      tx.signAndSend(signer, { nonce: -1 }, ({ status, dispatchError, events }) => {
        if (status.isInvalid || status.isDropped || status.isUsurped) {
          finish(() => reject(new Error(`${tx.method.section}.${tx.method.method}: the transaction was ${status.type}`)));
          return;
        }
        if (!status.isInBlock) return;
        if (dispatchError) {
          finish(() => reject(new Error(`${tx.method.section}.${tx.method.method} failed: ${describeDispatchError(dispatchError)}`)));
          return;
        }
        finish(() => resolve({ blockHash: status.asInBlock.toHex(), events }));
      }).then(
        (u) => {
          if (done) u();
          else unsub = u;
        },
        (err) => finish(() => reject(err)),
      );
    }),
    120_000,
    `${tx.method.section}.${tx.method.method}`,
  );
}

/** Sends an Ethereum transaction (a promise from ethers) and waits for a successful receipt. */
async function mined(txPromise, what) {
  const tx = await txPromise;
  const receipt = await tx.wait(1, 120_000);
  assert.ok(receipt, `${what}: no receipt`);
  assert.equal(receipt.status, 1, `${what}: the transaction failed (receipt status ${receipt.status})`);
  return receipt;
}

/** Every hex string stored under a `data` key (or an "execution reverted" message) anywhere in
 * an ethers error, outermost first. */
function revertDataCandidates(err) {
  const found = [];
  const seen = new Set();
  const walk = (value, key, depth) => {
    if (value == null || depth > 6) return;
    if (typeof value === 'string') {
      if (key === 'data' && /^0x[0-9a-fA-F]*$/.test(value)) found.push(value);
      const inMessage = value.match(/0x08c379a0[0-9a-fA-F]*/);
      if (inMessage) found.push(inMessage[0]);
      return;
    }
    if (typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    for (const k of Object.getOwnPropertyNames(value)) {
      if (k === 'stack') continue;
      let v;
      try {
        v = value[k];
      } catch {
        continue;
      }
      walk(v, k, depth + 1);
    }
  };
  walk(err, '', 0);
  return found;
}

/** Decodes `Error(string)` revert data; null if it is not that. */
function decodeErrorString(data) {
  if (typeof data !== 'string' || !data.toLowerCase().startsWith(ERROR_STRING_SELECTOR)) return null;
  try {
    return ethers.AbiCoder.defaultAbiCoder().decode(['string'], ethers.dataSlice(data, 4))[0];
  } catch {
    return null;
  }
}

/** What a reverted call said: {reason} for Error(string), {customError, args} for an error of
 * `iface`, and the raw data and message either way. */
function describeRevert(err, iface) {
  const candidates = revertDataCandidates(err);
  for (const data of candidates) {
    const reason = decodeErrorString(data);
    if (reason !== null) return { reason, data, message: err.shortMessage ?? err.message };
  }
  // ethers decodes a contract's custom errors into `revert` (and puts their signature in `reason`).
  if (err.revert?.name && err.revert.name !== 'Error') {
    return { customError: err.revert.name, args: err.revert.args, data: candidates[0], message: err.shortMessage ?? err.message };
  }
  if (typeof err.reason === 'string' && err.reason) return { reason: err.reason, data: candidates[0], message: err.shortMessage ?? err.message };
  if (iface) {
    for (const data of candidates) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) return { customError: parsed.name, args: parsed.args, data, message: err.message };
      } catch {
        // not one of iface's errors
      }
    }
  }
  return { data: candidates[0], message: err.shortMessage ?? err.message };
}

/** Expects `fn()` to reject with a revert; returns what the revert said. */
/** JSON for assertion messages; bigints as decimal strings. */
const show = (value) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));

async function expectRevert(fn, what, iface) {
  let err = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: expected a revert, but the call succeeded`);
  return describeRevert(err, iface);
}

async function expectRevertReason(fn, expected, what) {
  const revert = await expectRevert(fn, what);
  const said = revert.reason ?? revert.message ?? '';
  assert.ok(
    said.includes(expected),
    `${what}: expected the revert reason "${expected}", got ${show(revert)}`,
  );
  return revert;
}

/** What eth_getBalance should say for an account, from substrate state: its balance minus what
 * cannot leave it while keeping the account alive (the existential deposit, or the part of a
 * freeze not covered by holds), in wei, plus the account's sub-planck dust. `dust` is null when
 * the runtime's revive storage cannot be read (then the check allows 0 ≤ dust < 10^6). */
async function substrateEthBalance(apiAt, accountId, address) {
  const { data } = await apiAt.query.system.account(accountId);
  const free = data.free.toBigInt();
  const frozen = data.frozen.toBigInt();
  const reserved = data.reserved.toBigInt();
  const frozenUncovered = frozen > reserved ? frozen - reserved : 0n;
  const untouchable = frozenUncovered > existentialDeposit ? frozenUncovered : existentialDeposit;
  const reducible = free > untouchable ? free - untouchable : 0n;
  let dust = null;
  if (apiAt.query.revive?.accountInfoOf) {
    const info = await apiAt.query.revive.accountInfoOf(address);
    dust = info.isSome ? info.unwrap().dust.toBigInt() : 0n;
  }
  return { free, reserved, reducible, dust, wei: reducible * WEI_PER_PLANCK + (dust ?? 0n) };
}

function assertEthBalanceMatches(ethWei, substrate, what) {
  if (substrate.dust !== null) {
    assert.equal(
      ethWei,
      substrate.wei,
      `${what}: eth_getBalance ${ethWei} wei, but substrate says (free ${substrate.free} - untouchable) = ${substrate.reducible} planck × 10^6 + dust ${substrate.dust} = ${substrate.wei} wei`,
    );
  } else {
    const diff = ethWei - substrate.wei;
    assert.ok(
      diff >= 0n && diff < WEI_PER_PLANCK,
      `${what}: eth_getBalance ${ethWei} wei, but substrate says ${substrate.reducible} planck reducible (free ${substrate.free}) = ${substrate.wei} wei (+ dust < 10^6 allowed)`,
    );
  }
}

async function ethBalanceAt(address, blockNumber) {
  return BigInt(await provider.send('eth_getBalance', [address, ethers.toQuantity(blockNumber)]));
}

const randomTag = () => ethers.hexlify(ethers.randomBytes(4)).slice(2);

// ---------- setup ----------

before(async () => {
  const network = new ethers.Network('tributary', CHAIN_ID);
  provider = new ethers.JsonRpcProvider(ETH_RPC_URL, network, {
    staticNetwork: network,
    pollingInterval: 1000,
    // No 250 ms cache of identical requests (balances read before and after a transaction).
    cacheTimeout: -1,
    batchMaxCount: 1,
  });
  try {
    await withTimeout(provider.send('eth_chainId', []), 30_000, 'eth_chainId');
  } catch (err) {
    throw new Error(`eth-rpc at ETH_RPC_URL=${ETH_RPC_URL} does not answer: ${err.message}`);
  }

  await cryptoWaitReady();
  wsProvider = new WsProvider(SUBSTRATE_URL, 2500, {}, 60_000);
  try {
    api = await withTimeout(ApiPromise.create({ provider: wsProvider, throwOnConnect: true, noInitWarn: true }), 60_000, 'connecting');
  } catch (err) {
    throw new Error(`the node at SUBSTRATE_URL=${SUBSTRATE_URL} does not answer: ${err.message}`);
  }
  existentialDeposit = api.consts.balances.existentialDeposit.toBigInt();

  alith = new ethers.Wallet(ALITH_KEY, provider);
  baltathar = new ethers.Wallet(BALTATHAR_KEY, provider);
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
});

after(async () => {
  provider?.destroy();
  if (api) await api.disconnect();
  else await wsProvider?.disconnect();
});

// ---------- tests ----------

test('the dev keys derive the documented addresses', () => {
  assert.equal(alith.address, ALITH, 'Alith\'s private key should give 0xf24FF3a9CF04c71Dbc94D0b566f7A27B94566cac');
  assert.equal(baltathar.address, BALTATHAR, 'Baltathar\'s private key should give 0x3Cd0A705a2DC65e5b1E1205896BaA2be8A07c6e0');
  assert.equal(ethToAccountId(ALITH), '0xf24ff3a9cf04c71dbc94d0b566f7a27b94566cac' + 'ee'.repeat(12));
  assert.equal(accountIdToEth(ethToAccountId(ALITH)), ALITH, 'an Ethereum-derived AccountId32 maps back to its address');
});

test('JSON-RPC basics: chain id, blocks, balances, gas price', LONG, async () => {
  assert.equal(await provider.send('eth_chainId', []), '0x54524942', 'eth_chainId should be "TRIB" (0x54524942)');

  const first = await ethBlockNumber();
  await sleep(7000);
  const second = await ethBlockNumber();
  assert.ok(second > first, `eth_blockNumber should grow over 7 s (3 s blocks): ${first} then ${second}`);

  const { number, hash } = await finalizedBlockSeenByEth();
  const ethWei = await ethBalanceAt(ALITH, number);
  const substrate = await substrateEthBalance(await api.at(hash), ethToAccountId(ALITH), ALITH);
  assert.ok(substrate.free > 0n, 'Alith should be endowed in genesis');
  assertEthBalanceMatches(ethWei, substrate, `Alith at block ${number}`);

  const gasPrice = BigInt(await provider.send('eth_gasPrice', []));
  assert.ok(gasPrice > 0n, `eth_gasPrice should be positive, got ${gasPrice}`);
});

test('an EIP-1559 transfer credits the recipient on both sides', LONG, async () => {
  const recipient = ethers.Wallet.createRandom().address;
  const value = ethers.parseEther('1.5');
  const receipt = await mined(alith.sendTransaction({ to: recipient, value, type: 2 }), 'transfer of 1.5 TRIB');

  const raw = await provider.send('eth_getTransactionReceipt', [receipt.hash]);
  assert.ok(raw, 'eth_getTransactionReceipt should find the transfer');
  assert.equal(Number(raw.status), 1, 'receipt status should be 1');
  assert.equal(Number(raw.type), 2, 'receipt type should be 2 (EIP-1559)');
  assert.ok(sameAddress(raw.from, ALITH), `receipt from should be Alith, got ${raw.from}`);
  assert.ok(sameAddress(raw.to, recipient), `receipt to should be ${recipient}, got ${raw.to}`);

  assert.equal(await provider.getBalance(recipient), value, 'eth_getBalance of the recipient should be exactly 1.5e18 wei');
  const { data } = await api.query.system.account(ethToAccountId(recipient));
  // pallet-revive creates the account with the existential deposit on top of the value (taken
  // from the transaction's fee, charged to the sender); eth_getBalance leaves the ED out.
  assert.equal(
    data.free.toBigInt(),
    1_500_000_000_000n + existentialDeposit,
    `the recipient's fallback account (address + 0xEE×12) should hold 1.5 TRIB = 1.5e12 planck plus the existential deposit ${existentialDeposit}`,
  );
});

test('deploy a contract, call it, and find its log', LONG, async () => {
  const { abi, bytecode } = artifact('PrecompileProbe');
  const factory = new ethers.ContractFactory(abi, bytecode, alith);
  const deployTx = await factory.getDeployTransaction();
  const deployGas = await provider.estimateGas({ ...deployTx, from: ALITH });
  assert.ok(deployGas > 0n, `eth_estimateGas for the deployment should be positive, got ${deployGas}`);

  const probe = await factory.deploy();
  const deployReceipt = await probe.deploymentTransaction().wait(1, 120_000);
  assert.equal(deployReceipt.status, 1, 'the deployment should succeed');
  const address = await probe.getAddress();
  assert.ok(deployReceipt.contractAddress && sameAddress(deployReceipt.contractAddress, address), 'the receipt should name the contract address');
  assert.notEqual(await provider.getCode(address), '0x', 'the contract should have code');

  const pingGas = await probe.ping.estimateGas(42);
  assert.ok(pingGas > 0n, 'eth_estimateGas for ping should be positive');
  const receipt = await mined(probe.ping(42), 'ping(42)');

  const logs = await provider.getLogs({ address, fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber });
  assert.equal(logs.length, 1, `eth_getLogs should return the one Pinged log, got ${logs.length}`);
  const parsed = probe.interface.parseLog(logs[0]);
  assert.equal(parsed?.name, 'Pinged', 'the log should decode as Pinged');
  assert.equal(parsed.args.x, 42n, 'Pinged.x should be 42');
  assert.ok(sameAddress(parsed.args.from, ALITH), `Pinged.from should be Alith, got ${parsed.args.from}`);
  assert.equal(logs[0].transactionHash, receipt.hash, 'the log should belong to the ping transaction');
});

test('the datanets precompile does what the extrinsics do', VERY_LONG, async () => {
  const datanets = new ethers.Contract(DATANETS_ADDRESS, artifact('IDatanets').abi, alith);
  const name = `evm-${randomTag()}`;

  const predictedId = await datanets.createDatanet.staticCall(name, 'summary', 'MIT');
  await mined(datanets.createDatanet(name, 'summary', 'MIT'), 'IDatanets.createDatanet');
  const evmIdOpt = await api.query.datanets.datanetIdByName(ethToAccountId(ALITH), name);
  assert.ok(evmIdOpt.isSome, `datanets.datanetIdByName(Alith, ${name}) should exist after the precompile call`);
  const evmId = evmIdOpt.unwrap().toNumber();
  assert.equal(evmId, Number(predictedId), 'createDatanet should return the new id (unless another datanet was created in between)');

  await submit(api.tx.datanets.createDatanet(name, 'summary', '', [], 'MIT', 'Public'), bob);
  const bobIdOpt = await api.query.datanets.datanetIdByName(bob.address, name);
  assert.ok(bobIdOpt.isSome, `datanets.datanetIdByName(Bob, ${name}) should exist after the extrinsic`);
  const bobId = bobIdOpt.unwrap().toNumber();

  const viaEvm = (await api.query.datanets.datanet(evmId)).unwrap();
  const viaExtrinsic = (await api.query.datanets.datanet(bobId)).unwrap();
  assert.equal(viaEvm.owner.toHex(), ethToAccountId(ALITH), 'the precompile-created datanet should be owned by Alith\'s AccountId32 (address + 0xEE×12)');
  assert.equal(viaExtrinsic.owner.toHex(), u8aToHex(bob.publicKey), 'the extrinsic-created datanet should be owned by Bob');
  for (const field of ['name', 'summary', 'description', 'license']) {
    assert.equal(viaEvm[field].toHex(), viaExtrinsic[field].toHex(), `datanet.${field} should be the same both ways`);
  }
  assert.equal(viaEvm.name.toUtf8(), name);
  assert.deepEqual(viaEvm.tags.toJSON(), viaExtrinsic.tags.toJSON(), 'datanet.tags should be the same both ways');
  assert.equal(viaEvm.visibility.type, 'Public', 'the precompile creates public datanets');
  assert.equal(viaExtrinsic.visibility.type, 'Public');
  assert.equal(viaEvm.curators.length, 0, 'no curators');
  assert.equal(viaEvm.deposit.toBigInt(), viaExtrinsic.deposit.toBigInt(), 'both hold the same datanet deposit');
  assert.ok(viaEvm.deposit.toBigInt() > 0n, 'the datanet deposit should be held');
  for (const info of [viaEvm, viaExtrinsic]) {
    assert.equal(info.nextRowId.toNumber(), 0, 'a new datanet has no rows');
    assert.equal(info.versionCount.toNumber(), 0, 'a new datanet has no versions');
  }

  let view = await datanets.datanet(evmId);
  assert.ok(sameAddress(view.owner, ALITH), 'IDatanets.datanet owner should be Alith');
  assert.equal(view.name, name);
  assert.equal(view.rowCount, 0n);
  assert.equal(view.versionCount, 0n);

  // A row through the precompile, approved and published through the precompile.
  const contentHash = ethers.hexlify(ethers.randomBytes(32));
  const byteLength = 123;
  const rowId = await datanets.contribute.staticCall(evmId, contentHash, byteLength);
  assert.equal(rowId, 0n, 'the first row of a new datanet is row 0');
  await mined(datanets.contribute(evmId, contentHash, byteLength), 'IDatanets.contribute');
  let row = (await api.query.datanets.rows(evmId, rowId)).unwrap();
  assert.equal(row.contributor.toHex(), ethToAccountId(ALITH), 'the row\'s contributor should be Alith\'s AccountId32');
  assert.equal(row.contentHash.toHex(), contentHash);
  assert.equal(row.byteLen.toNumber(), byteLength);
  assert.ok(row.label.isNone, 'the precompile contributes unlabelled rows');
  assert.equal(row.status.type, 'Pending');
  let rowView = await datanets.row(evmId, rowId);
  assert.equal(rowView.status, 0n, 'IDatanets.row status 0 = pending');

  await mined(datanets.approve(evmId, [rowId]), 'IDatanets.approve');
  assert.equal((await api.query.datanets.rows(evmId, rowId)).unwrap().status.type, 'Approved', 'the row should be approved');
  assert.equal((await datanets.row(evmId, rowId)).status, 1n, 'IDatanets.row status 1 = approved');

  const versionId = await datanets.publishVersion.staticCall(evmId);
  assert.equal(versionId, 1n, 'the first version is version 1');
  await mined(datanets.publishVersion(evmId), 'IDatanets.publishVersion');

  row = (await api.query.datanets.rows(evmId, rowId)).unwrap();
  assert.equal(row.status.type, 'Published', 'the row should be published');
  assert.equal(row.status.asPublished.toNumber(), 1, 'in version 1');
  rowView = await datanets.row(evmId, rowId);
  assert.ok(sameAddress(rowView.contributor, ALITH), 'IDatanets.row contributor should be Alith');
  assert.equal(rowView.contentHash, row.contentHash.toHex(), 'IDatanets.row contentHash should match storage');
  assert.equal(rowView.byteLength, BigInt(row.byteLen.toNumber()), 'IDatanets.row byteLength should match storage');
  assert.equal(rowView.status, 2n, 'IDatanets.row status 2 = published');

  const version = (await api.query.datanets.versions(evmId, 1)).unwrap();
  const versionView = await datanets.version(evmId, 1);
  assert.equal(versionView.merkleRoot, version.merkleRoot.toHex(), 'IDatanets.version merkleRoot should match storage');
  assert.equal(versionView.rowCount, BigInt(version.rowCount.toNumber()), 'IDatanets.version rowCount should match storage');
  assert.equal(versionView.rowCount, 1n, 'the version has one row');
  assert.equal(versionView.totalBytes, version.totalBytes.toBigInt(), 'IDatanets.version totalBytes should match storage');
  assert.equal(versionView.publishedAt, BigInt(version.publishedAt.toNumber()), 'IDatanets.version publishedAt should match storage');
  assert.equal(version.publisher.toHex(), ethToAccountId(ALITH), 'Alith published the version');

  view = await datanets.datanet(evmId);
  const info = (await api.query.datanets.datanet(evmId)).unwrap();
  assert.equal(view.rowCount, info.nextRowId.toBigInt(), 'IDatanets.datanet rowCount should be storage nextRowId');
  assert.equal(view.rowCount, 1n);
  assert.equal(view.versionCount, BigInt(info.versionCount.toNumber()), 'IDatanets.datanet versionCount should match storage');
  assert.equal(view.versionCount, 1n);
});

test('precompile errors revert with "Pallet.Error" reasons; static calls cannot write', LONG, async () => {
  const datanets = new ethers.Contract(DATANETS_ADDRESS, artifact('IDatanets').abi, alith);
  const name = `evm-${randomTag()}`;
  await mined(datanets.createDatanet(name, 'summary', 'MIT'), 'IDatanets.createDatanet');
  const id = (await api.query.datanets.datanetIdByName(ethToAccountId(ALITH), name)).unwrap().toNumber();

  await expectRevertReason(() => datanets.createDatanet.staticCall(name, 'summary', 'MIT'), 'Datanets.NameTaken', 'eth_call createDatanet with a taken name');
  await expectRevertReason(() => mined(datanets.createDatanet(name, 'summary', 'MIT'), 'createDatanet with a taken name'), 'Datanets.NameTaken', 'sending createDatanet with a taken name');
  await expectRevertReason(() => datanets.datanet(4294967295), 'Datanets.UnknownDatanet', 'IDatanets.datanet(2^32 - 1)');
  await expectRevertReason(() => datanets.row(id, 999_999), 'Datanets.UnknownRow', 'IDatanets.row of a row that does not exist');

  // The bounty's constructor lets the precompile's revert through.
  const bounty = artifact('DatanetBounty');
  const deployTx = await new ethers.ContractFactory(bounty.abi, bounty.bytecode, alith).getDeployTransaction(4294967295, 3, { value: ethers.parseEther('1') });
  await expectRevertReason(() => provider.estimateGas({ ...deployTx, from: ALITH }), 'Datanets.UnknownDatanet', 'DatanetBounty for a datanet that does not exist');

  const probeArtifact = artifact('PrecompileProbe');
  const probe = await new ethers.ContractFactory(probeArtifact.abi, probeArtifact.bytecode, alith).deploy();
  await probe.deploymentTransaction().wait(1, 120_000);
  const [ok, returnData] = await probe.staticCreateDatanet(`evm-${randomTag()}`);
  assert.equal(ok, false, 'createDatanet in a static call must fail');
  if (returnData !== '0x') {
    const reason = decodeErrorString(returnData);
    assert.ok(reason !== null, `the static call's revert data should be Error(string), got ${returnData}`);
    assert.match(reason, /static/i, `the static call's revert reason should mention "static", got "${reason}"`);
  }

  // Through a contract, the datanet belongs to the contract's own account, which holds the
  // datanet deposit: fund it first.
  const probeAddress = await probe.getAddress();
  const deposit = api.consts.datanets.datanetDeposit.toBigInt();
  await mined(alith.sendTransaction({ to: probeAddress, value: (deposit + 1_000_000_000_000n) * WEI_PER_PLANCK }), 'funding PrecompileProbe');
  const contractName = `evm-${randomTag()}`;
  await mined(probe.createDatanet(contractName), 'PrecompileProbe.createDatanet');
  const owned = await api.query.datanets.datanetIdByName(ethToAccountId(probeAddress), contractName);
  assert.ok(owned.isSome, 'a datanet created through a contract should be owned by the contract\'s account (address + 0xEE×12)');
});

test('rewards views match storage', LONG, async () => {
  const rewards = new ethers.Contract(REWARDS_ADDRESS, artifact('IRewards').abi, provider);
  const { number, hash } = await finalizedBlockSeenByEth();
  const apiAt = await api.at(hash);

  const aliceEth = accountIdToEth(alice.publicKey);
  for (const [who, accountId, address] of [
    ['//Alice', alice.address, aliceEth],
    ['Alith', ethToAccountId(ALITH), ALITH],
  ]) {
    const planck = (await apiAt.query.rewards.claimable(accountId)).toBigInt();
    const wei = await rewards.claimable(address, { blockTag: number });
    assert.equal(wei, planck * WEI_PER_PLANCK, `IRewards.claimable(${who} ${address}) at block ${number} should be rewards.claimable × 10^6 = ${planck} × 10^6`);
  }

  // //Alice's keccak-derived address is her sr25519 account on the EVM side.
  const ethWei = await ethBalanceAt(aliceEth, number);
  assertEthBalanceMatches(ethWei, await substrateEthBalance(apiAt, alice.address, aliceEth), `//Alice (${aliceEth}) at block ${number}`);
});

test('the models precompile opens a fine-tune job as the extrinsic does, and reads models', VERY_LONG, async () => {
  const models = new ethers.Contract(MODELS_ADDRESS, artifact('IModels').abi, alith);
  // A published datanet version to train on (the browser flow published one).
  let pinned = null;
  for (const [key, value] of await api.query.datanets.datanet.entries()) {
    const info = value.unwrap();
    if (info.versionCount.toNumber() > 0) pinned = { datanet: key.args[0].toNumber(), version: info.versionCount.toNumber() };
  }
  assert.ok(pinned, 'no datanet has a published version: run the studio flow on this network first');
  const feeWei = ethers.parseEther('1');
  const name = `evm-model-${randomTag()}`;

  const [modelId, jobId] = await models.createModel.staticCall(name, 0, [pinned.datanet], [pinned.version], feeWei);
  await mined(models.createModel(name, 0, [pinned.datanet], [pinned.version], feeWei), 'IModels.createModel');
  const evmModel = (await api.query.models.model(modelId)).unwrap();
  const evmJob = (await api.query.models.jobs(jobId)).unwrap();
  assert.equal(evmModel.owner.toHex(), ethToAccountId(ALITH), 'the model is owned by Alith\'s account');
  assert.equal(evmModel.name.toUtf8(), name);
  assert.equal(evmJob.model.toNumber(), Number(modelId), 'the job trains the new model');
  assert.equal(evmJob.fee.toBigInt(), feeWei / WEI_PER_PLANCK, 'the job holds the fee, in planck');

  // The same through polkadot.js, with the settings the precompile used (the defaults).
  await submit(
    api.tx.models.createModel(name, 0, [{ datanet: pinned.datanet, version: pinned.version }], evmJob.settings, evmJob.fee),
    bob,
  );
  const bobModelId = (await api.query.models.nextModelId()).toNumber() - 1;
  const bobModel = (await api.query.models.model(bobModelId)).unwrap();
  assert.equal(bobModel.owner.toHex(), u8aToHex(bob.publicKey));
  const bobJobId = (await api.query.models.nextJobId()).toNumber() - 1;
  const bobJob = (await api.query.models.jobs(bobJobId)).unwrap();
  for (const field of ['name', 'baseModel', 'pricePer1kTokens', 'retired', 'versionCount']) {
    assert.equal(show(evmModel[field].toJSON()), show(bobModel[field].toJSON()), `model.${field} should be the same both ways`);
  }
  for (const field of ['baseModel', 'baseWeightsHash', 'datanets', 'settings', 'fee']) {
    assert.equal(show(evmJob[field].toJSON()), show(bobJob[field].toJSON()), `job.${field} should be the same both ways`);
  }

  const view = await models.model(modelId);
  assert.ok(sameAddress(view.owner, ALITH));
  assert.equal(view.name, name);
  assert.equal(view.versionCount, 0n);
  assert.equal(view.priced, false, 'a new model has no price');

  // A trained version (the browser flow's model 0, version 1) read through the precompile.
  const trained = (await api.query.models.modelVersions(0, 1)).unwrap();
  const version = await models.modelVersion(0, 1);
  assert.equal(version.adapterHash, trained.result.adapterHash.toHex());
  assert.equal(version.adapterBytes, trained.result.adapterBytes.toBigInt());
  assert.equal(version.jobId, trained.job.toBigInt());
  assert.equal(version.evalLossPpb, trained.verifiedEvalLossPpb.toBigInt());
  const priced = (await api.query.models.model(0)).unwrap().pricePer1kTokens;
  const model0 = await models.model(0);
  assert.equal(model0.priced, priced.isSome);
  assert.equal(model0.pricePer1kTokensWei, priced.isSome ? priced.unwrap().toBigInt() * WEI_PER_PLANCK : 0n);

  await expectRevertReason(() => models.model.staticCall(4_000_000_000), 'Models.UnknownModel', 'IModels.model of an unknown model');
  await expectRevertReason(
    () => models.createModel.staticCall(name, 0, [pinned.datanet], [pinned.version], feeWei + 1n),
    'whole number of planck',
    'a fee that is not a whole number of planck',
  );
});

test('IRewards.claim pays what rewards.claim pays', LONG, async () => {
  const rewards = new ethers.Contract(REWARDS_ADDRESS, artifact('IRewards').abi, alith);
  const accrued = [];
  for (const [key, value] of await api.query.rewards.claimable.entries()) {
    if (value.toBigInt() > 0n) accrued.push(key.args[0].toHex());
  }
  assert.ok(accrued.length > 0, 'nobody has rewards to claim: run the studio flow on this network first');

  // Alith claims for the first account through the precompile.
  const beneficiary = accrued[0];
  const amount = (await api.query.rewards.claimable(beneficiary)).toBigInt();
  const address = accountIdToEth(beneficiary);
  assert.equal(await rewards.claimable(address), amount * WEI_PER_PLANCK);
  const receipt = await mined(rewards.claim(address), 'IRewards.claim');
  const blockHash = (await api.rpc.chain.getBlockHash(receipt.blockNumber)).toHex();
  const events = await (await api.at(blockHash)).query.system.events();
  const claimed = events.find(({ event }) => event.section === 'rewards' && event.method === 'Claimed');
  assert.ok(claimed, 'the claim emits rewards.Claimed, as the extrinsic does');
  assert.equal(show(claimed.event.data[0].toHex()), show(beneficiary), 'Claimed names the beneficiary');
  assert.equal(claimed.event.data[1].toBigInt(), amount, 'Claimed carries the accrued amount');
  assert.equal((await api.query.rewards.claimable(beneficiary)).toBigInt(), 0n, 'nothing is left to claim');
  await expectRevertReason(() => rewards.claim.staticCall(address), 'Rewards.NothingToClaim', 'a second claim');

  // Another account through polkadot.js, when there is one: the same event, the same zero.
  if (accrued.length > 1) {
    const other = accrued[1];
    const otherAmount = (await api.query.rewards.claimable(other)).toBigInt();
    await submit(api.tx.rewards.claim(other), bob);
    assert.equal((await api.query.rewards.claimable(other)).toBigInt(), 0n);
    assert.ok(otherAmount > 0n);
  }
});

test('DatanetBounty pays contributors pro rata to their rows\' attribution', VERY_LONG, async () => {
  // The datanet whose rows earned the most attribution.
  const sums = new Map();
  for (const [key, value] of await api.query.attribution.rowAttribution.entries()) {
    const datanetId = key.args[0].toNumber();
    sums.set(datanetId, (sums.get(datanetId) ?? 0n) + value.toBigInt());
  }
  const ranked = [...sums].filter(([, sum]) => sum > 0n).sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
  if (ranked.length === 0) {
    assert.fail(
      'no row on this network has attribution (attribution.rowAttribution is empty): the bounty test needs final ' +
        'attribution records; run the studio browser flow (scripts/studio-e2e.sh) against this network first',
    );
  }
  const [datanetId] = ranked[0];

  const { abi, bytecode } = artifact('DatanetBounty');
  const escrow = ethers.parseEther('10');
  const bounty = await new ethers.ContractFactory(abi, bytecode, alith).deploy(datanetId, 3, { value: escrow });
  const deployReceipt = await bounty.deploymentTransaction().wait(1, 120_000);
  assert.equal(deployReceipt.status, 1, 'DatanetBounty deployment should succeed');
  const endBlock = await bounty.endBlock();
  assert.equal(endBlock, BigInt(deployReceipt.blockNumber + 3), 'endBlock = deployment block + 3');
  assert.ok(sameAddress(await bounty.sponsor(), ALITH), 'the sponsor is the deployer');
  assert.equal(await bounty.datanetId(), BigInt(datanetId));
  assert.equal(await bounty.escrow(), escrow, 'escrow() should be the 10 TRIB sent');
  const funded = deployReceipt.logs.map((l) => bounty.interface.parseLog(l)).find((l) => l?.name === 'Funded');
  assert.ok(funded && sameAddress(funded.args.from, ALITH) && funded.args.amount === escrow, 'the deployment should emit Funded(Alith, 10 TRIB)');

  if ((await ethBlockNumber()) + 1 < Number(endBlock)) {
    const early = await expectRevert(() => bounty.settle.staticCall(), 'settle before endBlock', bounty.interface);
    assert.equal(early.customError, 'NotEnded', `settle before endBlock should revert with NotEnded, got ${show(early)}`);
  }
  await waitForEthBlock(Number(endBlock));
  const late = await expectRevert(() => bounty.fund.staticCall({ value: 1n }), 'fund after endBlock', bounty.interface);
  assert.equal(late.customError, 'BountyEnded', `fund after endBlock should revert with BountyEnded, got ${show(late)}`);

  const settleReceipt = await mined(bounty.connect(baltathar).settle(), 'settle() from Baltathar');
  const settleBlock = settleReceipt.blockNumber;
  const settleHash = await finalizedHashOf(settleBlock);
  const parentHash = (await api.rpc.chain.getHeader(settleHash)).parentHash.toHex();
  const before_ = await api.at(parentHash);
  const after_ = await api.at(settleHash);

  assert.equal(await bounty.escrow({ blockTag: settleBlock - 1 }), escrow, 'the escrow before settle should be exactly 10 TRIB');

  // What settle should have done, from storage before its block.
  const attribution = new ethers.Contract(ATTRIBUTION_ADDRESS, artifact('IAttribution').abi, provider);
  const rowCount = (await before_.query.datanets.datanet(datanetId)).unwrap().nextRowId.toNumber();
  assert.ok(rowCount <= 256, `datanet ${datanetId} has ${rowCount} rows, more than DatanetBounty.maxRows`);
  const rows = [];
  let totalScore = 0n;
  for (let r = 0; r < rowCount; r++) {
    const rowOpt = await before_.query.datanets.rows(datanetId, r);
    if (rowOpt.isNone) continue;
    const row = rowOpt.unwrap();
    if (row.status.type === 'Slashed') continue;
    const score = (await before_.query.attribution.rowAttribution(datanetId, r)).toBigInt();
    const viaPrecompile = await attribution.rowAttribution(datanetId, r, { blockTag: settleBlock - 1 });
    assert.equal(viaPrecompile, score, `IAttribution.rowAttribution(${datanetId}, ${r}) should match storage`);
    rows.push({ rowId: r, accountId: row.contributor.toHex(), address: accountIdToEth(row.contributor), score });
    totalScore += score;
  }
  assert.ok(totalScore > 0n, `datanet ${datanetId}'s rows should have attribution`);

  const events = settleReceipt.logs
    .filter((l) => sameAddress(l.address, bounty.target))
    .map((l) => bounty.interface.parseLog(l))
    .filter(Boolean);
  const settled = events.filter((e) => e.name === 'Settled');
  assert.equal(settled.length, 1, 'settle should emit one Settled');
  const paidEvents = events.filter((e) => e.name === 'Paid');

  const expectedPaid = rows
    .map((row) => ({ ...row, amount: (escrow * row.score) / totalScore }))
    .filter((row) => row.amount > 0n);
  assert.equal(paidEvents.length, expectedPaid.length, `one Paid per row with a non-zero share: expected rows ${expectedPaid.map((r) => r.rowId)}, got ${paidEvents.map((e) => e.args.rowId)}`);
  let paidTotal = 0n;
  const expectedDelta = new Map(); // address → wei
  for (const row of expectedPaid) {
    const event = paidEvents.find((e) => e.args.rowId === BigInt(row.rowId));
    assert.ok(event, `row ${row.rowId} (score ${row.score}) should be paid`);
    assert.equal(event.args.amount, row.amount, `row ${row.rowId}: amount should be floor(escrow × ${row.score} / ${totalScore})`);
    assert.ok(sameAddress(event.args.contributor, row.address), `row ${row.rowId}: paid to ${event.args.contributor}, but its contributor's address is ${row.address}`);
    paidTotal += event.args.amount;
    expectedDelta.set(row.address, (expectedDelta.get(row.address) ?? 0n) + event.args.amount);
  }
  const [settledScore, settledPaid, settledRefund] = settled[0].args;
  assert.equal(settledScore, totalScore, 'Settled.totalScore should be the sum of the rows\' attribution');
  assert.equal(settledPaid, paidTotal, 'Settled.paid should be the sum of the Paid amounts');
  assert.equal(paidTotal + settledRefund, escrow, 'paid + refunded should be the whole escrow');
  expectedDelta.set(ALITH, (expectedDelta.get(ALITH) ?? 0n) + settledRefund);

  assert.equal(await bounty.settled(), true, 'settled() should be true');
  assert.equal(await bounty.escrow(), 0n, 'escrow() should be 0 after settle');
  assert.equal(await provider.getBalance(bounty.target), 0n, 'the contract should hold nothing after settle');
  const again = await expectRevert(() => bounty.settle.staticCall(), 'a second settle', bounty.interface);
  assert.equal(again.customError, 'AlreadySettled', `a second settle should revert with AlreadySettled, got ${show(again)}`);

  // Each contributor (and the sponsor) received exactly its amounts, less the fees it paid for
  // its own transactions in the same block. Counted on free + reserved: a hold placed in the same
  // block (a worker's report bond, say) moves funds without spending them. eth_getBalance must
  // agree with the substrate state at both blocks.
  const blockEvents = await after_.query.system.events();
  const accountIdOf = (address) => rows.find((r) => r.address === address)?.accountId ?? ethToAccountId(address);
  for (const [address, wei] of expectedDelta) {
    const accountId = accountIdOf(address);
    let fees = 0n;
    for (const { event } of blockEvents) {
      if (event.section === 'transactionPayment' && event.method === 'TransactionFeePaid' && event.data[0].toHex() === accountId) {
        fees += event.data[1].toBigInt() + event.data[2].toBigInt();
      }
    }
    const subBefore = await substrateEthBalance(before_, accountId, address);
    const subAfter = await substrateEthBalance(after_, accountId, address);
    assertEthBalanceMatches(await ethBalanceAt(address, settleBlock - 1), subBefore, `${address} before settle (block ${settleBlock - 1})`);
    assertEthBalanceMatches(await ethBalanceAt(address, settleBlock), subAfter, `${address} after settle (block ${settleBlock})`);

    const ss58 = api.createType('AccountId32', accountId).toString();
    const touching = blockEvents
      .filter(({ event }) => {
        const json = show(event.data.toJSON());
        return json.includes(ss58) || json.toLowerCase().includes(accountId.slice(2));
      })
      .map(({ event }) => `${event.section}.${event.method}`);
    const expected = wei - fees * WEI_PER_PLANCK;
    const planckDelta = subAfter.free + subAfter.reserved - (subBefore.free + subBefore.reserved);
    const why = `${address} (${accountId}) should gain ${wei} wei${fees ? ` less ${fees} planck of fees` : ''} in block ${settleBlock}: ` +
      `free ${subBefore.free} → ${subAfter.free}, reserved ${subBefore.reserved} → ${subAfter.reserved} planck, dust ${subBefore.dust} → ${subAfter.dust} ` +
      `(events naming it: ${touching.join(', ') || 'none'}; an unmapped sr25519 address would pay its fallback account instead)`;
    if (subBefore.dust !== null) {
      assert.equal(planckDelta * WEI_PER_PLANCK + (subAfter.dust - subBefore.dust), expected, why);
    } else {
      const diff = planckDelta * WEI_PER_PLANCK - expected;
      assert.ok(diff > -WEI_PER_PLANCK && diff < WEI_PER_PLANCK, why);
    }
  }
});

test('attribution record views match storage', LONG, async () => {
  const attribution = new ethers.Contract(ATTRIBUTION_ADDRESS, artifact('IAttribution').abi, provider);
  const finals = (await api.query.attribution.records.entries())
    .map(([key, value]) => ({ id: key.args[0].toBigInt(), record: value.unwrap() }))
    .filter(({ record }) => record.status.type === 'Final')
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  if (finals.length === 0) {
    assert.fail('no final attribution record on this network: run the studio browser flow (scripts/studio-e2e.sh) against it first');
  }
  const { number, hash } = await finalizedBlockSeenByEth();
  const apiAt = await api.at(hash);
  const { id } = finals[finals.length - 1];
  const record = (await apiAt.query.attribution.records(id)).unwrap();

  const [datanetIds, rowIds, scoresPpb] = await attribution.topRows(id, { blockTag: number });
  assert.equal(rowIds.length, record.top.length, `IAttribution.topRows(${id}) should list the record's ${record.top.length} top rows`);
  assert.equal(datanetIds.length, rowIds.length);
  assert.equal(scoresPpb.length, rowIds.length);
  record.top.forEach((score, i) => {
    assert.equal(datanetIds[i], BigInt(score.row.datanet.toNumber()), `top row ${i}: datanet`);
    assert.equal(rowIds[i], score.row.row.toBigInt(), `top row ${i}: row`);
    assert.equal(scoresPpb[i], BigInt(score.partsPerBillion.toNumber()), `top row ${i}: parts per billion`);
  });

  const view = await attribution.record(id, { blockTag: number });
  assert.ok(sameAddress(view.user, accountIdToEth(record.user)), `IAttribution.record(${id}).user should be the user's Ethereum address`);
  assert.equal(view.modelId, BigInt(record.model.toNumber()), 'record modelId');
  assert.equal(view.modelVersion, BigInt(record.version.toNumber()), 'record modelVersion');
  assert.equal(view.status, 3n, 'status 3 = final');
  assert.equal(view.feeWei, record.fee.toBigInt() * WEI_PER_PLANCK, 'feeWei = fee × 10^6');

  await expectRevertReason(() => attribution.record(2n ** 64n - 1n), 'Attribution.UnknownRecord', 'IAttribution.record of an unknown id');
});
