// Block production and GRANDPA finality seen from the validators that run, in one of four
// phases of the finality scenario (the phase is the script's argument):
//   all-up      4/4 validators: blocks and finality advance; block time and finality lag measured
//   one-paused  3/4: blocks and finality still advance
//   two-paused  2/4: blocks advance, finality stalls (GRANDPA needs more than 2/3 of the votes)
//   resumed     4/4 again: finality passes the stalled head, and every validator has the same
//               block at every finalized height (nothing forked permanently)
// Timings are appended to $TRIBUTARY_ZOMBIENET_DIR/report/finality.txt.
const fs = require("fs");

const RUNNING = {
  "all-up": ["alice", "bob", "charlie", "dave"],
  "one-paused": ["alice", "bob", "dave"],
  "two-paused": ["alice", "bob"],
  resumed: ["alice", "bob", "charlie", "dave"],
};
// Blocks observed per phase: enough for a stable block time at 3 s slots.
const OBSERVED_BLOCKS = 8;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// polkadot.js without its start-up warnings: the runtime's WeightReclaim transaction extension
// adds nothing to extrinsics or their payload.
function connect(wsUri) {
  return zombie.ApiPromise.create({
    provider: new zombie.WsProvider(wsUri),
    noInitWarn: true,
    signedExtensions: { WeightReclaim: { extrinsic: {}, payload: {} } },
  });
}

function report(line) {
  const path = `${process.env.TRIBUTARY_ZOMBIENET_DIR}/report/finality.txt`;
  fs.appendFileSync(path, `finality ${line}\n`);
  console.log(line);
}

async function heads(api) {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const finalizedHash = await api.rpc.chain.getFinalizedHead();
  const finalized = (await api.rpc.chain.getHeader(finalizedHash)).number.toNumber();
  return { best, finalized };
}

// Wait until `node` has authored OBSERVED_BLOCKS more blocks; the mean block time and the
// largest finality lag (best - finalized) seen on the way.
async function observe(api) {
  const start = await heads(api);
  const started = Date.now();
  let lag = 0;
  let now = start;
  while (now.best < start.best + OBSERVED_BLOCKS) {
    await sleep(500);
    now = await heads(api);
    lag = Math.max(lag, now.best - now.finalized);
    if (Date.now() - started > 120_000) throw new Error(`only ${now.best - start.best} blocks in 120 s`);
  }
  return {
    start,
    end: now,
    blockTime: (Date.now() - started) / 1000 / (now.best - start.best),
    lag,
  };
}

async function sameChain(apis, names) {
  const finalized = Math.min(...(await Promise.all(apis.map(heads))).map((h) => h.finalized));
  for (let height = 1; height <= finalized; height++) {
    const hashes = await Promise.all(apis.map((api) => api.rpc.chain.getBlockHash(height)));
    const distinct = new Set(hashes.map((hash) => hash.toHex()));
    if (distinct.size !== 1) {
      throw new Error(`validators ${names.join(", ")} disagree on block ${height}: ${[...distinct].join(" ")}`);
    }
  }
  return finalized;
}

async function run(nodeName, networkInfo, args) {
  const phase = args[0];
  const names = RUNNING[phase];
  if (!names) throw new Error(`unknown phase ${phase}`);
  const apis = await Promise.all(names.map((name) => connect(networkInfo.nodesByName[name].wsUri)));
  const api = apis[0];
  try {
    if (phase === "two-paused") {
      // Votes already cast may still finalize a block or two right after the pause.
      await sleep(10_000);
      const { start, end, blockTime } = await observe(api);
      if (end.finalized !== start.finalized) {
        throw new Error(`finality moved from ${start.finalized} to ${end.finalized} with 2 of 4 voters`);
      }
      report(`2/4: block time ${blockTime.toFixed(2)} s, finality stalled at #${end.finalized} while best reached #${end.best}`);
      fs.writeFileSync(`${process.env.TRIBUTARY_ZOMBIENET_DIR}/report/stalled-at`, `${end.finalized} ${end.best}`);
      return 0;
    }
    if (phase === "resumed") {
      const [stalledAt, bestWhenStalled] = fs
        .readFileSync(`${process.env.TRIBUTARY_ZOMBIENET_DIR}/report/stalled-at`, "utf8")
        .split(" ")
        .map(Number);
      const started = Date.now();
      let now = await heads(api);
      while (now.finalized <= bestWhenStalled) {
        if (Date.now() - started > 120_000) throw new Error(`finality still at #${now.finalized} 120 s after the resume`);
        await sleep(500);
        now = await heads(api);
      }
      const resumedIn = (Date.now() - started) / 1000;
      const checked = await sameChain(apis, names);
      report(`resumed: finality passed the stalled #${stalledAt} and the best head at the stall (#${bestWhenStalled}) in ${resumedIn.toFixed(1)} s; all 4 validators agree on blocks 1..#${checked}`);
      return 0;
    }
    const { start, end, blockTime, lag } = await observe(api);
    if (end.finalized <= start.finalized) {
      throw new Error(`finality did not advance (#${start.finalized}) with ${names.length} of 4 validators`);
    }
    await sameChain(apis, names);
    report(`${names.length}/4: block time ${blockTime.toFixed(2)} s, finality lag at most ${lag} blocks (finalized #${start.finalized} -> #${end.finalized})`);
    return 0;
  } finally {
    await Promise.all(apis.map((api) => api.disconnect()));
  }
}

module.exports = { run };
