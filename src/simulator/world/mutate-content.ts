// Edits of campaign and flow messages. What the tap relies on between its full re-reads, and what Klaviyo does
// not document: an edit moves the message's own updated time and its parents' (campaign `updated_at`; flow
// action and flow `updated`), as an edit made in Klaviyo's editor saves the campaign or flow around it.
import type { Rng } from '../rng.js';
import { formatSeconds, secondsValue } from './context.js';
import type { StaticRow, StaticTable } from './static-table.js';
import type { World } from './world.js';

/** Sets a row's updated time (attribute and filter value) to `sec`. */
export function touchRow(table: StaticTable, row: StaticRow, field: string, sec: number): void {
  row.attributes[field] = formatSeconds(sec);
  if (row.values && field in row.values) row.values[field] = secondsValue(sec);
  table.touch();
}

function parentRow(table: StaticTable, row: StaticRow): StaticRow | undefined {
  const index = table.rowOf(row.parentId ?? '');
  return index === undefined ? undefined : table.rows[index];
}

/** Edits `count` campaign messages at `sec`; returns their ids. */
export function editCampaignMessages(world: World, rng: Rng, count: number, sec: number): string[] {
  const { campaigns, campaignMessages: messages } = world;
  return rng.sample(messages.size(), Math.min(count, messages.size())).flatMap((index) => {
    const message = messages.rows[index];
    if (!message) return [];
    touchRow(messages, message, 'updated_at', sec);
    const campaign = parentRow(campaigns, message);
    if (campaign) touchRow(campaigns, campaign, 'updated_at', sec);
    return [message.id];
  });
}

/** Edits `count` flow messages at `sec` (moving their action and flow too); returns their ids. */
export function editFlowMessages(world: World, rng: Rng, count: number, sec: number): string[] {
  const { flows, flowActions: actions, flowMessages: messages } = world;
  return rng.sample(messages.size(), Math.min(count, messages.size())).flatMap((index) => {
    const message = messages.rows[index];
    if (!message) return [];
    touchRow(messages, message, 'updated', sec);
    const action = parentRow(actions, message);
    if (action) touchRow(actions, action, 'updated', sec);
    const flow = action ? parentRow(flows, action) : undefined;
    if (flow) touchRow(flows, flow, 'updated', sec);
    return [message.id];
  });
}
