import { describe, expect, it } from 'vitest';
import { matchesSearch } from './search';

const medical = { name: 'Fever answers', summary: 'Q&A on fevers', tags: ['medicine', 'q&a'], license: 'CC-BY-4.0' };

describe('matchesSearch', () => {
  it('matches every word anywhere, ignoring case', () => {
    expect(matchesSearch(medical, '')).toBe(true);
    expect(matchesSearch(medical, 'FEVER medicine')).toBe(true);
    expect(matchesSearch(medical, 'cc-by')).toBe(true);
    expect(matchesSearch(medical, 'fever law')).toBe(false);
  });
});
