// A server-sent events parser for the sidecar's streamed completions. Network reads split the
// stream anywhere (inside a line, between `\r` and `\n`), so the parser keeps the unfinished tail
// and only yields events whose blank-line terminator has arrived.

export interface SseEvent {
  /** The `event:` field; `message` when absent, as EventSource does. */
  event: string;
  /** The `data:` lines joined by `\n`. */
  data: string;
}

export class SseParser {
  private buffer = '';
  private dataLines: string[] = [];
  private eventName = '';

  /** Feeds a decoded piece of the stream; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone `\r` at the very end may be the first half of `\r\n`: wait for the next piece.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.processLine(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** Ends the stream; an event without its final blank line is still delivered. */
  finish(): SseEvent[] {
    const events = this.buffer === '' ? [] : this.push('\n');
    const last = this.dispatch();
    return last ? [...events, last] : events;
  }

  private processLine(line: string): SseEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    return null;
  }

  private dispatch(): SseEvent | null {
    if (this.dataLines.length === 0) {
      this.eventName = '';
      return null;
    }
    const event = { event: this.eventName || 'message', data: this.dataLines.join('\n') };
    this.dataLines = [];
    this.eventName = '';
    return event;
  }
}

/** OpenAI's stream terminator. */
export const DONE = '[DONE]';
