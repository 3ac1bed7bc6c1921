// The whole flow in a real browser (headless Debian chromium driven by playwright-core)
// against the two-validator network of scripts/dev.sh (a job needs a trainer and a verifier on
// different validators): the validators Alice and Bob register as workers; as Charlie, a datanet
// of the planted facts (scripts/demo/planted-facts.txt) is created, uploaded, approved and
// published; a fine-tune job is opened on it and followed until the chain accepts its version;
// Charlie, the model's owner, sets a price; a chat answer of the new version, attributed by RAG
// (the rows it cites), is paid with a receipt signed in the browser and followed until its record
// is final; Charlie, the contributor, claims the reward. A full-page screenshot of every page
// and stage goes to ARTIFACTS; the list is printed at the end.
//
//   scripts/studio-e2e.sh                                  # starts its own network (the usual way)
//   STUDIO_URL=http://127.0.0.1:5173 node e2e/full-flow.mjs   # against a running scripts/dev.sh
//
// Needs a fresh chain: the facts can be contributed once per chain (duplicates are refused).
// On a failure it prints `[full-flow] FAILED at step N (<name>)` with the error, the page's last
// console errors and the screenshot of the page as it was, and exits 1.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.STUDIO_URL ?? 'http://127.0.0.1:5173';
const artifacts = resolve(process.env.ARTIFACTS ?? 'smoke-artifacts/full');
const sidecars = {
  Alice: process.env.ALICE_SIDECAR_URL ?? 'http://127.0.0.1:8420',
  Bob: process.env.BOB_SIDECAR_URL ?? 'http://127.0.0.1:8421',
};
// Training settings: small enough for the tiny base model (scripts/dev.sh TRIBUTARY_BASE_MODEL=tiny)
// to train in seconds, enough epochs for the adapter to beat the base on the held-out rows.
const EPOCHS = process.env.EPOCHS ?? '20';
const BATCH = process.env.BATCH ?? '4';
const facts = readFileSync(new URL('../../scripts/demo/planted-facts.txt', import.meta.url));
const QUESTION = 'What is the capital of Veloria?';
// How the answer is attributed, the chat page's option values: rag (the rows it cites; the tiny
// model's answers are not language), suffix_span or influence (scripts/demo.sh uses suffix_span
// with SmolLM2-135M-Instruct).
const METHOD = process.env.ATTRIBUTION_METHOD ?? 'rag';
const BLOCK_WAIT = 60_000;
const TRAINING_WAIT = Number(process.env.TRAINING_WAIT_S ?? 600) * 1000;
mkdirSync(artifacts, { recursive: true });

const started = Date.now();
const clock = () => `${new Date().toISOString().slice(11, 19)} +${Math.round((Date.now() - started) / 1000)}s`;
let current = { index: 0, name: 'starting the browser' };
const step = (name) => {
  current = { index: current.index + 1, name };
  console.log(`[full-flow] ${clock()} step ${current.index}: ${name}`);
};
const note = (words) => console.log(`[full-flow] ${clock()}   ${words}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const consoleErrors = [];
page.on('console', (message) => {
  if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`.slice(0, 400));
});
page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`.slice(0, 400)));

const shots = [];
const shot = async (name, shows) => {
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.splice(0, shots.length, ...shots.filter((taken) => taken.path !== path), { path, shows });
  note(`screenshot ${path}`);
};
const selectAccount = (name) => page.getByLabel('Signing account').selectOption({ label: `${name} (dev)` });
const goTo = async (hash) => {
  await page.goto(`${base}/#/${hash}`);
  await page.getByText(/block #\d+/).waitFor({ timeout: BLOCK_WAIT });
};

try {
  const name = process.env.DATANET_NAME ?? `planted-facts-${Date.now()}`;

  step('open the studio; the validators Alice and Bob register as workers (jobs draw a trainer and a verifier among them)');
  await goTo('factory');
  const workers = page.getByRole('region', { name: 'Workers' });
  await workers.waitFor({ timeout: BLOCK_WAIT });
  for (const [who, url] of Object.entries(sidecars)) {
    if (await workers.getByRole('cell', { name: who, exact: true }).count()) continue;
    await selectAccount(who);
    await workers.getByLabel('Worker endpoint').fill(url);
    await workers.getByRole('button', { name: 'Register the selected account as a worker' }).click();
    await workers.getByRole('cell', { name: who, exact: true }).waitFor({ timeout: BLOCK_WAIT });
    note(`${who} registered with ${url}`);
  }
  await selectAccount('Charlie');
  await shot('01-factory-workers', 'ModelFactory: Alice and Bob registered as workers (endpoint, device, bond); no job yet');

  step(`create the datanet ${name} as Charlie`);
  await goTo('datanets');
  await selectAccount('Charlie');
  await page.getByRole('button', { name: 'New datanet' }).click();
  const form = page.getByRole('form', { name: 'Create a datanet' });
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel('Summary').fill('Planted facts for the studio flow');
  await form.getByLabel(/^Tags/).fill('facts, e2e');
  await form.getByText(/transaction fee ≈/).waitFor({ timeout: BLOCK_WAIT });
  await form.getByRole('button', { name: 'Sign and create' }).click();
  const detail = page.getByRole('article', { name: `Datanet ${name}` });
  await detail.waitFor({ timeout: BLOCK_WAIT });

  step('a refused extrinsic shows the pallet error in words: the same name again');
  await page.getByRole('button', { name: 'New datanet' }).click();
  await form.getByLabel(/^Name/).fill(name);
  await form.getByText(/transaction fee ≈/).waitFor({ timeout: BLOCK_WAIT });
  await form.getByRole('button', { name: 'Sign and create' }).click();
  const refused = form.getByRole('alert').filter({ hasText: 'datanets.NameTaken' });
  await refused.waitFor({ timeout: BLOCK_WAIT });
  note(`refused: ${await refused.innerText()}`);
  await shot('02-datanets-error-in-words', `Datanets: creating ${name} a second time is refused by the chain, shown as "datanets.NameTaken: <the error's docs>"`);
  await page.getByRole('button', { name: 'Close' }).click();

  step('upload planted-facts.txt: split by paragraph with a preview, stored in the sidecar, contributed with the deposit shown');
  await detail.getByLabel('File to upload').setInputFiles({ name: 'planted-facts.txt', mimeType: 'text/plain', buffer: facts });
  const storeButton = detail.getByRole('button', { name: /Store \d+ rows/ });
  const rowCount = Number(/Store (\d+) rows/.exec(await storeButton.innerText())[1]);
  note(`the file splits into ${rowCount} rows`);
  await shot('03-datanets-upload-preview', `Datanets: ${name} created; planted-facts.txt split into ${rowCount} rows with a preview and the deposit if all are contributed`);
  await storeButton.click();
  const contributeButton = detail.getByRole('button', { name: '2. Sign and contribute' });
  await contributeButton.waitFor({ timeout: BLOCK_WAIT });
  await detail.getByText(/transaction fee ≈/).waitFor({ timeout: BLOCK_WAIT });
  await shot('04-datanets-deposit-before-signing', `Datanets: the ${rowCount} rows stored in the sidecar; deposit and transaction fee shown before signing`);
  await contributeButton.click();
  await detail.getByText(/contributed \d+ rows; they wait for a curator/).waitFor({ timeout: BLOCK_WAIT });

  step('approve the pending rows as the owner, their text shown');
  const curation = detail.getByRole('region', { name: 'Curation' });
  await curation.getByText(`Pending rows (${rowCount})`).waitFor({ timeout: BLOCK_WAIT });
  await curation.getByText(/Quillhaven/).first().waitFor({ timeout: BLOCK_WAIT });
  await shot('05-datanets-curation', `Datanets: the curation queue, ${rowCount} pending rows with their text fetched from the store by hash`);
  await curation.getByRole('button', { name: 'Select all' }).click();
  await curation.getByRole('button', { name: `Approve ${rowCount}` }).click();
  await curation.getByText('Nothing waits for a decision.').waitFor({ timeout: BLOCK_WAIT });

  step('publish version 1');
  const versions = detail.getByRole('region', { name: 'Versions' });
  await versions.getByText(/transaction fee ≈/).waitFor({ timeout: BLOCK_WAIT });
  await versions.getByRole('button', { name: 'Sign and publish version 1' }).click();
  await versions.getByRole('cell', { name: 'v1', exact: true }).waitFor({ timeout: BLOCK_WAIT });
  await versions.getByRole('row').filter({ has: page.getByRole('cell', { name: 'v1', exact: true }) }).getByRole('cell', { name: String(rowCount), exact: true }).waitFor({ timeout: BLOCK_WAIT });
  await shot('06-datanets-published', `Datanets: version v1 published with ${rowCount} rows (bytes, block, publisher Charlie, fee, merkle root)`);

  step(`open a fine-tune job on ${name} v1 (LoRA, ${EPOCHS} epochs, batch ${BATCH})`);
  await goTo('factory');
  await page.getByRole('button', { name: 'New fine-tune job' }).click();
  const jobForm = page.getByRole('form', { name: 'Open a fine-tune job' });
  await jobForm.getByLabel('Model name').fill(`${name}-model`);
  await jobForm.getByLabel(new RegExp(`^${name} v1`)).check();
  await jobForm.getByLabel('Epochs', { exact: true }).fill(EPOCHS);
  await jobForm.getByLabel('Batch size', { exact: true }).fill(BATCH);
  await jobForm.getByText(/transaction fee ≈/).waitFor({ timeout: BLOCK_WAIT });
  await shot('07-factory-job-form', 'ModelFactory: the job form (base model, the published datanet version, training settings at the chain defaults but epochs and batch), the fee held and the transaction fee before signing');
  await jobForm.getByRole('button', { name: 'Sign and open the job' }).click();
  const opened = await jobForm.getByText(/job \d+ opened/).innerText({ timeout: BLOCK_WAIT });
  const jobId = /job (\d+) opened/.exec(opened)[1];
  note(`job ${jobId} opened`);

  step(`job ${jobId}: drawn, trained by one validator's sidecar, verified by the other's, accepted`);
  const jobs = page.getByRole('region', { name: 'Fine-tune jobs' });
  const jobRow = jobs.getByRole('row').filter({ has: page.getByRole('cell', { name: jobId, exact: true }) }).first();
  let last = '';
  // The training screenshot is taken at the first training state, and again once the trainer's
  // sidecar reports a loss (training the tiny model takes seconds).
  let progressShot = null;
  const deadline = Date.now() + TRAINING_WAIT;
  for (;;) {
    const state = (await jobRow.locator('td').nth(2).innerText()).trim().replace(/\s+/g, ' ');
    if (state !== last) note(`job ${jobId}: ${(last = state)}`);
    if (state.startsWith('Training') && progressShot !== 'loss') {
      const withLoss = /step \d+ of \d+.*loss/.test(state);
      if (withLoss || progressShot === null) {
        progressShot = withLoss ? 'loss' : 'state';
        if (withLoss) await page.waitForTimeout(2500); // a second point for the loss chart
        await shot('08-factory-job-training', `ModelFactory: job ${jobId} in training; ${withLoss ? 'its step, loss and loss chart' : 'its live status'} from the trainer's sidecar`);
      }
    }
    if (state.startsWith('Completed')) break;
    if (state.startsWith('Failed')) throw new Error(`job ${jobId} failed: ${await jobRow.locator('td').nth(2).getAttribute('title')}`);
    if (Date.now() > deadline) throw new Error(`job ${jobId} not completed after ${TRAINING_WAIT / 1000} s; its state: ${state}`);
    await page.waitForTimeout(1000);
  }
  await shot('09-factory-job-completed', `ModelFactory: job ${jobId} completed (trainer, attempt, fee)`);

  step('the model version and its lineage on Models; Charlie, its owner, sets a price (receipts need one)');
  await goTo('models');
  const model = page.getByRole('region', { name: `Model ${name}-model` });
  await model.getByRole('cell', { name: 'v1', exact: true }).waitFor({ timeout: BLOCK_WAIT });
  await model.getByRole('button', { name: 'Sign and set price' }).click();
  await model.getByText('price set').waitFor({ timeout: BLOCK_WAIT });
  await model.getByText(/per 1,000 tokens/).first().waitFor({ timeout: BLOCK_WAIT });
  const servedAs = (await model.locator('code', { hasText: /^model-\d+-v1$/ }).innerText()).trim();
  note(`served as ${servedAs}; lineage: ${(await model.getByRole('row').nth(1).locator('td').nth(1).innerText()).trim()}`);
  await shot('10-models-lineage-price', `Models: ${name}-model v1, lineage base → ${name} v1 (${rowCount} rows) → adapter hash, losses, trainer; price set`);

  step(`chat with ${servedAs}: ${METHOD} attribution naming the uploaded rows, paid with a receipt`);
  await goTo('chat');
  await page.getByLabel('Model').locator(`option[value="${servedAs}"]`).waitFor({ state: 'attached', timeout: 3 * 60_000 });
  await page.getByLabel('Model').selectOption(servedAs);
  await page.getByLabel('Attribution method').selectOption(METHOD);
  await page.getByLabel('Max tokens').fill('24');
  await page.getByLabel('Pay with a receipt, at most').check();
  await page.getByLabel('Message').fill(QUESTION);
  await page.getByRole('button', { name: 'Send' }).click();
  const attribution = page.getByRole('complementary', { name: 'Attribution' });
  await attribution.waitFor({ timeout: 120_000 });
  const credited = attribution.getByRole('row').filter({ hasText: 'Quillhaven' });
  await credited.first().waitFor({ timeout: BLOCK_WAIT });
  const firstRow = (await credited.first().locator('td').allInnerTexts()).map((cell) => cell.trim().replace(/\s+/g, ' '));
  if (firstRow[3] !== 'Charlie') throw new Error(`the credited row names contributor ${firstRow[3]}, not Charlie`);
  note(`answer: ${(await page.locator('.conversation .message.assistant p').last().innerText()).trim()}`);
  note(`attribution: datanet ${firstRow[0]} row ${firstRow[1]}, share ${firstRow[2]}, contributor ${firstRow[3]}: ${firstRow[4].slice(0, 80)}`);
  const receipt = page.getByRole('complementary', { name: 'Receipt' });
  await receipt.getByRole('button', { name: 'Sign the receipt' }).waitFor({ timeout: 120_000 });
  await shot('11-chat-attribution', `Chat: ${servedAs} answers "${QUESTION}"; the attribution panel (${METHOD}) names the uploaded rows (datanet, row, share, contributor Charlie, text); the unsigned receipt`);

  step('sign the receipt in the browser; follow its record on chain until it is final');
  await receipt.getByRole('button', { name: 'Sign the receipt' }).click();
  await receipt.getByText(/accepted as record \d+|refused by the chain/).waitFor({ timeout: 120_000 });
  const accepted = (await receipt.locator('.notice').allInnerTexts()).join(' / ');
  note(`receipt: ${accepted}`);
  if (/refused/.test(accepted)) throw new Error(`the receipt was refused: ${accepted}`);
  await receipt.getByText(/blocks from now|window has closed/).waitFor({ timeout: BLOCK_WAIT });
  await shot('12-chat-receipt-pending', 'Chat: the signed receipt accepted on chain as a record, pending: open to disputes until its block, the blocks to go, the fee held');
  await receipt.getByText(/record \d+ is (final|rejected)/).waitFor({ timeout: 5 * 60_000 });
  const settled = (await receipt.locator('.notice').allInnerTexts()).join(' / ');
  note(`receipt: ${settled}`);
  if (!/is final/.test(settled)) throw new Error(`the record did not finalize: ${settled}`);
  await shot('13-chat-receipt-final', 'Chat: the receipt\'s record is final, the fee paid');

  step('Charlie claims the contributor (and model owner) reward on Rewards');
  await goTo('rewards');
  await selectAccount('Charlie');
  await page.getByRole('row').filter({ hasText: /Contributor/i }).first().waitFor({ timeout: BLOCK_WAIT });
  const claimButton = page.getByRole('button', { name: 'Sign and claim' });
  await claimButton.click({ timeout: BLOCK_WAIT });
  await page.getByText('claimed', { exact: true }).waitFor({ timeout: BLOCK_WAIT });
  await page.getByText(/Claimable by Charlie: 0 /).waitFor({ timeout: BLOCK_WAIT });
  note(`history: ${(await page.locator('table.history tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ')).join(' | ')}`);
  await shot('14-rewards-claimed', 'Rewards: Charlie claimed; claimable back to 0, the history lists the contributor and model owner shares of the record');

  step('Analytics, and the datanets page at phone width');
  await goTo('analytics');
  await page.locator('canvas').first().waitFor({ timeout: BLOCK_WAIT });
  await page.waitForTimeout(1500);
  await shot('15-analytics', 'Analytics: fees and paid inferences per model version, attribution credit per datanet and per contributor, challenges and slashed rows per datanet');
  await page.setViewportSize({ width: 390, height: 844 });
  await goTo('datanets');
  await page.getByRole('button', { name: name }).waitFor({ timeout: BLOCK_WAIT });
  await shot('16-datanets-phone', `Datanets at phone width (390 px): ${name} with its rows and version`);
  step(`done in ${Math.round((Date.now() - started) / 1000)} s`);
} catch (error) {
  const failure = join(artifacts, 'failure.png');
  await page.screenshot({ path: failure, fullPage: true }).catch(() => {});
  console.error(`[full-flow] FAILED at step ${current.index} (${current.name}) after ${Math.round((Date.now() - started) / 1000)} s: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
  console.error(`[full-flow] the page when it failed: ${failure} (${page.url()})`);
  if (consoleErrors.length) console.error(`[full-flow] the page's last console errors:\n  ${consoleErrors.slice(-8).join('\n  ')}`);
  console.error(error);
  shots.push({ path: failure, shows: `the page when step ${current.index} (${current.name}) failed` });
  process.exitCode = 1;
} finally {
  await browser.close();
  const list = shots.map(({ path, shows }) => `${path}\n    ${shows}`).join('\n');
  writeFileSync(join(artifacts, 'screenshots.txt'), `${list}\n`);
  console.log(`[full-flow] screenshots in ${artifacts} (list: ${join(artifacts, 'screenshots.txt')}):\n${list}`);
}
