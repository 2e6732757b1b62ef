// Templates (with HTML, and a drag-and-drop definition for some) and images.
import { numericId, shortId, uuidFrom } from '../ids.js';
import { CAMPAIGN_THEMES, FLOW_NAMES, IMAGE_SUBJECTS } from './vocabulary.js';
import { formatSeconds, randomSecond, randomStamps, rngFor, secondsValue, type BuildContext } from './context.js';
import { StaticTable, type StaticRow } from './static-table.js';

const EDITOR_TYPES = ['CODE', 'SYSTEM_DRAGGABLE', 'SIMPLE', 'USER_DRAGGABLE'] as const;

function templateHtml(name: string, accent: string): string {
  return [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>' + name + '</title></head>',
    `<body style="margin:0;background:#f4f4f4"><table width="600" align="center" style="background:#fff">`,
    `<tr><td style="padding:24px;font-family:Helvetica,Arial;color:${accent}"><h1>${name}</h1>`,
    '<p>Hi {{ first_name|default:"there" }},</p><p>{% if person.email %}We picked these for you.{% endif %}</p>',
    '<a href="{{ url }}" style="background:' + accent + ';color:#fff;padding:12px 20px">Shop now</a>',
    '</td></tr><tr><td style="font-size:11px;color:#888">{% unsubscribe %} · {{ organization.name }}</td></tr>',
    '</table></body></html>',
  ].join('');
}

function dragAndDropDefinition(templateId: string, accent: string): Record<string, unknown> {
  return {
    id: `${templateId}-def`,
    template_id: templateId,
    body: { id: null, properties: { id: null, css_class: null }, styles: { background_color: accent, width: 600 }, sections: [] },
    styles: [],
  };
}

export function buildTemplates(ctx: BuildContext): StaticTable {
  const rng = rngFor(ctx, 'templates');
  const accents = ['#1d4ed8', '#b91c1c', '#047857', '#7c3aed', '#111827'];
  const rows: StaticRow[] = Array.from({ length: ctx.counts.templates }, (_, index) => {
    const id = ctx.ids.issue((attempt) => shortId(ctx.seed, 21, index, attempt));
    const base = index % 2 === 0 ? rng.pick(CAMPAIGN_THEMES) : rng.pick(FLOW_NAMES);
    const name = `${base} — ${['Email', 'SMS', 'Variant B', 'Reminder'][index % 4]} ${index + 1}`;
    const editorType = rng.pick(EDITOR_TYPES);
    const accent = rng.pick(accents);
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec - 200 * 86_400, ctx.endSec);
    const draggable = editorType.endsWith('DRAGGABLE');
    return {
      id,
      attributes: {
        name,
        editor_type: editorType,
        html: templateHtml(name, accent),
        text: rng.chance(0.5) ? `${name}\n\nHi {{ first_name }}, we picked these for you.` : null,
        amp: null,
        created: formatSeconds(createdSec),
        updated: formatSeconds(updatedSec),
      },
      extras: { definition: draggable ? dragAndDropDefinition(id, accent) : null },
      values: { created: secondsValue(createdSec), updated: secondsValue(updatedSec) },
    };
  });
  return new StaticTable('template', { created: 'datetime', updated: 'datetime' }, [], rows);
}

export function buildImages(ctx: BuildContext, accountId: string): StaticTable {
  const rng = rngFor(ctx, 'images');
  const formats = ['png', 'jpeg', 'gif'] as const;
  const rows: StaticRow[] = Array.from({ length: ctx.counts.images }, (_, index) => {
    const format = rng.pick(formats);
    const updatedSec = randomSecond(rng, ctx.startSec - 100 * 86_400, ctx.endSec);
    const name = `${rng.pick(IMAGE_SUBJECTS)}-${index + 1}.${format === 'jpeg' ? 'jpg' : format}`;
    return {
      id: ctx.ids.issue((attempt) => numericId(9, ctx.seed, 31, index, attempt)),
      attributes: {
        name,
        image_url: `https://d3k81ch9hvuctc.cloudfront.net/company/${accountId}/images/${uuidFrom(ctx.seed, 31, index)}.${format}`,
        format,
        size: rng.between(2_000, 2_500_000),
        hidden: rng.chance(0.1),
        updated_at: formatSeconds(updatedSec),
      },
      values: { updated_at: secondsValue(updatedSec) },
    };
  });
  const kinds = { id: 'string', updated_at: 'datetime', format: 'string', name: 'string', size: 'number', hidden: 'boolean' } as const;
  return new StaticTable('image', kinds, [], rows);
}
