/** What a datanet search looks at. */
export interface Searchable {
  name: string;
  summary: string;
  tags: string[];
  license: string;
}

/** True when every word of `query` occurs in the name, summary, a tag or the license. */
export function matchesSearch(datanet: Searchable, query: string): boolean {
  const haystack = [datanet.name, datanet.summary, datanet.license, ...datanet.tags].join(' ').toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}
