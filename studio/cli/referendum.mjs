#!/usr/bin/env node
// Propose a call by referendum, vote on it and follow it to enactment, from the command line:
// what polkadot.js apps' Governance pages do, as signed extrinsics (README "Governance").
//
//   node studio/cli/referendum.mjs [options] <origin> <pallet.call> [argument ...]
//
//   <origin>     the track's origin: Root, WhitelistedCaller, ParameterAdmin, Catalogue,
//                Treasurer or ValidatorAdmin
//   <pallet.call> e.g. validators.addValidator; each argument is JSON (a string that is not
//                valid JSON is taken as a string), e.g. an address or '{"Datanets": ...}'
//   --url <ws>          the node (default ws://127.0.0.1:9944)
//   --proposer <suri>   notes the preimage, submits and places the decision deposit
//                       (default //Alice//stash)
//   --voters <suris>    comma separated; each votes aye with half its free balance at 1x
//                       conviction (default the six dev stashes; "" votes nobody)
//   --no-wait           return once the votes are in
//
// Exits 0 once the call is enacted and succeeded; 1 if the referendum is rejected, times out or
// the enacted call fails (its error is printed).
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { formatBalance, stringToU8a, u8aToHex } from '@polkadot/util';

const TRACK_ORIGINS = ['WhitelistedCaller', 'ParameterAdmin', 'Catalogue', 'Treasurer', 'ValidatorAdmin'];
const DEV_STASHES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((name) => `//${name}//stash`);
// A referendum that is not enacted by then is reported as stuck (production periods are days).
const TIMEOUT_MS = Number(process.env.REFERENDUM_TIMEOUT_MS ?? 10 * 60_000);

function usage(message) {
  if (message) console.error(`referendum: ${message}`);
  console.error('usage: referendum.mjs [--url ws] [--proposer suri] [--voters suri,...] [--no-wait] <origin> <pallet.call> [json argument ...]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { url: 'ws://127.0.0.1:9944', proposer: '//Alice//stash', voters: DEV_STASHES, wait: true };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${arg} needs a value`));
    if (arg === '--url') options.url = value();
    else if (arg === '--proposer') options.proposer = value();
    else if (arg === '--voters') options.voters = value().split(',').filter(Boolean);
    else if (arg === '--no-wait') options.wait = false;
    else if (arg === '--help' || arg === '-h') usage();
    else positional.push(arg);
  }
  if (positional.length < 2) usage('an origin and a call are needed');
  const [origin, call, ...args] = positional;
  if (origin !== 'Root' && !TRACK_ORIGINS.includes(origin)) {
    usage(`unknown origin ${origin}: one of Root, ${TRACK_ORIGINS.join(', ')}`);
  }
  const [pallet, method] = call.split('.');
  if (!pallet || !method) usage(`${call} is not pallet.call`);
  const values = args.map((arg) => {
    try {
      return JSON.parse(arg);
    } catch {
      return arg;
    }
  });
  return { ...options, origin, pallet, method, values };
}

/// Sign and send `tx`; resolves with the events of its block once it is in one, or rejects with
/// the dispatch error in words (pallet, error and its docs).
function send(api, tx, signer, what) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce: -1 }, ({ status, events, dispatchError }) => {
      if (!status.isInBlock) return;
      if (dispatchError) {
        if (dispatchError.isModule) {
          const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
          reject(new Error(`${what}: ${section}.${name}: ${docs.join(' ')}`));
        } else {
          reject(new Error(`${what}: ${dispatchError.toString()}`));
        }
        return;
      }
      resolve({ block: status.asInBlock, events });
    }).catch((error) => reject(new Error(`${what}: ${error.message}`)));
  });
}

/// The id the referenda pallet schedules referendum `index`'s enactment under.
function enactmentId(api, index) {
  const encoded = api.createType('([u8; 8], Bytes, u32)', [stringToU8a('assembly'), 'enactment', index]).toU8a();
  return u8aToHex(blake2AsU8a(encoded));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(options.url), noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519' });
  const decimals = api.registry.chainDecimals[0];
  const unit = api.registry.chainTokens[0];
  const txFor = api.tx[options.pallet]?.[options.method];
  if (!txFor) usage(`the chain has no call ${options.pallet}.${options.method}`);
  let call;
  try {
    call = txFor(...options.values);
  } catch (error) {
    usage(`${options.pallet}.${options.method}: ${error.message}`);
  }
  const origin = options.origin === 'Root' ? { system: 'Root' } : { Governance: options.origin };
  const encoded = call.method.toU8a();
  const hash = u8aToHex(blake2AsU8a(encoded));
  const proposer = keyring.addFromUri(options.proposer);

  // Preimage, submission and decision deposit in one batch, as the tests do.
  const index = (await api.query.referenda.referendumCount()).toNumber();
  const { events } = await send(
    api,
    api.tx.utility.batchAll([
      api.tx.preimage.notePreimage(u8aToHex(encoded)),
      api.tx.referenda.submit(origin, { Lookup: { hash, len: encoded.length } }, { After: 0 }),
      api.tx.referenda.placeDecisionDeposit(index),
    ]),
    proposer,
    'proposing',
  );
  const submitted = events.find(({ event }) => api.events.referenda.Submitted.is(event));
  const referendum = submitted ? submitted.event.data[0].toNumber() : index;
  const track = submitted ? submitted.event.data[1].toNumber() : '?';
  console.log(`referendum ${referendum} on track ${track}: ${options.origin} ${options.pallet}.${options.method} (preimage ${hash})`);

  await Promise.all(
    options.voters.map(async (suri) => {
      const voter = keyring.addFromUri(suri);
      const { data } = await api.query.system.account(voter.address);
      const balance = data.free.toBigInt() / 2n;
      await send(
        api,
        api.tx.convictionVoting.vote(referendum, {
          Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance },
        }),
        voter,
        `${suri}'s vote`,
      );
      console.log(`  ${suri} voted aye with ${formatBalance(balance, { decimals, withUnit: unit })} (1x conviction)`);
    }),
  );
  if (!options.wait) {
    await api.disconnect();
    return;
  }

  const id = enactmentId(api, referendum);
  let last = '';
  const outcome = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, words: `not enacted within ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
    api.rpc.chain.subscribeNewHeads(async (header) => {
      const at = await api.at(header.hash);
      const info = await at.query.referenda.referendumInfoFor(referendum);
      const state = info.isSome ? info.unwrap().type : 'gone';
      if (state !== last) {
        console.log(`  block #${header.number}: ${state}`);
        last = state;
      }
      if (state === 'Rejected' || state === 'TimedOut' || state === 'Cancelled' || state === 'Killed') {
        clearTimeout(timer);
        resolve({ ok: false, words: `the referendum was ${state.toLowerCase()}` });
      }
      for (const { event } of await at.query.system.events()) {
        if (api.events.scheduler.Dispatched.is(event) && event.data.id.isSome && event.data.id.unwrap().toHex() === id) {
          clearTimeout(timer);
          const result = event.data.result;
          if (result.isOk) {
            resolve({ ok: true, words: `enacted in block #${header.number}` });
          } else {
            const error = result.asErr;
            const words = error.isModule
              ? (({ section, name, docs }) => `${section}.${name}: ${docs.join(' ')}`)(api.registry.findMetaError(error.asModule))
              : error.toString();
            resolve({ ok: false, words: `enacted in block #${header.number}, but the call failed: ${words}` });
          }
        }
      }
    });
  });
  console.log(`referendum ${referendum}: ${outcome.words}`);
  await api.disconnect();
  process.exit(outcome.ok ? 0 : 1);
}

main().catch((error) => {
  console.error(`referendum: ${error.message}`);
  process.exit(1);
});
