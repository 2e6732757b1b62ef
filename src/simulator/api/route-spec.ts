// How a route is declared (routes.ts lists them; relationships.ts derives the `/relationships/` ones from them).
import type { Table } from '../types.js';
import type { World } from '../world/world.js';

export interface RouteSpec {
  path: string;
  type: string;
  defaultSort?: string;
  fixedPageSize?: number;
  relationship?: 'to-one' | 'to-many';
  table(world: World, parentId: string): Table | undefined;
}
