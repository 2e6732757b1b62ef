// Campaigns, flows, lists and segments can be tagged: their records carry `tag_ids`, read from `include=tags`
// (same page size and rate tier as without it), only when the field is selected (it is not by default).

export const TAG_IDS: Readonly<Record<string, string>> = { tag_ids: 'tags' };
export const TAG_FIELDS: readonly string[] = Object.keys(TAG_IDS);
