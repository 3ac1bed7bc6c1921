// Browser check of the studio against a running dev network: drives Debian's chromium (never a
// downloaded browser) through create datanet → upload → approve → publish → chat, checks that a
// refused extrinsic shows its pallet error in words, and saves a screenshot of every page.
//
//   STUDIO_URL=http://127.0.0.1:5173 node e2e/flow.mjs
//
// Optional: CHAT_MODEL (a model id to chat with; default the first listed), ARTIFACTS (folder).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.STUDIO_URL ?? 'http://127.0.0.1:5173';
const artifacts = process.env.ARTIFACTS ?? 'smoke-artifacts';
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BLOCK_WAIT = 60_000;
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const consoleErrors = [];
page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
const shot = async (name) => {
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot ${path}`);
};
const step = (words) => console.log(`[flow] ${words}`);

try {
  step(`open ${base}`);
  await page.goto(`${base}/#/datanets`);
  await page.getByText(/block #\d+/).waitFor({ timeout: BLOCK_WAIT });
  await page.getByRole('button', { name: 'New datanet' }).waitFor();
  await shot('01-datanets');

  const name = `studio-check-${Date.now()}`;
  step(`create datanet ${name} as Charlie`);
  await page.getByLabel('Signing account').selectOption({ label: 'Charlie (dev)' });
  await page.getByRole('button', { name: 'New datanet' }).click();
  const form = page.getByRole('form', { name: 'Create a datanet' });
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel('Summary').fill('Facts checked by the studio flow');
  await form.getByLabel(/^Tags/).fill('studio, check');
  await form.getByText(/transaction fee ≈/).waitFor({ timeout: BLOCK_WAIT });
  await shot('02-create-form');
  await form.getByRole('button', { name: 'Sign and create' }).click();
  const detail = page.getByRole('article', { name: `Datanet ${name}` });
  await detail.waitFor({ timeout: BLOCK_WAIT });

  step('upload a file of three paragraphs');
  const stamp = Date.now();
  const facts = [
    `The studio flow ${stamp} says the river Tributary rises in the Kestrel hills.`,
    `The studio flow ${stamp} says paracetamol lowers fever in adults.`,
    `The studio flow ${stamp} says the capital of Examplestan is Sampleton.`,
  ].join('\n\n');
  await detail.getByLabel('File to upload').setInputFiles({ name: 'facts.txt', mimeType: 'text/plain', buffer: Buffer.from(facts) });
  await detail.getByText('3 rows,').waitFor();
  await detail.getByRole('button', { name: /Store 3 rows/ }).click();
  await detail.getByRole('button', { name: '2. Sign and contribute' }).waitFor({ timeout: BLOCK_WAIT });
  await detail.getByText(/Deposit\s+held from you/).waitFor();
  await shot('03-upload-review');
  await detail.getByRole('button', { name: '2. Sign and contribute' }).click();
  await detail.getByText('contributed 3 rows; they wait for a curator').waitFor({ timeout: BLOCK_WAIT });

  step('approve the rows (their text is shown)');
  const curation = detail.getByRole('region', { name: 'Curation' });
  await curation.getByText(`paracetamol lowers fever`).waitFor({ timeout: BLOCK_WAIT });
  await shot('04-curation');
  await curation.getByRole('button', { name: 'Select all' }).click();
  await curation.getByRole('button', { name: 'Approve 3' }).click();
  await curation.getByText('Nothing waits for a decision.').waitFor({ timeout: BLOCK_WAIT });

  step('publish version 1');
  const versions = detail.getByRole('region', { name: 'Versions' });
  await versions.getByText('3 approved rows').waitFor({ timeout: BLOCK_WAIT });
  const feeShown = (await versions.locator('p strong .amount').first().innerText()).trim();
  step(`publish fee shown before signing: ${feeShown}`);
  await versions.getByRole('button', { name: 'Sign and publish version 1' }).click();
  await versions.getByRole('cell', { name: 'v1' }).waitFor({ timeout: BLOCK_WAIT });
  const feePaid = (await versions.locator('tbody tr').first().locator('td').nth(5).innerText()).trim();
  if (feePaid !== feeShown) throw new Error(`the chain charged ${feePaid} to publish, the studio showed ${feeShown}`);
  await shot('05-published');

  step('a refused extrinsic names its pallet error: the same name again');
  await page.getByRole('button', { name: 'New datanet' }).click();
  const again = page.getByRole('form', { name: 'Create a datanet' });
  await again.getByLabel(/^Name/).fill(name);
  await again.getByRole('button', { name: 'Sign and create' }).click();
  await again.getByText(/datanets\.NameTaken: /).waitFor({ timeout: BLOCK_WAIT });
  await shot('06-error-in-words');
  await page.getByRole('button', { name: 'Close' }).click();

  step('open a fine-tune job on the new version (needs a registered base model)');
  await page.goto(`${base}/#/factory`);
  await page.getByRole('button', { name: 'New fine-tune job' }).click();
  const job = page.getByRole('form', { name: 'Open a fine-tune job' });
  await job.getByLabel('Model name').fill(`${name}-model`);
  await job.getByLabel(`${name} v1 (3 rows)`).check();
  if (await job.getByText(/no base model registered/).count()) {
    step('the chain has no base model: the form says so and stays disabled');
  } else {
    await job.getByText(/transaction fee ≈/).waitFor({ timeout: BLOCK_WAIT });
    await job.getByRole('button', { name: 'Sign and open the job' }).click();
    await job.getByText(/job \d+ opened/).waitFor({ timeout: BLOCK_WAIT });
  }
  await shot('07-modelfactory-job');

  step('chat, streamed');
  await page.goto(`${base}/#/chat`);
  const model = page.getByLabel('Model');
  await model.locator('option').first().waitFor({ state: 'attached', timeout: BLOCK_WAIT });
  if (process.env.CHAT_MODEL) await model.selectOption(process.env.CHAT_MODEL);
  const method = process.env.CHAT_ATTRIBUTION ?? 'none';
  await page.getByLabel('Attribution method').selectOption(method);
  await page.getByLabel('Max tokens').fill('24');
  await page.getByLabel('Message').fill(process.env.CHAT_PROMPT ?? 'What lowers fever?');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('.message.assistant:not(.streaming)').first().waitFor({ timeout: 120_000 });
  if (method !== 'none') await page.getByRole('complementary', { name: 'Attribution' }).waitFor({ timeout: 120_000 });
  await shot('08-chat');

  if (process.env.RECEIPT_MODEL) {
    step(`pay for an answer of ${process.env.RECEIPT_MODEL} with a receipt signed in the browser`);
    await page.getByLabel('Model').selectOption(process.env.RECEIPT_MODEL);
    await page.getByLabel('Pay with a receipt, at most').check();
    await page.getByLabel('Message').fill('What does the studio flow say?');
    await page.getByRole('button', { name: 'Send' }).click();
    const receipt = page.getByRole('complementary', { name: 'Receipt' });
    await receipt.getByRole('button', { name: 'Sign the receipt' }).click({ timeout: 120_000 });
    await receipt.getByText(/queued at the sidecar|accepted as record|refused by the chain|record \d+ is/).waitFor({ timeout: BLOCK_WAIT });
    // The serving validator submits signed receipts at its next blocks: wait for the chain's word.
    await receipt.getByText(/accepted as record|refused by the chain|record \d+ is/).waitFor({ timeout: 120_000 });
    step(`receipt: ${(await receipt.locator('.notice').allInnerTexts()).join(' / ')}`);
    await shot('08b-receipt');
  }

  for (const [id, file] of [['models', '09-models'], ['rewards', '10-rewards'], ['analytics', '10b-analytics']]) {
    await page.goto(`${base}/#/${id}`);
    await page.getByRole('heading', { level: 2 }).waitFor();
    await page.waitForTimeout(1500);
    await shot(file);
  }

  step('phone width');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/#/datanets`);
  await page.getByText(name).first().waitFor({ timeout: BLOCK_WAIT });
  await shot('11-phone-datanets');
  step('done');
} catch (error) {
  await shot('failure').catch(() => {});
  writeFileSync(join(artifacts, 'console-errors.txt'), consoleErrors.join('\n'));
  console.error(error);
  process.exitCode = 1;
} finally {
  if (consoleErrors.length) console.log(`console errors:\n${consoleErrors.join('\n')}`);
  await browser.close();
}
