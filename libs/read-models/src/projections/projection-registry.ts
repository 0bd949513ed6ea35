import { coreProjection, type Projection } from './core-projection.js';

/** Every projection a projector keeps, by name: what `projections status` and `projections rebuild` know. */
export const projections: ReadonlyMap<string, Projection> = new Map([[coreProjection.name, coreProjection]]);

export class UnknownProjectionError extends Error {
  override name = 'UnknownProjectionError';
  constructor(readonly projection: string) {
    super(`no projection named "${projection}" (known: ${[...projections.keys()].join(', ')})`);
  }
}

export function projectionNamed(name: string): Projection {
  const projection = projections.get(name);
  if (!projection) throw new UnknownProjectionError(name);
  return projection;
}
