// Flows, their actions (a chain of delays, splits and sends) and the messages of the send actions.
import { numericId, shortId, upperId } from '../ids.js';
import type { Rng } from '../rng.js';
import { FLOW_NAMES } from './vocabulary.js';
import { formatSeconds, randomStamps, ref, rngFor, secondsValue, type BuildContext, type Stamps } from './context.js';
import { StaticTable, type StaticRow } from './static-table.js';

export interface Flows {
  flows: StaticTable;
  actions: StaticTable;
  messages: StaticTable;
}

interface Owners {
  metrics: StaticTable;
  lists: StaticTable;
  templates: StaticTable;
}

const TRIGGERS = ['Metric', 'Metric', 'Added to List', 'Date Based', 'Price Drop', 'Low Inventory', 'Unconfigured'] as const;
const STEP_KINDS = ['time-delay', 'send-email', 'conditional-split', 'send-sms', 'send-email', 'time-delay', 'send-email'] as const;
const STATUSES = ['live', 'live', 'draft', 'manual'] as const;

function emailMessage(name: string, templateId: string, messageId: string): Record<string, unknown> {
  return {
    from_email: 'hello@northwind.example',
    from_label: 'Northwind Outfitters',
    reply_to_email: null,
    cc_email: null,
    bcc_email: null,
    subject_line: `${name}: a little something for you`,
    preview_text: 'Open to see what we picked',
    template_id: templateId,
    smart_sending_enabled: true,
    transactional: false,
    add_tracking_params: true,
    custom_tracking_params: [{ param: 'utm_source', value: 'klaviyo' }],
    additional_filters: null,
    name,
    id: messageId,
  };
}

function smsMessage(name: string, templateId: string, messageId: string): Record<string, unknown> {
  return {
    body: `Northwind: ${name} — tap to see what's new {{ url }} Reply STOP to opt out`,
    image_id: null,
    dynamic_image: null,
    message_hierarchy: null,
    shorten_links: true,
    include_contact_card: false,
    add_org_prefix: true,
    add_info_link: true,
    add_opt_out_language: true,
    smart_sending_enabled: true,
    sms_quiet_hours_enabled: true,
    transactional: false,
    add_tracking_params: false,
    custom_tracking_params: null,
    template_id: templateId,
    additional_filters: null,
    name,
    id: messageId,
  };
}

function actionDefinition(kind: string, actionId: string, nextId: string | null, status: string, message: Record<string, unknown> | null): Record<string, unknown> {
  const base = { id: actionId, temporary_id: null, type: kind };
  if (kind === 'time-delay') return { ...base, links: { next: nextId }, data: { unit: 'days', value: 1 + (actionId.charCodeAt(2) % 3), secondary_value: null, delay_until_time: null, delay_until_weekdays: null } };
  if (kind === 'conditional-split') return { ...base, links: { next_if_true: nextId, next_if_false: null }, data: { profile_filter: null } };
  return { ...base, links: { next: nextId }, data: { message, status } };
}

function flowRow(ctx: BuildContext, rng: Rng, index: number, owners: Owners): StaticRow {
  const trigger = rng.pick(TRIGGERS);
  const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec - 200 * 86_400, ctx.endSec);
  const base = FLOW_NAMES[index % FLOW_NAMES.length] ?? 'Flow';
  const row: StaticRow = {
    id: ctx.ids.issue((attempt) => upperId(ctx.seed, 61, index, attempt)),
    attributes: {
      name: index < FLOW_NAMES.length ? base : `${base} ${Math.floor(index / FLOW_NAMES.length) + 1}`,
      status: rng.pick(STATUSES),
      // The last flow is always archived, so that every world has one (Klaviyo lists them only when asked).
      archived: rng.chance(0.1) || index === ctx.counts.flows - 1,
      created: formatSeconds(createdSec),
      updated: formatSeconds(updatedSec),
      trigger_type: trigger,
    },
    values: { created: secondsValue(createdSec), updated: secondsValue(updatedSec) },
    toMany: { 'flow-actions': [], tags: [] },
  };
  const owner = trigger === 'Metric' ? owners.metrics.rows[rng.int(owners.metrics.rows.length)] : trigger === 'Added to List' ? owners.lists.rows[rng.int(owners.lists.rows.length)] : undefined;
  owner?.toMany?.['flow-triggers']?.push(ref('flow', row.id));
  return row;
}

interface Step {
  flow: StaticRow;
  flowIndex: number;
  kind: string;
  step: number;
  actionId: string;
  nextId: string | null;
}

function messageRow(ctx: BuildContext, rng: Rng, s: Step, templates: StaticTable, stamps: Stamps): StaticRow | null {
  const template = templates.rows[rng.int(templates.rows.length)];
  if ((s.kind !== 'send-email' && s.kind !== 'send-sms') || !template) return null;
  const sms = s.kind === 'send-sms';
  const messageId = ctx.ids.issue((attempt) => shortId(ctx.seed, 63, s.flowIndex, s.step, attempt));
  const name = `${String(s.flow.attributes['name'])} ${sms ? 'SMS' : 'Email'} #${s.step + 1}`;
  const definition = sms ? smsMessage(name, template.id, messageId) : emailMessage(name, template.id, messageId);
  return {
    id: messageId,
    attributes: { channel: sms ? 'sms' : 'email', created: formatSeconds(stamps.createdSec), updated: formatSeconds(stamps.updatedSec), definition },
    values: { name, created: secondsValue(stamps.createdSec), updated: secondsValue(stamps.updatedSec) },
    toOne: { 'flow-action': ref('flow-action', s.actionId), template: ref('template', template.id) },
    parentId: s.actionId,
  };
}

function actionRow(s: Step, stamps: Stamps, message: StaticRow | null): StaticRow {
  const status = String(s.flow.attributes['status']);
  const definition = actionDefinition(s.kind, s.actionId, s.nextId, status, (message?.attributes['definition'] as Record<string, unknown> | undefined) ?? null);
  return {
    id: s.actionId,
    attributes: { created: formatSeconds(stamps.createdSec), updated: formatSeconds(stamps.updatedSec), definition },
    values: { created: secondsValue(stamps.createdSec), updated: secondsValue(stamps.updatedSec), action_type: s.kind.toUpperCase().replace(/-/g, '_'), status },
    toOne: { flow: ref('flow', s.flow.id) },
    toMany: { 'flow-messages': message ? [ref('flow-message', message.id)] : [] },
    parentId: s.flow.id,
  };
}

export function buildFlows(ctx: BuildContext, owners: Owners): Flows {
  const rng = rngFor(ctx, 'flows');
  const flowRows: StaticRow[] = [];
  const actionRows: StaticRow[] = [];
  const messageRows: StaticRow[] = [];
  for (let flowIndex = 0; flowIndex < ctx.counts.flows; flowIndex++) {
    const flow = flowRow(ctx, rng, flowIndex, owners);
    flowRows.push(flow);
    const kinds = STEP_KINDS.slice(0, rng.between(2, STEP_KINDS.length));
    const actionIds = kinds.map((_, step) => ctx.ids.issue((attempt) => numericId(8, ctx.seed, 62, flowIndex, step, attempt)));
    kinds.forEach((kind, step) => {
      const s: Step = { flow, flowIndex, kind, step, actionId: actionIds[step] ?? '', nextId: actionIds[step + 1] ?? null };
      const stamps = randomStamps(rng, Number(flow.values?.['created']) / 1e6, ctx.endSec);
      const message = messageRow(ctx, rng, s, owners.templates, stamps);
      if (message) messageRows.push(message);
      flow.toMany?.['flow-actions']?.push(ref('flow-action', s.actionId));
      actionRows.push(actionRow(s, stamps, message));
    });
  }
  const flowKinds = { id: 'string', name: 'string', status: 'string', archived: 'boolean', created: 'datetime', updated: 'datetime', trigger_type: 'string' } as const;
  const actionKinds = { id: 'string', action_type: 'string', status: 'string', created: 'datetime', updated: 'datetime' } as const;
  const messageKinds = { id: 'string', name: 'string', created: 'datetime', updated: 'datetime' } as const;
  return {
    flows: new StaticTable('flow', flowKinds, ['flow-actions', 'tags'], flowRows),
    actions: new StaticTable('flow-action', actionKinds, ['flow-messages'], actionRows),
    messages: new StaticTable('flow-message', messageKinds, [], messageRows),
  };
}
