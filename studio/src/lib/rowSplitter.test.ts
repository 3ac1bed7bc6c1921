import { describe, expect, it } from 'vitest';
import { chunk, defaultModeFor, splitRows, utf8Length } from './rowSplitter';

describe('splitRows', () => {
  it('splits prose into paragraphs on blank lines, trimming and ignoring CRLF', () => {
    const text = 'First paragraph\nstill first.\r\n\r\n\r\nSecond one.  \n \nThird.\n';
    expect(splitRows(text, 'paragraph').rows.map((row) => row.text)).toEqual([
      'First paragraph\nstill first.',
      'Second one.',
      'Third.',
    ]);
  });

  it('splits lines and drops empty ones', () => {
    expect(splitRows('a\n\nb\r\nc', 'line').rows.map((row) => row.text)).toEqual(['a', 'b', 'c']);
  });

  it('drops repeated rows, because the chain refuses a content hash twice', () => {
    const result = splitRows('same\nother\nsame', 'line');
    expect(result.rows.map((row) => row.text)).toEqual(['same', 'other']);
    expect(result.duplicatesDropped).toBe(1);
  });

  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    const [row] = splitRows('Fièvre → 38 °C', 'line').rows;
    expect(row.byteLen).toBe(utf8Length('Fièvre → 38 °C'));
    expect(row.byteLen).toBe(18);
  });

  it('keeps a CSV header with every record and honours quoted newlines', () => {
    const csv = 'question,answer\n"What lowers\nfever?",Paracetamol\nWhat is 2+2?,4\n';
    expect(splitRows(csv, 'record', 'qa.csv').rows.map((row) => row.text)).toEqual([
      'question,answer\n"What lowers\nfever?",Paracetamol',
      'question,answer\nWhat is 2+2?,4',
    ]);
  });

  it('takes JSONL records line by line and warns about invalid JSON', () => {
    const result = splitRows('{"q":1}\n\n{"q":2}\nnot json\n', 'record', 'data.jsonl');
    expect(result.rows.map((row) => row.text)).toEqual(['{"q":1}', '{"q":2}', 'not json']);
    expect(result.warnings).toEqual(['line 4 is not valid JSON']);
  });

  it('strips a byte order mark', () => {
    expect(splitRows('\uFEFFhello', 'line').rows[0].text).toBe('hello');
  });
});

describe('defaultModeFor', () => {
  it('chooses records for csv and jsonl, paragraphs for text and markdown', () => {
    expect(defaultModeFor('a.CSV')).toBe('record');
    expect(defaultModeFor('a.jsonl')).toBe('record');
    expect(defaultModeFor('notes.md')).toBe('paragraph');
    expect(defaultModeFor('notes.txt')).toBe('paragraph');
  });
});

describe('chunk', () => {
  it('splits into batches of at most the given size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it('refuses a size below one', () => {
    expect(() => chunk([1], 0)).toThrow(/positive integer/);
  });
});
