// An event resource as Klaviyo sends it, for tests of how pages are parsed: links on the resource and on each
// relationship (one relationship with links only), attributes as the caller gives them.
export const API = 'https://a.klaviyo.com/api';

export function apiEvent(id: string, attributes: Record<string, unknown>): Record<string, unknown> {
  const rel = (name: string, data?: unknown): Record<string, unknown> => ({
    ...(data === undefined ? {} : { data }),
    links: { self: `${API}/events/${id}/relationships/${name}/`, related: `${API}/events/${id}/${name}/` },
  });
  return {
    type: 'event',
    id,
    attributes,
    relationships: { metric: rel('metric', { type: 'metric', id: 'gUUB9Q' }), profile: rel('profile', { type: 'profile', id: '01JB' }), attributions: rel('attributions') },
    links: { self: `${API}/events/${id}/` },
  };
}
