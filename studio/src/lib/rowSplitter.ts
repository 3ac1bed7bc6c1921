// Turns an uploaded file into datanet rows. Each row becomes one content-store object and one
// on-chain row, so the split decides what a contributor is credited for: a paragraph of prose,
// a line of a list, one record of a CSV or JSONL file.

export type SplitMode = 'paragraph' | 'line' | 'record';

export interface Row {
  /** The row's text exactly as it will be stored (and hashed). */
  text: string;
  /** Its UTF-8 length in bytes: what the chain's deposit and `byte_len` count. */
  byteLen: number;
}

export interface SplitResult {
  rows: Row[];
  /** Rows dropped because the same text came earlier in the file (the chain refuses duplicates). */
  duplicatesDropped: number;
  /** Problems that did not stop the split, e.g. a JSONL line that is not JSON. */
  warnings: string[];
}

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** The split mode that fits a file's extension: records for csv/jsonl, paragraphs otherwise. */
export function defaultModeFor(fileName: string): SplitMode {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'record';
  return 'paragraph';
}

function normalizeNewlines(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

function paragraphs(text: string): string[] {
  return text.split(/\n[ \t]*\n+/).map((part) => part.trim());
}

function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trim());
}

/**
 * CSV records, honouring quoted fields that contain newlines. The header line, when the file
 * has one, is kept as the first record's prefix for every row so that each row stays
 * self-describing (`header\nvalues`): a row is read on its own by curators and trainers.
 */
function csvRecords(text: string, warnings: string[]): string[] {
  const records: string[] = [];
  let current = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    if (ch === '\n' && !inQuotes) {
      records.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (inQuotes) warnings.push('the CSV ends inside a quoted field; the last record was kept as is');
  records.push(current);
  const nonEmpty = records.map((record) => record.trim()).filter((record) => record !== '');
  if (nonEmpty.length < 2) return nonEmpty;
  const [header, ...body] = nonEmpty;
  return body.map((record) => `${header}\n${record}`);
}

function jsonlRecords(text: string, warnings: string[]): string[] {
  return lines(text)
    .map((line, index) => {
      if (line === '') return line;
      try {
        JSON.parse(line);
      } catch {
        warnings.push(`line ${index + 1} is not valid JSON`);
      }
      return line;
    });
}

/** Splits `text` (the file's content) into rows; empty pieces and repeated texts are dropped. */
export function splitRows(text: string, mode: SplitMode, fileName = ''): SplitResult {
  const warnings: string[] = [];
  const normalized = normalizeNewlines(text);
  let pieces: string[];
  if (mode === 'paragraph') pieces = paragraphs(normalized);
  else if (mode === 'line') pieces = lines(normalized);
  else if (fileName.toLowerCase().endsWith('.csv')) pieces = csvRecords(normalized, warnings);
  else pieces = jsonlRecords(normalized, warnings);

  const seen = new Set<string>();
  const rows: Row[] = [];
  let duplicatesDropped = 0;
  for (const piece of pieces) {
    if (piece === '') continue;
    if (seen.has(piece)) {
      duplicatesDropped++;
      continue;
    }
    seen.add(piece);
    rows.push({ text: piece, byteLen: utf8Length(piece) });
  }
  return { rows, duplicatesDropped, warnings };
}

/** Splits `items` into consecutive chunks of at most `size` (the chain's `MaxBatchSize`). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`chunk size must be a positive integer, not ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
