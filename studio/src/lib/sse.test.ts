import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';

describe('SseParser', () => {
  it('yields one event per blank-line-terminated block', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"a":1}\n\ndata: [DONE]\n\n')).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('reassembles events split anywhere across reads, including between \\r and \\n', () => {
    const parser = new SseParser();
    const events = [];
    for (const piece of ['da', 'ta: hel\r', '\n\r', '\ndata: l', 'o\r\n\r\n']) events.push(...parser.push(piece));
    expect(events.map((event) => event.data)).toEqual(['hel', 'lo']);
  });

  it('joins multi-line data, reads event names and ignores comments', () => {
    const parser = new SseParser();
    expect(parser.push(': keep-alive\nevent: note\ndata: one\ndata:two\n\n')).toEqual([
      { event: 'note', data: 'one\ntwo' },
    ]);
  });

  it('delivers a last event that lacks its blank line on finish', () => {
    const parser = new SseParser();
    expect(parser.push('data: tail')).toEqual([]);
    expect(parser.finish()).toEqual([{ event: 'message', data: 'tail' }]);
  });

  it('does not emit events without data', () => {
    const parser = new SseParser();
    expect(parser.push('event: ping\n\n\n')).toEqual([]);
  });
});
