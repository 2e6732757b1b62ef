// Campaigns on every channel, each with its campaign message(s).
import { ulid } from '../ids.js';
import type { Rng } from '../rng.js';
import { CAMPAIGN_THEMES } from './vocabulary.js';
import { formatSeconds, randomSecond, ref, rngFor, secondsValue, type BuildContext } from './context.js';
import { StaticTable, type StaticRow } from './static-table.js';

export type Channel = 'email' | 'sms' | 'mobile_push';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'mobile_push'];

export interface Campaigns {
  campaigns: StaticTable;
  messages: StaticTable;
}

interface Audience {
  lists: StaticTable;
  segments: StaticTable;
  templates: StaticTable;
  images: StaticTable;
}

const STATUSES = ['Sent', 'Sent', 'Sent', 'Sent', 'Sent', 'Sent', 'Variations Sent', 'Draft', 'Draft', 'Scheduled', 'Cancelled', 'Cancelled: No Recipients'] as const;

function trackingOptions(channel: Channel, rng: Rng): Record<string, unknown> | null {
  if (channel === 'mobile_push') return null;
  const params = [{ type: 'dynamic', value: 'campaign_name', name: 'utm_campaign' }, { type: 'static', value: 'klaviyo', name: 'utm_source' }];
  const common = { add_tracking_params: rng.chance(0.7), custom_tracking_params: params };
  return channel === 'sms' ? common : { ...common, is_tracking_clicks: true, is_tracking_opens: rng.chance(0.9) };
}

function definition(channel: Channel, name: string, variant: number): Record<string, unknown> {
  if (channel === 'email') {
    const content = { subject: `${name}${variant ? ' (B)' : ''}: new picks inside`, preview_text: 'Limited time only', from_email: 'hello@northwind.example', from_label: 'Northwind Outfitters', reply_to_email: null, cc_email: null, bcc_email: null };
    return { channel, label: variant ? 'Variant B' : 'Variant A', content };
  }
  if (channel === 'sms') {
    return { channel, content: { body: `Northwind: ${name} starts now! {{ url }}`, media_url: null }, render_options: { shorten_links: true, add_org_prefix: true, add_info_link: true, add_opt_out_language: false } };
  }
  return { channel, notification_type: 'standard', content: { title: name, body: 'Tap to shop the drop', dynamic_image: null, action_buttons: null }, kv_pairs: null, options: { on_open: null, badge: null, play_sound: true } };
}

interface Schedule {
  status: string;
  createdSec: number;
  updatedSec: number;
  sendSec: number | null;
  scheduledSec: number | null;
}

function schedule(ctx: BuildContext, rng: Rng): Schedule {
  const status = rng.pick(STATUSES);
  const createdSec = randomSecond(rng, ctx.startSec - 30 * 86_400, ctx.endSec - 86_400);
  if (status === 'Draft') return { status, createdSec, updatedSec: randomSecond(rng, createdSec, ctx.endSec), sendSec: null, scheduledSec: null };
  const sendSec = status === 'Scheduled' ? ctx.endSec + rng.between(1, 20) * 86_400 : randomSecond(rng, Math.max(createdSec, ctx.startSec) + 3600, ctx.endSec);
  const scheduledSec = Math.min(sendSec - rng.between(600, 86_400), ctx.endSec);
  const updatedSec = Math.min(ctx.endSec, Math.max(scheduledSec, createdSec) + rng.int(3600));
  return { status, createdSec: Math.min(createdSec, scheduledSec), updatedSec, sendSec, scheduledSec };
}

/** `last`: the channel's last campaign, always archived, so that every world has one per channel. */
function campaignRow(ctx: BuildContext, rng: Rng, channel: Channel, index: number, audience: Audience, last: boolean): StaticRow {
  const s = schedule(ctx, rng);
  const theme = rng.pick(CAMPAIGN_THEMES);
  const included = rng.sample(audience.lists.rows.length, rng.between(1, 2)).map((i) => audience.lists.rows[i]?.id ?? '');
  const excluded = rng.chance(0.4) ? [audience.segments.rows[rng.int(audience.segments.rows.length)]?.id ?? ''] : [];
  const strategy = s.sendSec === null ? { method: 'immediate' } : { method: 'static', datetime: formatSeconds(s.sendSec), options: { is_local: false } };
  return {
    id: ctx.ids.issue((attempt) => ulid(s.createdSec * 1000, ctx.seed, 71, index, attempt)),
    attributes: {
      name: `${theme} ${new Date(s.createdSec * 1000).getUTCFullYear()} — ${channel === 'mobile_push' ? 'Push' : channel.toUpperCase()} #${index + 1}`,
      status: s.status,
      archived: rng.chance(0.08) || last,
      audiences: { included, excluded },
      send_options: { use_smart_sending: rng.chance(0.8) },
      tracking_options: trackingOptions(channel, rng),
      send_strategy: strategy,
      created_at: formatSeconds(s.createdSec),
      scheduled_at: s.scheduledSec === null ? null : formatSeconds(s.scheduledSec),
      updated_at: formatSeconds(s.updatedSec),
      send_time: s.sendSec === null ? null : formatSeconds(s.sendSec),
    },
    values: {
      'messages.channel': channel,
      created_at: secondsValue(s.createdSec),
      scheduled_at: s.scheduledSec === null ? null : secondsValue(s.scheduledSec),
      updated_at: secondsValue(s.updatedSec),
    },
    toMany: { 'campaign-messages': [], tags: [] },
  };
}

function messageRows(ctx: BuildContext, rng: Rng, campaign: StaticRow, channel: Channel, audience: Audience): StaticRow[] {
  const a = campaign.attributes;
  const variants = a['status'] === 'Variations Sent' ? 2 : 1;
  const sendTime = a['send_time'] as string | null;
  return Array.from({ length: variants }, (_, variant) => {
    const template = audience.templates.rows[rng.int(audience.templates.rows.length)];
    const image = audience.images.rows[rng.int(audience.images.rows.length)];
    const id = ctx.ids.issue((attempt) => ulid(Date.parse(String(a['created_at'])), ctx.seed, 72, variant, attempt, campaign.id.length, rng.int(1e9)));
    campaign.toMany?.['campaign-messages']?.push(ref('campaign-message', id));
    return {
      id,
      attributes: {
        definition: definition(channel, String(a['name']), variant),
        send_times: sendTime ? [{ datetime: sendTime, is_local: false }] : [],
        created_at: a['created_at'],
        updated_at: a['updated_at'],
      },
      toOne: {
        campaign: ref('campaign', campaign.id),
        template: ref('template', template?.id ?? ''),
        image: ref('image', image?.id ?? ''),
      },
      parentId: campaign.id,
    };
  });
}

export function buildCampaigns(ctx: BuildContext, audience: Audience): Campaigns {
  const rng = rngFor(ctx, 'campaigns');
  const campaignRows: StaticRow[] = [];
  const messages: StaticRow[] = [];
  let index = 0;
  for (const channel of CHANNELS) {
    for (let n = 0; n < ctx.counts.campaigns[channel]; n++, index++) {
      const campaign = campaignRow(ctx, rng, channel, index, audience, n === ctx.counts.campaigns[channel] - 1);
      campaignRows.push(campaign);
      messages.push(...messageRows(ctx, rng, campaign, channel, audience));
    }
  }
  const kinds = {
    id: 'string', 'messages.channel': 'string', name: 'string', status: 'string', archived: 'boolean',
    created_at: 'datetime', scheduled_at: 'datetime', updated_at: 'datetime',
  } as const;
  return {
    campaigns: new StaticTable('campaign', kinds, ['campaign-messages', 'tags'], campaignRows),
    messages: new StaticTable('campaign-message', {}, [], messages),
  };
}
