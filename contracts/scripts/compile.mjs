// Compiles every .sol under contracts/src and contracts/interfaces with solc-js (standard JSON)
// and writes contracts/build/<ContractName>.json = {abi, bytecode} for each contract, interface
// and library. Exits 1 with the compiler's messages on any error; prints warnings.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build');
const sourceDirs = ['src', 'interfaces'];

/** The .sol files under `dir`, as paths relative to the contracts folder with '/' separators. */
function solFiles(dir) {
  const out = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...solFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.sol')) out.push(path);
  }
  return out.sort();
}

/** Import callback: source units are named by their path inside the contracts folder. */
function findImports(path) {
  const full = resolve(root, path);
  if (full !== root && !full.startsWith(root + sep)) {
    return { error: `import ${path} is outside the contracts folder` };
  }
  try {
    return { contents: readFileSync(full, 'utf8') };
  } catch (err) {
    return { error: `cannot read ${relative(root, full)}: ${err.message}` };
  }
}

const sources = {};
for (const dir of sourceDirs) {
  for (const path of solFiles(dir)) sources[path] = { content: readFileSync(join(root, path), 'utf8') };
}
if (Object.keys(sources).length === 0) {
  console.error('no .sol files under contracts/src or contracts/interfaces');
  process.exit(1);
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};

console.log(`solc ${solc.version()}: ${Object.keys(sources).length} files`);
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

const messages = output.errors ?? [];
const errors = messages.filter((m) => m.severity === 'error');
for (const m of messages.filter((m) => m.severity !== 'error')) console.warn(m.formattedMessage ?? m.message);
if (errors.length > 0) {
  for (const m of errors) console.error(m.formattedMessage ?? m.message);
  console.error(`compilation failed: ${errors.length} error(s)`);
  process.exit(1);
}

rmSync(buildDir, { recursive: true, force: true });
mkdirSync(buildDir, { recursive: true });
const written = new Map();
for (const [file, contracts] of Object.entries(output.contracts ?? {})) {
  for (const [name, artifact] of Object.entries(contracts)) {
    if (written.has(name)) {
      console.error(`two contracts are named ${name}: ${written.get(name)} and ${file}`);
      process.exit(1);
    }
    written.set(name, file);
    const bytecode = `0x${artifact.evm?.bytecode?.object ?? ''}`;
    writeFileSync(join(buildDir, `${name}.json`), `${JSON.stringify({ abi: artifact.abi, bytecode }, null, 2)}\n`);
    const size = (bytecode.length - 2) / 2;
    console.log(`${name.padEnd(16)} ${file.padEnd(28)} ${size > 0 ? `${size} bytes` : 'no bytecode (interface)'}`);
  }
}
