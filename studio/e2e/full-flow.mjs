// The issue's whole flow in a real browser against the two-validator network of scripts/dev.sh
// (it needs trainer and verifier on different validators): as Charlie, a datanet of the planted
// facts (scripts/demo/planted-facts.txt) is created, uploaded, approved and published; a
// fine-tune job is opened on it and followed until the chain accepts its version; the owner sets
// a price; a chat answer of the new version is paid with a receipt signed in the browser and
// followed until its record is final; Charlie, the contributor, claims the reward.
//
//   STUDIO_URL=http://127.0.0.1:5173 node e2e/full-flow.mjs
//
// Needs a fresh chain: the facts can be contributed once per chain (duplicates are refused).
// Takes minutes: training SmolLM2-135M for 12 epochs on a CPU, then the record's challenge window.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.STUDIO_URL ?? 'http://127.0.0.1:5173';
const artifacts = process.env.ARTIFACTS ?? 'smoke-artifacts/full';
const facts = readFileSync(new URL('../../scripts/demo/planted-facts.txt', import.meta.url));
const BLOCK_WAIT = 60_000;
const TRAINING_WAIT = 15 * 60_000;
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const shot = async (name) => {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  console.log(`screenshot ${join(artifacts, `${name}.png`)}`);
};
const step = (words) => console.log(`[full-flow] ${new Date().toISOString().slice(11, 19)} ${words}`);

try {
  // RESUME_JOB=<id> RESUME_NAME=<datanet name> picks up a run whose job is already open.
  const name = process.env.RESUME_NAME ?? `planted-facts-${Date.now()}`;
  let jobId = process.env.RESUME_JOB;
  if (!jobId) {
  step(`datanet ${name} as Charlie`);
  await page.goto(`${base}/#/datanets`);
  await page.getByText(/block #\d+/).waitFor({ timeout: BLOCK_WAIT });
  await page.getByLabel('Signing account').selectOption({ label: 'Charlie (dev)' });
  await page.getByRole('button', { name: 'New datanet' }).click();
  const form = page.getByRole('form', { name: 'Create a datanet' });
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel('Summary').fill('Planted facts for the studio flow');
  await form.getByRole('button', { name: 'Sign and create' }).click();
  const detail = page.getByRole('article', { name: `Datanet ${name}` });
  await detail.waitFor({ timeout: BLOCK_WAIT });
  await detail.getByLabel('File to upload').setInputFiles({ name: 'planted-facts.txt', mimeType: 'text/plain', buffer: facts });
  await detail.getByRole('button', { name: /Store \d+ rows/ }).click();
  await detail.getByRole('button', { name: '2. Sign and contribute' }).click({ timeout: BLOCK_WAIT });
  await detail.getByText(/contributed \d+ rows; they wait for a curator/).waitFor({ timeout: BLOCK_WAIT });
  const curation = detail.getByRole('region', { name: 'Curation' });
  await curation.getByRole('button', { name: 'Select all' }).click({ timeout: BLOCK_WAIT });
  await curation.getByRole('button', { name: /^Approve \d+/ }).click();
  await curation.getByText('Nothing waits for a decision.').waitFor({ timeout: BLOCK_WAIT });
  const versions = detail.getByRole('region', { name: 'Versions' });
  await versions.getByRole('button', { name: 'Sign and publish version 1' }).click({ timeout: BLOCK_WAIT });
  await versions.getByRole('cell', { name: 'v1' }).waitFor({ timeout: BLOCK_WAIT });
  await shot('01-published');

  step('fine-tune job: 12 epochs, batch 4 (the settings of the worker\'s instruct-model test)');
  await page.goto(`${base}/#/factory`);
  await page.getByRole('button', { name: 'New fine-tune job' }).click();
  const job = page.getByRole('form', { name: 'Open a fine-tune job' });
  await job.getByLabel('Model name').fill(`${name}-model`);
  await job.getByLabel(new RegExp(`^${name} v1`)).check();
  await job.getByLabel('Epochs', { exact: true }).fill('12');
  await job.getByLabel('Batch size', { exact: true }).fill('4');
  await job.getByText(/transaction fee ≈/).waitFor({ timeout: BLOCK_WAIT });
  await job.getByRole('button', { name: 'Sign and open the job' }).click();
  const opened = await job.getByText(/job \d+ opened/).innerText({ timeout: BLOCK_WAIT });
  jobId = /job (\d+) opened/.exec(opened)[1];
  } else {
    await page.goto(`${base}/#/factory`);
    await page.getByText(/block #\d+/).waitFor({ timeout: BLOCK_WAIT });
    await page.getByLabel('Signing account').selectOption({ label: 'Charlie (dev)' });
  }
  step('the validators Alice and Bob register as workers (trainer and verifier must differ)');
  const workers = page.getByRole('region', { name: 'Workers' });
  const sidecars = { Alice: process.env.ALICE_SIDECAR_URL ?? 'http://127.0.0.1:8420', Bob: process.env.BOB_SIDECAR_URL ?? 'http://127.0.0.1:8421' };
  await workers.waitFor({ timeout: BLOCK_WAIT });
  for (const [who, url] of Object.entries(sidecars)) {
    if (await workers.getByRole('cell', { name: who, exact: true }).count()) continue;
    await page.getByLabel('Signing account').selectOption({ label: `${who} (dev)` });
    await workers.getByLabel('Worker endpoint').fill(url);
    await workers.getByRole('button', { name: 'Register the selected account as a worker' }).click();
    await workers.getByRole('cell', { name: who, exact: true }).waitFor({ timeout: BLOCK_WAIT });
  }
  await page.getByLabel('Signing account').selectOption({ label: 'Charlie (dev)' });
  const jobs = page.getByRole('region', { name: 'Fine-tune jobs' });
  const draw = jobs.getByRole('row').filter({ has: page.getByRole('cell', { name: jobId, exact: true }) }).getByRole('button', { name: 'Ask for a draw' });
  if (await draw.count()) {
    await draw.click();
    await jobs.getByText(/a draw for job \d+ is scheduled|models\.DrawPending/).waitFor({ timeout: BLOCK_WAIT });
  }
  await shot('02-workers');
  step(`job ${jobId} opened; waiting for training and verification`);
  const jobRow = page.getByRole('region', { name: 'Fine-tune jobs' }).getByRole('row').filter({ has: page.getByRole('cell', { name: jobId, exact: true }) }).first();
  let last = '';
  const deadline = Date.now() + TRAINING_WAIT;
  for (;;) {
    const state = (await jobRow.locator('td').nth(2).innerText()).trim();
    if (state !== last) step(`job ${jobId}: ${(last = state)}`);
    if (state === 'Completed') break;
    if (state === 'Failed' || Date.now() > deadline) throw new Error(`job ${jobId} ended ${state}`);
    await page.waitForTimeout(3000);
  }
  await shot('03-job-completed');

  step('the model version and its lineage; the owner sets a price');
  await page.goto(`${base}/#/models`);
  const model = page.getByRole('region', { name: `Model ${name}-model` });
  await model.getByRole('cell', { name: 'v1', exact: true }).waitFor({ timeout: BLOCK_WAIT });
  await model.getByRole('button', { name: 'Sign and set price' }).click();
  await model.getByText('price set').waitFor({ timeout: BLOCK_WAIT });
  const servedAs = (await model.locator('code', { hasText: /^model-\d+-v1$/ }).innerText()).trim();
  await shot('04-models');

  step(`chat with ${servedAs}, attributed, paid with a receipt`);
  await page.goto(`${base}/#/chat`);
  await page.getByLabel('Model').locator(`option[value="${servedAs}"]`).waitFor({ state: 'attached', timeout: 5 * 60_000 });
  await page.getByLabel('Model').selectOption(servedAs);
  await page.getByLabel('Attribution method').selectOption('suffix_span');
  await page.getByLabel('Max tokens').fill('24');
  await page.getByLabel('Pay with a receipt, at most').check();
  await page.getByLabel('Message').fill('What is the capital of Veloria?');
  await page.getByRole('button', { name: 'Send' }).click();
  const receipt = page.getByRole('complementary', { name: 'Receipt' });
  await receipt.getByRole('button', { name: 'Sign the receipt' }).click({ timeout: 120_000 });
  await receipt.getByText(/accepted as record|refused by the chain/).waitFor({ timeout: 120_000 });
  await shot('05-chat-receipt-accepted');
  await receipt.getByText(/record \d+ is (final|rejected)|refused by the chain/).waitFor({ timeout: 10 * 60_000 });
  step(`receipt: ${(await receipt.locator('.notice').allInnerTexts()).join(' / ')}`);
  await shot('06-chat-receipt-final');

  step('Charlie claims the contributor reward');
  await page.goto(`${base}/#/rewards`);
  await page.getByRole('button', { name: 'Sign and claim' }).click({ timeout: BLOCK_WAIT });
  await page.getByText('claimed').waitFor({ timeout: BLOCK_WAIT });
  await shot('07-rewards-claimed');
  await page.goto(`${base}/#/analytics`);
  await page.waitForTimeout(2000);
  await shot('08-analytics');
  step('done');
} catch (error) {
  await shot('failure').catch(() => {});
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
}
